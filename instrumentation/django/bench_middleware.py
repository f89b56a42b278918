"""In-process cost of MonitoringMiddleware per request (scripts/bench-django.ts runs it): the same
request through a trivial view with and without the middleware, timed with perf_counter, median of
several rounds. Load-generator figures on a busy machine are noisier than the middleware itself."""

import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicpulse.settings")
os.environ.setdefault("CIVICPULSE_TRACING", "0")

import django  # noqa: E402

django.setup()

from django.http import HttpResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.urls import resolve  # noqa: E402

from civicpulse_monitoring.middleware import MonitoringMiddleware  # noqa: E402


def view(request):
    request.resolver_match = MATCH
    return HttpResponse(b"ok")


MATCH = resolve("/api/issues/7/")
N = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
ROUNDS = 7
factory = RequestFactory()
requests = [factory.get(f"/api/issues/{i % 50}/") for i in range(N)]
wrapped = MonitoringMiddleware(view)


def per_request(fn):
    t = time.perf_counter()
    for r in requests:
        fn(r)
    return (time.perf_counter() - t) / N * 1e6


bare = [per_request(view) for _ in range(ROUNDS)]
mw = [per_request(wrapped) for _ in range(ROUNDS)]
print(f"without middleware: {statistics.median(bare):.1f} us per request; with: {statistics.median(mw):.1f} us; added: {statistics.median(mw) - statistics.median(bare):.1f} us (median of {ROUNDS} rounds of {N})")
