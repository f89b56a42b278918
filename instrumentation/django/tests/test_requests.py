import json
import logging

import pytest

pytestmark = pytest.mark.django_db


def count(metric, method, path, status):
    return metric("civicpulse_requests_total", {"method": method, "path": path, "status": status}) or 0.0


def test_request_is_counted_under_its_normalized_path(client, metric):
    before = count(metric, "GET", "/api/issues/:id/", "200")
    hist_before = metric("civicpulse_request_duration_seconds_count", {"method": "GET", "path": "/api/issues/:id/"}) or 0.0
    assert client.get("/api/issues/3/").status_code == 200
    assert client.get("/api/issues/4/").status_code == 200
    assert count(metric, "GET", "/api/issues/:id/", "200") == before + 2
    assert metric("civicpulse_request_duration_seconds_count", {"method": "GET", "path": "/api/issues/:id/"}) == hist_before + 2
    assert metric("civicpulse_requests_total", {"method": "GET", "path": "/api/issues/3/", "status": "200"}) is None


def test_404_of_a_known_route_keeps_its_path(client, metric):
    before = count(metric, "GET", "/api/issues/:id/", "404")
    assert client.get("/api/issues/999999/").status_code == 404
    assert count(metric, "GET", "/api/issues/:id/", "404") == before + 1


def test_unmatched_paths_share_one_label(client, metric):
    before = count(metric, "GET", "unmatched", "404")
    client.get("/wp-login.php")
    client.get("/no/such/page/77/")
    assert count(metric, "GET", "unmatched", "404") == before + 2
    assert metric("civicpulse_requests_total", {"method": "GET", "path": "/wp-login.php", "status": "404"}) is None


@pytest.mark.parametrize("path", ["/health/", "/health/ready/", "/health/live/", "/health/detailed/", "/metrics/", "/health/metrics/"])
def test_probe_and_scrape_paths_are_not_traffic(client, metric, path):
    from civicpulse_monitoring import metrics

    before = metrics.totals().get("civicpulse_requests_total", 0.0)
    client.get(path)
    assert metrics.totals().get("civicpulse_requests_total", 0.0) == before


def test_probe_user_agents_are_not_traffic(client, metric):
    before = count(metric, "GET", "/api/issues/", "200")
    client.get("/api/issues/", HTTP_USER_AGENT="Blackbox Exporter/0.28.0")
    client.get("/api/issues/", HTTP_USER_AGENT="Prometheus/3.5.3")
    assert count(metric, "GET", "/api/issues/", "200") == before
    client.get("/api/issues/", HTTP_USER_AGENT="Mozilla/5.0")
    assert count(metric, "GET", "/api/issues/", "200") == before + 1


def test_exception_is_counted_and_logged_as_json_with_the_trace_id(client, metric, spans, caplog):
    from civicpulse_monitoring.logs import JsonFormatter, TraceContextFilter

    before = count(metric, "GET", "/api/e2e/boom/", "500")
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="civicpulse.monitoring"):
        caplog.handler.addFilter(TraceContextFilter())
        response = client.get("/api/e2e/boom/")
    assert response.status_code == 500
    assert count(metric, "GET", "/api/e2e/boom/", "500") == before + 1
    records = [r for r in caplog.records if r.name == "civicpulse.monitoring" and r.levelno == logging.ERROR]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["exception_type"] == "InjectedFault"
    assert "injected failure" in line["exception"]
    assert len(line["trace_id"]) == 32 and line["trace_id"] != "0" * 32
    server_spans = [s for s in spans.get_finished_spans() if format(s.context.trace_id, "032x") == line["trace_id"]]
    assert server_spans, "no finished span has the logged trace id"
    assert any(s.attributes.get("http.route") == "api/e2e/boom/" or s.name.startswith("GET") for s in server_spans)


def test_probes_are_not_traced(client, spans):
    spans.clear()
    client.get("/health/ready/")
    client.get("/metrics/")
    client.get("/api/issues/")
    routes = [s.attributes.get("http.route") for s in spans.get_finished_spans() if s.kind.name == "SERVER"]
    assert routes == ["api/issues/"]
