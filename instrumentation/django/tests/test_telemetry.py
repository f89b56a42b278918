import urllib.request

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from civicpulse_monitoring import telemetry

# What the monitoring stack's app_telemetry_env output sets (stacks/monitoring-stack.ts).
STACK_ENV = {
    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
    "OTEL_SERVICE_NAME": "civicpulse-web",
    "OTEL_RESOURCE_ATTRIBUTES": "service.name=civicpulse-web,deployment.environment=prod,deployment.environment.name=prod",
    "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
    "OTEL_TRACES_SAMPLER_ARG": "0.1",
}


def test_tracer_provider_takes_resource_and_sampler_from_the_stack_env(monkeypatch):
    for k, v in STACK_ENV.items():
        monkeypatch.setenv(k, v)
    provider = telemetry.build_tracer_provider(InMemorySpanExporter())
    attrs = provider.resource.attributes
    assert attrs["service.name"] == "civicpulse-web"
    assert attrs["deployment.environment"] == "prod"
    assert attrs["deployment.environment.name"] == "prod"
    assert "TraceIdRatioBased{0.1}" in provider.sampler.get_description()
    assert provider.sampler.get_description().startswith("ParentBased")


def test_grpc_protocol_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
    with pytest.raises(ImproperlyConfigured, match="OTEL_EXPORTER_OTLP_PROTOCOL='grpc'"):
        telemetry.build_tracer_provider(InMemorySpanExporter())


def test_otel_metrics_have_their_own_registry(unused_port, client):
    import prometheus_client
    from opentelemetry import metrics

    registry = telemetry.configure_otel_metrics(unused_port)
    assert registry is not None and registry is not prometheus_client.REGISTRY
    metrics.get_meter("civicpulse.test").create_counter("civicpulse_test_otel_events").add(2)
    body = urllib.request.urlopen(f"http://127.0.0.1:{unused_port}/metrics", timeout=5).read().decode()
    assert "civicpulse_test_otel_events" in body
    # Nothing of the app's catalog there, and nothing of OTel in the default registry or the app's path.
    assert "civicpulse_requests_total" not in body
    assert "civicpulse_test_otel_events" not in prometheus_client.generate_latest(prometheus_client.REGISTRY).decode()
    assert b"civicpulse_test_otel_events" not in client.get("/metrics/").content


def ids(**settings):
    with override_settings(**settings):
        return {m.id for m in run_checks() if m.id.startswith("civicpulse_monitoring.")}


def test_system_check_warns_when_the_scrape_host_is_not_allowed():
    assert ids() == set()
    assert ids(ALLOWED_HOSTS=["www.example.org"]) == {"civicpulse_monitoring.W001"}
    assert ids(CSRF_FAILURE_VIEW="django.views.csrf.csrf_failure") == {"civicpulse_monitoring.W002"}


@pytest.mark.parametrize(
    "routes, message",
    [
        ([("GET", "/api/issues/42/")], r"ROUTES'\]\[0\]: path '/api/issues/42/' is not a normalized path \(expected '/api/issues/:id/'"),
        ([("GET", "/"), ("get", "/")], r"ROUTES'\]\[1\]: method 'get' is not one of"),
        (["/api/"], r"ROUTES'\]\[0\] = '/api/': expected a \(method, path\) pair"),
        ([("GET", "api/")], r"path 'api/' is not a normalized path"),
    ],
)
def test_bad_routes_are_refused_naming_the_entry(routes, message):
    from civicpulse_monitoring import conf

    with override_settings(CIVICPULSE_MONITORING={"ROUTES": routes}):
        with pytest.raises(ImproperlyConfigured, match=message):
            conf.routes()


def test_unknown_setting_is_refused_by_name():
    from civicpulse_monitoring import conf

    with override_settings(CIVICPULSE_MONITORING={"ROUTS": []}):
        with pytest.raises(ImproperlyConfigured, match=r"unknown key\(s\) \['ROUTS'\]"):
            conf.get("ROUTES")
