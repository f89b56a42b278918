"""The prometheus_client metrics of the catalog, created from metrics_catalog.METRICS.

In multiprocess mode (PROMETHEUS_MULTIPROC_DIR set before prometheus_client is imported, as under
gunicorn with several workers) every worker writes its values to files there and the metrics view
aggregates them; otherwise they live in APP_REGISTRY. Either way nothing is registered in
prometheus_client's default registry, which the OpenTelemetry exporter must not share.
"""

import itertools
import os

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.multiprocess import MultiProcessCollector

from . import metrics_catalog

# `_created` doubles the samples of every counter and histogram child and no query reads it.
prometheus_client.disable_created_metrics()

APP_REGISTRY = CollectorRegistry(auto_describe=True)


def multiprocess_dir():
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir")


def _build(defn):
    kwargs = {"name": defn["name"], "documentation": defn["help"], "labelnames": defn["labels"], "registry": APP_REGISTRY}
    if defn["type"] == "counter":
        return Counter(**kwargs)
    if defn["type"] == "histogram":
        return Histogram(buckets=defn["buckets"], **kwargs)
    raise ValueError(f"metrics_catalog: no prometheus_client type for {defn['type']} {defn['name']}")


METRICS = {key: _build(defn) for key, defn in metrics_catalog.METRICS.items()}

requests_total = METRICS["requests_total"]
request_duration = METRICS["request_duration"]
database_query_duration = METRICS["database_query_duration"]
database_connection_errors = METRICS["database_connection_errors"]
cache_operations = METRICS["cache_operations"]
audit_events = METRICS["audit_events"]
authentication_events = METRICS["authentication_events"]
security_violations = METRICS["security_violations"]


def _combinations(values_by_label):
    labels = sorted(values_by_label)
    for combo in itertools.product(*(values_by_label[label] for label in labels)):
        yield dict(zip(labels, combo))


def initialise(routes):
    """Creates at zero every series the catalog declares label values for, and for request metrics
    each declared (method, path) route. Idempotent."""
    for key, defn in metrics_catalog.METRICS.items():
        declared = dict(defn["initial_label_values"])
        needs_route = {"method", "path"} <= set(defn["labels"])
        route_sets = [{"method": m, "path": p} for m, p in routes] if needs_route else [{}]
        missing = set(defn["labels"]) - set(declared) - ({"method", "path"} if needs_route else set())
        if missing:
            continue  # a label with no declared values cannot be initialised
        for route in route_sets:
            for combo in _combinations(declared):
                METRICS[key].labels(**route, **combo)


def exposition():
    """(body, content type) of the current metrics: every worker's in multiprocess mode."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = APP_REGISTRY
    return prometheus_client.generate_latest(registry), prometheus_client.CONTENT_TYPE_LATEST


def totals():
    """Sum of each catalog metric's samples (counters: the total; histograms: the count)."""
    registry = CollectorRegistry()
    if multiprocess_dir():
        MultiProcessCollector(registry)
        families = registry.collect()
    else:
        families = APP_REGISTRY.collect()
    out = {}
    for family in families:
        for s in family.samples:
            if s.name.endswith("_total") or s.name.endswith("_count"):
                out[s.name] = out.get(s.name, 0.0) + s.value
    return dict(sorted(out.items()))
