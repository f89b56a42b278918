"""The package's settings: one dict, ``CIVICPULSE_MONITORING``, merged over these defaults."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import metrics_catalog

DEFAULTS = {
    # (method, normalized path) pairs whose request series exist at zero from start-up, so the
    # error-ratio and latency panels have data and the first 5xx is seen by rate().
    "ROUTES": [("GET", "/")],
    # Probe and scrape traffic is not user traffic: it would page twice for one outage and keep a
    # low-traffic alert from ever firing.
    "EXCLUDED_PATHS": [metrics_catalog.METRICS_PATH, *metrics_catalog.HEALTH_PATHS, "/health/metrics/"],
    "EXCLUDED_USER_AGENT_PREFIXES": ["Prometheus/", "Blackbox Exporter/"],
    # Event types accepted by audit.record() besides the catalog's own.
    "AUDIT_EVENT_TYPES": [],
    # Host names Prometheus and blackbox use (container aliases): checked against ALLOWED_HOSTS.
    "SCRAPE_HOSTS": ["civicpulse-web"],
    # OpenTelemetry tracing (OTLP over HTTP, configured by the OTEL_* environment variables).
    "TRACING": True,
    # Port of the OpenTelemetry metrics exporter (its own registry); None disables it.
    "OTEL_METRICS_PORT": None,
    "OTEL_METRICS_ADDRESS": "127.0.0.1",
}


def get(name):
    user = getattr(settings, "CIVICPULSE_MONITORING", {})
    if not isinstance(user, dict):
        raise ImproperlyConfigured(f"CIVICPULSE_MONITORING must be a dict, not {type(user).__name__}")
    unknown = sorted(set(user) - set(DEFAULTS))
    if unknown:
        raise ImproperlyConfigured(f"CIVICPULSE_MONITORING has unknown key(s) {unknown} (known: {sorted(DEFAULTS)})")
    return user.get(name, DEFAULTS[name])


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def routes():
    """ROUTES as (method, path) pairs, each path already in its normalized form (what the middleware
    labels requests with), or an error naming the entry."""
    from .paths import normalize_path

    out = []
    for i, entry in enumerate(get("ROUTES")):
        if not (isinstance(entry, (list, tuple)) and len(entry) == 2 and all(isinstance(x, str) for x in entry)):
            raise ImproperlyConfigured(f"CIVICPULSE_MONITORING['ROUTES'][{i}] = {entry!r}: expected a (method, path) pair")
        method, path = entry
        if method not in _METHODS:
            raise ImproperlyConfigured(f"CIVICPULSE_MONITORING['ROUTES'][{i}]: method {method!r} is not one of {sorted(_METHODS)}")
        if not path.startswith("/") or normalize_path(path) != path:
            raise ImproperlyConfigured(
                f"CIVICPULSE_MONITORING['ROUTES'][{i}]: path {path!r} is not a normalized path (expected {normalize_path(path)!r}; ids are written :id)"
            )
        out.append((method, path))
    return out
