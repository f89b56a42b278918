"""Settings of the example `civicpulse` project; everything deployment-specific comes from the
environment. CIVICPULSE_E2E=1 adds the fault-injection views the live verification needs
(civicpulse/e2e_views.py) and a fast password hasher; never set it in production."""

import os

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
E2E = os.environ.get("CIVICPULSE_E2E") == "1"

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-only-not-secret")
DEBUG = False
# The scrape and probe Host is the container alias (civicpulse-web) or, in the live run, 127.0.0.1.
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "civicpulse-web,localhost,127.0.0.1").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "civicpulse_monitoring",
    "civicpulse.issues",
]

MIDDLEWARE = [
    "civicpulse_monitoring.middleware.MonitoringMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]

if os.environ.get("CIVICPULSE_BENCH_WITHOUT_MIDDLEWARE") == "1":
    # scripts/bench-django.ts: the baseline that the middleware's added latency is measured against.
    MIDDLEWARE = MIDDLEWARE[1:]

ROOT_URLCONF = "civicpulse.urls"
WSGI_APPLICATION = "civicpulse.wsgi.application"
CSRF_FAILURE_VIEW = "civicpulse_monitoring.views.csrf_failure"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": os.environ.get("CIVICPULSE_DB_HOST", "127.0.0.1"),
        "PORT": os.environ.get("CIVICPULSE_DB_PORT", "5432"),
        "NAME": os.environ.get("CIVICPULSE_DB_NAME", "civicpulse"),
        "USER": os.environ.get("CIVICPULSE_DB_USER", "postgres"),
        "PASSWORD": os.environ.get("CIVICPULSE_DB_PASSWORD", ""),
        # A stopped database must fail a request fast, not hang the worker.
        "OPTIONS": {"connect_timeout": 2},
    }
}

CACHES = {
    "default": {
        "BACKEND": "civicpulse_monitoring.cache.InstrumentedRedisCache",
        "LOCATION": os.environ.get("CIVICPULSE_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}

if E2E:
    # The failed-login burst runs 5 logins a second on a shared 2-core machine.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

CIVICPULSE_MONITORING = {
    "ROUTES": [
        ("GET", "/api/issues/"),
        ("GET", "/api/issues/:id/"),
        ("POST", "/api/issues/"),
        ("GET", "/api/reports/"),
    ],
    "SCRAPE_HOSTS": ALLOWED_HOSTS[:1],
    "TRACING": os.environ.get("CIVICPULSE_TRACING", "1") == "1",
    "OTEL_METRICS_PORT": int(os.environ["CIVICPULSE_OTEL_METRICS_PORT"]) if os.environ.get("CIVICPULSE_OTEL_METRICS_PORT") else None,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"trace": {"()": "civicpulse_monitoring.logs.TraceContextFilter"}},
    "formatters": {"json": {"()": "civicpulse_monitoring.logs.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["trace"]}},
    "root": {"handlers": ["stdout"], "level": "WARNING"},
    "loggers": {
        "civicpulse": {"level": "INFO"},
        # Our middleware logs unhandled exceptions with the trace id; Django's copy would double them.
        "django.request": {"level": "CRITICAL"},
    },
}
