"""`path("", include("civicpulse_monitoring.urls"))` serves the health views and the metrics."""

from django.urls import path

from . import metrics_catalog, views

urlpatterns = [
    path("health/", views.health, name="health"),
    path("health/live/", views.live, name="health-live"),
    path("health/ready/", views.ready, name="health-ready"),
    path("health/detailed/", views.detailed, name="health-detailed"),
    path("health/metrics/", views.health_metrics, name="health-metrics"),
    path(metrics_catalog.METRICS_PATH.lstrip("/"), views.metrics_view, name="prometheus-metrics"),
]
