"""System checks for the settings a real deployment got wrong."""

from django.conf import settings
from django.core.checks import Warning, register
from django.http.request import validate_host

from . import conf

CSRF_VIEW = "civicpulse_monitoring.views.csrf_failure"
MIDDLEWARE = "civicpulse_monitoring.middleware.MonitoringMiddleware"


@register()
def monitoring_settings(app_configs, **kwargs):
    out = []
    allowed = settings.ALLOWED_HOSTS or (["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
    for host in conf.get("SCRAPE_HOSTS"):
        if not validate_host(host, allowed):
            out.append(
                Warning(
                    f"ALLOWED_HOSTS {allowed!r} does not admit scrape host {host!r}: Prometheus and blackbox would get 400",
                    hint="add the container alias to ALLOWED_HOSTS, or set CIVICPULSE_MONITORING['SCRAPE_HOSTS']",
                    id="civicpulse_monitoring.W001",
                )
            )
    if getattr(settings, "CSRF_FAILURE_VIEW", "") != CSRF_VIEW:
        out.append(Warning(f"CSRF_FAILURE_VIEW is not {CSRF_VIEW!r}: CSRF rejections are not counted", id="civicpulse_monitoring.W002"))
    if MIDDLEWARE not in settings.MIDDLEWARE:
        out.append(Warning(f"{MIDDLEWARE} is not in MIDDLEWARE: no request metrics", id="civicpulse_monitoring.W003"))
    return out
