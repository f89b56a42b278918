"""CivicPulse monitoring for Django: the metric contract of the monitoring-as-code project
(generated into metrics_catalog.py), request/auth/security/audit/database/cache metrics, health
views, JSON logs carrying the trace id, and OpenTelemetry tracing over OTLP."""

__version__ = "0.1.0"
