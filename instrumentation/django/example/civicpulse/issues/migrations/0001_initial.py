from django.db import migrations, models


def seed(apps, schema_editor):
    Issue = apps.get_model("issues", "Issue")
    Issue.objects.bulk_create([Issue(title=f"Pothole on street {i}") for i in range(1, 21)])
    User = apps.get_model("auth", "User")
    from django.contrib.auth.hashers import make_password

    User.objects.create(username="clerk", password=make_password("correct-horse-battery"), is_active=True)


class Migration(migrations.Migration):
    initial = True
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]
    operations = [
        migrations.CreateModel(
            name="Issue",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=200)),
                ("status", models.CharField(default="open", max_length=20)),
                ("updated", models.PositiveIntegerField(default=0)),
            ],
            options={"ordering": ["id"]},
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
