from django.apps import AppConfig


class IssuesConfig(AppConfig):
    name = "civicpulse.issues"
    label = "issues"
