"""The suite runs against a real PostgreSQL and a real Redis (scripts/test-django.ts starts both on
loopback and passes their ports); without them it fails at once instead of skipping."""

import os

import pytest
from prometheus_client.parser import text_string_to_metric_families

for var in ("CIVICPULSE_DB_PORT", "CIVICPULSE_REDIS_URL"):
    if not os.environ.get(var):
        raise pytest.UsageError(f"{var} is not set: run the suite with `npx ts-node scripts/test-django.ts` (npm test does)")

os.environ.setdefault("CIVICPULSE_E2E", "1")
os.environ.setdefault("CIVICPULSE_TRACING", "1")


@pytest.fixture(scope="session")
def spans():
    from opentelemetry import trace
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    trace.get_tracer_provider().add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


def sample(name, labels=None, body=None):
    """The value of one sample in the package's exposition (0 when absent is NOT assumed: None)."""
    from civicpulse_monitoring import metrics

    text = body if body is not None else metrics.exposition()[0].decode()
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and (labels is None or all(s.labels.get(k) == v for k, v in labels.items())):
                if labels is None or set(s.labels) == set(labels):
                    return s.value
    return None


@pytest.fixture
def metric():
    return sample


@pytest.fixture
def unused_port():
    """A loopback port nobody listens on (bound, read, closed)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
