"""The audit trail API: one call records the event in the log and counts it."""

import logging

from . import conf, metrics_catalog
from .metrics import audit_events

log = logging.getLogger("civicpulse.audit")


def allowed_event_types():
    declared = metrics_catalog.METRICS["audit_events"]["initial_label_values"]["event_type"]
    return [*declared, *conf.get("AUDIT_EVENT_TYPES")]


def record(event_type, count=1, **fields):
    """Records `count` audit events of `event_type` (one of the catalog's event types or
    CIVICPULSE_MONITORING["AUDIT_EVENT_TYPES"]: the label must stay bounded)."""
    allowed = allowed_event_types()
    if event_type not in allowed:
        raise ValueError(f"audit.record: event_type {event_type!r} is not declared (declared: {allowed})")
    if count < 1:
        raise ValueError(f"audit.record: count must be at least 1, not {count!r}")
    audit_events.labels(event_type=event_type).inc(count)
    log.info("audit %s", event_type, extra={"event_type": event_type, "count": count, **fields})
