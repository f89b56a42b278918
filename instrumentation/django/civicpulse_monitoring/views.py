"""Health, metrics and CSRF-failure views.

The detailed health body's top-level `status` is decisive and comes first; the blackbox module
checks that field only (a nested dependency's "healthy" never passes a "degraded" app).
"""

import json
import os
import time

from django.core.cache import caches
from django.db import connections
from django.http import HttpResponse, JsonResponse
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import metrics
from .probing import probing
from .metrics import security_violations

STARTED = time.time()
HEALTH_CACHE_KEY = "civicpulse:health"


def _json(status_code, status, **rest):
    # `status` first: readers (and the probe) see the verdict before any nested status.
    return HttpResponse(json.dumps({"status": status, **rest}), status=status_code, content_type="application/json")


def check_database(alias="default"):
    try:
        with probing(), connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"status": "healthy"}
    except Exception as e:  # any failure is the check's result, not the view's
        return {"status": "unhealthy", "error": type(e).__name__}


def check_cache(alias="default"):
    try:
        cache = caches[alias]
        with probing():
            cache.set(HEALTH_CACHE_KEY, "1", timeout=30)
            value = cache.get(HEALTH_CACHE_KEY)
        if value != "1":
            return {"status": "unhealthy", "error": "read back a different value"}
        return {"status": "healthy"}
    except Exception as e:
        return {"status": "unhealthy", "error": type(e).__name__}


@never_cache
@require_GET
def health(request):
    return _json(200, "healthy")


@never_cache
@require_GET
def live(request):
    return _json(200, "alive", pid=os.getpid())


@never_cache
@require_GET
def ready(request):
    database = check_database()
    if database["status"] != "healthy":
        return _json(503, "not_ready", checks={"database": database})
    return _json(200, "ready", checks={"database": database})


@never_cache
@require_GET
def detailed(request):
    """healthy: every check passes (200). degraded: the cache fails, the app still serves (200, but
    the probe fails on the status). unhealthy: the database fails (503)."""
    checks = {"database": check_database(), "cache": check_cache()}
    if checks["database"]["status"] != "healthy":
        status, code = "unhealthy", 503
    elif any(c["status"] != "healthy" for c in checks.values()):
        status, code = "degraded", 200
    else:
        status, code = "healthy", 200
    return _json(code, status, checks=checks, uptime_seconds=round(time.time() - STARTED, 1))


@never_cache
@require_GET
def health_metrics(request):
    return JsonResponse({"status": "ok", "totals": metrics.totals()})


@never_cache
@require_GET
def metrics_view(request):
    body, content_type = metrics.exposition()
    return HttpResponse(body, content_type=content_type)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: counts the rejection, then answers as Django would."""
    security_violations.labels(violation="csrf").inc()
    return django_csrf_failure(request, reason=reason)
