import json

import pytest
from django.db import connections
from django.test import override_settings

pytestmark = pytest.mark.django_db(transaction=True)


def body(response):
    assert response["Content-Type"] == "application/json"
    raw = response.content.decode()
    assert raw.startswith('{"status": '), "the top-level status must come first (the probe reads it there)"
    return json.loads(raw)


def test_health_live_and_ready(client):
    assert body(client.get("/health/"))["status"] == "healthy"
    assert body(client.get("/health/live/"))["status"] == "alive"
    r = client.get("/health/ready/")
    assert r.status_code == 200 and body(r)["status"] == "ready"


def test_detailed_is_healthy_with_real_postgres_and_redis(client):
    r = client.get("/health/detailed/")
    b = body(r)
    assert r.status_code == 200
    assert b["status"] == "healthy"
    assert b["checks"] == {"database": {"status": "healthy"}, "cache": {"status": "healthy"}}


def test_detailed_is_degraded_when_redis_is_unreachable(client, unused_port):
    caches = {
        "default": {
            "BACKEND": "civicpulse_monitoring.cache.InstrumentedRedisCache",
            "LOCATION": f"redis://127.0.0.1:{unused_port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    with override_settings(CACHES=caches):
        r = client.get("/health/detailed/")
    b = body(r)
    assert r.status_code == 200
    assert b["status"] == "degraded"
    assert b["checks"]["database"]["status"] == "healthy"
    assert b["checks"]["cache"]["status"] == "unhealthy"


def test_database_down_fails_ready_and_detailed_and_counts_connection_errors(client, metric, unused_port):
    conn = connections["default"]
    port = conn.settings_dict["PORT"]
    before = metric("civicpulse_database_connection_errors_total", {"database": "default"})
    conn.close()
    conn.settings_dict["PORT"] = str(unused_port)
    try:
        r = client.get("/health/ready/")
        assert r.status_code == 503 and body(r)["status"] == "not_ready"
        r = client.get("/health/detailed/")
        assert r.status_code == 503 and body(r)["status"] == "unhealthy"
    finally:
        conn.close()
        conn.settings_dict["PORT"] = port
    assert metric("civicpulse_database_connection_errors_total", {"database": "default"}) >= before + 2


def test_health_metrics_summarises_totals(client):
    client.get("/api/issues/")
    b = body(client.get("/health/metrics/"))
    assert b["status"] == "ok"
    assert b["totals"]["civicpulse_requests_total"] >= 1


def test_metrics_view_serves_the_exposition(client):
    r = client.get("/metrics/")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/plain")
    assert b"civicpulse_requests_total" in r.content


def test_probes_do_not_count_as_cache_or_database_work(client, metric):
    from civicpulse_monitoring import metrics

    client.get("/health/detailed/")  # the first connection's setup queries are not the probe's
    before = metrics.totals()
    for _ in range(3):
        assert client.get("/health/detailed/").status_code == 200
        assert client.get("/health/ready/").status_code == 200
    after = metrics.totals()
    for name in ("civicpulse_cache_operations_total", "civicpulse_database_query_duration_seconds_count", "civicpulse_requests_total"):
        assert after.get(name) == before.get(name), name
