from django.conf import settings
from django.urls import include, path

from . import views

urlpatterns = [
    path("", include("civicpulse_monitoring.urls")),
    path("api/issues/", views.issues),
    path("api/issues/<int:pk>/", views.issue),
    path("api/reports/", views.reports),
    path("api/login/", views.login),
]

if settings.E2E:
    from . import e2e_views

    urlpatterns += [
        path("api/e2e/boom/", e2e_views.boom),
        path("api/e2e/slow/", e2e_views.slow),
        path("api/e2e/issues/<int:pk>/touch/", e2e_views.touch),
        path("api/e2e/issues/bulk/", e2e_views.bulk_create),
        path("api/e2e/bench/<slug:name>/", e2e_views.bench),
    ]
