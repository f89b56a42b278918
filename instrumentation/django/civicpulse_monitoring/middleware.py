"""Request metrics and exception tracking.

Place it first in MIDDLEWARE (after OpenTelemetry's, which the instrumentation inserts itself), so
its latency covers the whole middleware chain and a rejected request is still counted.
"""

import logging
import time

from . import conf
from .metrics import request_duration, requests_total
from .paths import normalize_path

log = logging.getLogger("civicpulse.monitoring")

# The path label of a request no URL pattern matched: scanners must not mint one series per path.
UNMATCHED_PATH = "unmatched"


class MonitoringMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.excluded_paths = frozenset(conf.get("EXCLUDED_PATHS"))
        self.excluded_agents = tuple(conf.get("EXCLUDED_USER_AGENT_PREFIXES"))

    def _excluded(self, request):
        if request.path_info in self.excluded_paths:
            return True
        return bool(self.excluded_agents) and request.META.get("HTTP_USER_AGENT", "").startswith(self.excluded_agents)

    def __call__(self, request):
        if self._excluded(request):
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        path = normalize_path(request.path_info) if getattr(request, "resolver_match", None) is not None else UNMATCHED_PATH
        method = request.method
        request_duration.labels(method=method, path=path).observe(elapsed)
        requests_total.labels(method=method, path=path, status=str(response.status_code)).inc()
        return response

    def process_exception(self, request, exception):
        # Runs inside the request's server span: the record's trace_id finds the trace in Jaeger.
        log.error(
            "unhandled exception in %s %s",
            request.method,
            request.path_info,
            exc_info=exception,
            extra={"method": request.method, "path": normalize_path(request.path_info), "exception_type": type(exception).__name__},
        )
        return None
