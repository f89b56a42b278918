import json

import pytest
from django.test import Client

from civicpulse_monitoring import audit

pytestmark = pytest.mark.django_db


def login(client, password):
    return client.post("/api/login/", data=json.dumps({"username": "clerk", "password": password}), content_type="application/json")


def test_login_signals_count_success_and_failure(client, metric):
    fail = metric("civicpulse_authentication_events_total", {"event": "login", "result": "failure"})
    ok = metric("civicpulse_authentication_events_total", {"event": "login", "result": "success"})
    assert login(client, "wrong").status_code == 401
    assert login(client, "also-wrong").status_code == 401
    assert login(client, "correct-horse-battery").status_code == 200
    assert metric("civicpulse_authentication_events_total", {"event": "login", "result": "failure"}) == fail + 2
    assert metric("civicpulse_authentication_events_total", {"event": "login", "result": "success"}) == ok + 1


def test_csrf_failure_is_a_security_violation(metric):
    before = metric("civicpulse_security_violations_total", {"violation": "csrf"})
    r = Client(enforce_csrf_checks=True).post("/api/issues/", {"title": "x"})
    assert r.status_code == 403
    assert metric("civicpulse_security_violations_total", {"violation": "csrf"}) == before + 1


def test_disallowed_host_is_a_security_violation(client, metric):
    before = metric("civicpulse_security_violations_total", {"violation": "forbidden_host"})
    r = client.get("/api/issues/", HTTP_HOST="evil.example")
    assert r.status_code == 400
    assert metric("civicpulse_security_violations_total", {"violation": "forbidden_host"}) == before + 1


def test_audit_record_counts_declared_types_and_rejects_others(metric):
    before = metric("civicpulse_audit_events_total", {"event_type": "permission_changed"})
    audit.record("permission_changed", user="clerk")
    audit.record("permission_changed", count=3)
    assert metric("civicpulse_audit_events_total", {"event_type": "permission_changed"}) == before + 4
    with pytest.raises(ValueError, match="'made_up' is not declared"):
        audit.record("made_up")
    with pytest.raises(ValueError, match="count must be at least 1"):
        audit.record("login", count=0)


def test_cache_hits_and_misses_against_real_redis(metric):
    from django.core.cache import cache

    hit = metric("civicpulse_cache_operations_total", {"operation": "get", "result": "hit"})
    miss = metric("civicpulse_cache_operations_total", {"operation": "get", "result": "miss"})
    cache.delete("t:key")
    assert cache.get("t:key", "dflt") == "dflt"
    cache.set("t:key", {"v": 1})
    assert cache.get("t:key") == {"v": 1}
    assert metric("civicpulse_cache_operations_total", {"operation": "get", "result": "hit"}) == hit + 1
    assert metric("civicpulse_cache_operations_total", {"operation": "get", "result": "miss"}) == miss + 1
    assert metric("civicpulse_cache_operations_total", {"operation": "set", "result": "success"}) >= 1


def test_query_latency_by_operation(client, metric):
    before = metric("civicpulse_database_query_duration_seconds_count", {"operation": "select"})
    client.get("/api/issues/")
    assert metric("civicpulse_database_query_duration_seconds_count", {"operation": "select"}) >= before + 1
