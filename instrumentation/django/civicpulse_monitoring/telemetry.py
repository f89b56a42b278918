"""OpenTelemetry setup: the tracer provider, OTLP export and the Django/psycopg/redis instrumentation.

Everything is read from the OTEL_* variables that the monitoring stack's `app_telemetry_env` output
sets: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the resource), OTEL_TRACES_SAMPLER and
OTEL_TRACES_SAMPLER_ARG (parentbased_traceidratio), OTEL_EXPORTER_OTLP_ENDPOINT and _PROTOCOL.
Only http/protobuf is shipped (the report's opentelemetry-exporter-jaeger is discontinued upstream;
Jaeger v2 receives OTLP natively); "grpc" is refused with a clear error rather than silently ignored.
"""

import errno
import logging
import os
import re

from django.core.exceptions import ImproperlyConfigured
from opentelemetry import metrics, trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import _get_from_env_or_default

log = logging.getLogger("civicpulse.monitoring")

_configured = {"tracing": False, "metrics": False}


def build_tracer_provider(exporter=None):
    """A provider with the environment's resource and sampler, exporting to `exporter` (default OTLP)."""
    protocol = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL") or "http/protobuf"
    if protocol != "http/protobuf":
        raise ImproperlyConfigured(
            f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol!r}: civicpulse_monitoring ships the http/protobuf exporter only; "
            "set the stack's services.app.otlpProtocol to http/protobuf"
        )
    provider = TracerProvider(resource=Resource.create(), sampler=_get_from_env_or_default())
    # OTEL_TRACES_EXPORTER=none (the SDK convention) keeps spans in-process, as the test suite does.
    if exporter is not None or os.environ.get("OTEL_TRACES_EXPORTER", "otlp") != "none":
        provider.add_span_processor(BatchSpanProcessor(exporter or OTLPSpanExporter()))
    return provider


def configure_tracing():
    """Sets the global tracer provider and instruments Django, psycopg and redis. Once per process."""
    if _configured["tracing"]:
        return
    from . import conf

    # Probes and scrapes every few seconds would bury the app's traces (the instrumentation matches
    # these regexes against the request URL; it reads them when its module is first imported).
    os.environ.setdefault("OTEL_PYTHON_DJANGO_EXCLUDED_URLS", ",".join(re.escape(p) + "$" for p in conf.get("EXCLUDED_PATHS")))
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    trace.set_tracer_provider(build_tracer_provider())
    DjangoInstrumentor().instrument()
    PsycopgInstrumentor().instrument(enable_commenter=False)
    RedisInstrumentor().instrument()
    _configured["tracing"] = True


def configure_otel_metrics(port, address="127.0.0.1"):
    """OpenTelemetry metrics (the instrumentations' own) on a registry of their own, served on
    `port`: never prometheus_client's default registry, so nothing is exported twice. Under several
    gunicorn workers the first to bind serves its own OTel metrics; the others log and go on (the
    catalog metrics, aggregated over every worker, are on the app's metrics path)."""
    if _configured["metrics"] or port is None:
        return None
    from opentelemetry.exporter.prometheus import PrometheusMetricReader
    from opentelemetry.sdk.metrics import MeterProvider
    from prometheus_client import CollectorRegistry, start_http_server

    registry = CollectorRegistry(auto_describe=True)
    reader = PrometheusMetricReader(registry=registry)
    metrics.set_meter_provider(MeterProvider(resource=Resource.create(), metric_readers=[reader]))
    _configured["metrics"] = True
    try:
        start_http_server(int(port), addr=address, registry=registry)
    except OSError as e:
        if e.errno != errno.EADDRINUSE:
            raise
        log.info("OTel metrics port %s is served by another worker", port)
    return registry
