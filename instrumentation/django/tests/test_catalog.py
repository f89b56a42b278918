import json
import pathlib

from prometheus_client.parser import text_string_to_metric_families

from civicpulse_monitoring import metrics, metrics_catalog
from civicpulse_monitoring.paths import normalize_path

HERE = pathlib.Path(__file__).parent


def families():
    return {f.name: f for f in text_string_to_metric_families(metrics.exposition()[0].decode())}


def test_every_catalog_metric_is_exposed_with_its_type_and_help():
    got = families()
    assert metrics_catalog.METRICS, "the generated catalog is empty"
    for defn in metrics_catalog.METRICS.values():
        base = defn["name"][: -len("_total")] if defn["type"] == "counter" else defn["name"]
        assert base in got, f"{defn['name']} missing from the exposition"
        assert got[base].type == defn["type"]
        assert got[base].documentation == defn["help"]


def test_histogram_buckets_are_the_catalogs():
    got = families()
    for defn in metrics_catalog.METRICS.values():
        if defn["type"] != "histogram":
            continue
        les = sorted({float(s.labels["le"]) for s in got[defn["name"]].samples if s.name.endswith("_bucket")})
        assert les == [float(b) for b in defn["buckets"]] + [float("inf")], defn["name"]


def test_request_latency_buckets_include_the_latency_threshold_default():
    # The CivicPulseHighLatency default (2 s) must be a bucket bound; synth enforces it too.
    assert 2 in metrics_catalog.METRICS["request_duration"]["buckets"]


def test_declared_label_values_exist_at_zero_from_start(metric):
    for violation in metrics_catalog.METRICS["security_violations"]["initial_label_values"]["violation"]:
        assert metric("civicpulse_security_violations_total", {"violation": violation}) is not None, violation
    assert metric("civicpulse_authentication_events_total", {"event": "login", "result": "failure"}) is not None
    assert metric("civicpulse_database_connection_errors_total", {"database": "default"}) is not None
    # Routes of the project's CIVICPULSE_MONITORING["ROUTES"], for each declared status.
    for status in ("200", "500"):
        assert metric("civicpulse_requests_total", {"method": "GET", "path": "/api/issues/:id/", "status": status}) is not None
    assert metric("civicpulse_request_duration_seconds_count", {"method": "POST", "path": "/api/issues/"}) is not None


def created_samples(text):
    return [s.name for f in text_string_to_metric_families(text) for s in f.samples if s.name.endswith("_created")]


def test_no_created_series():
    assert created_samples(metrics.exposition()[0].decode()) == []


def test_path_normalization_matches_the_shared_vectors():
    cases = json.loads((HERE / "path_cases.json").read_text())
    assert len(cases) >= 10
    for case in cases:
        assert normalize_path(case["path"]) == case["normalized"], case
