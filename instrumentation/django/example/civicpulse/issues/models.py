from django.db import models


class Issue(models.Model):
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=20, default="open")
    updated = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "issues"
        ordering = ["id"]
