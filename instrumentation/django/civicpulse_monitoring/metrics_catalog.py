"""The CivicPulse metric contract, generated from spec/catalog.ts by scripts/generate-django-metrics.ts.

Do not edit: change the catalog and run `npm run gen:django`; a jest test fails while this file is stale.
"""

METRICS = {
    "audit_events": {
        "help": "Audit trail events written, by event type.",
        "initial_label_values": {
            "event_type": ["record_created", "record_updated", "login", "permission_changed"],
        },
        "labels": ["event_type"],
        "name": "civicpulse_audit_events_total",
        "type": "counter",
    },
    "authentication_events": {
        "help": "Authentication events (event: login, logout; result: success, failure).",
        "initial_label_values": {
            "event": ["login"],
            "result": ["success", "failure"],
        },
        "labels": ["event", "result"],
        "name": "civicpulse_authentication_events_total",
        "type": "counter",
    },
    "cache_operations": {
        "help": "Cache operations; result is hit or miss for reads.",
        "initial_label_values": {
            "operation": ["get"],
            "result": ["hit", "miss"],
        },
        "labels": ["operation", "result"],
        "name": "civicpulse_cache_operations_total",
        "type": "counter",
    },
    "database_connection_errors": {
        "help": "Failed attempts to open or use a database connection.",
        "initial_label_values": {
            "database": ["default"],
        },
        "labels": ["database"],
        "name": "civicpulse_database_connection_errors_total",
        "type": "counter",
    },
    "database_query_duration": {
        "buckets": [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
        "help": "Database query latency, by operation (select, insert, update, delete).",
        "initial_label_values": {
            "operation": ["select", "insert", "update", "delete"],
        },
        "labels": ["operation"],
        "name": "civicpulse_database_query_duration_seconds",
        "type": "histogram",
    },
    "request_duration": {
        "buckets": [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 5, 10],
        "help": "HTTP request latency.",
        "initial_label_values": {},
        "labels": ["method", "path"],
        "name": "civicpulse_request_duration_seconds",
        "type": "histogram",
    },
    "requests_total": {
        "help": "HTTP requests served, by method, normalized path and status code.",
        "initial_label_values": {
            "status": ["200", "500"],
        },
        "labels": ["method", "path", "status"],
        "name": "civicpulse_requests_total",
        "type": "counter",
    },
    "security_violations": {
        "help": "Requests rejected by the security middleware, by violation kind (csrf, rate_limit, forbidden_host, ...).",
        "initial_label_values": {
            "violation": ["csrf", "rate_limit", "forbidden_host", "suspicious_operation"],
        },
        "labels": ["violation"],
        "name": "civicpulse_security_violations_total",
        "type": "counter",
    },
}

# Where the package serves its metrics: the scrape job's default metrics_path.
METRICS_PATH = "/metrics/"
# Probed by blackbox: excluded from request metrics by default.
HEALTH_PATHS = ["/health/", "/health/ready/", "/health/live/", "/health/detailed/"]
DETAILED_HEALTH_PATH = "/health/detailed/"

# The scrape config's path relabeling (rules/paths.ts): an anchored full match, applied this many times.
PATH_ID_SEGMENT = "(.*/)([0-9]+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(/.*)?"
PATH_NORMALIZE_PASSES = 2
