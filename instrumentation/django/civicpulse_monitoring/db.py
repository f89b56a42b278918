"""Database metrics: failed connection attempts, and query latency by operation."""

import functools
import time

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

from .metrics import database_connection_errors, database_query_duration
from .probing import in_probe

_OPERATIONS = {"select", "insert", "update", "delete"}


def _operation(sql):
    word = sql.lstrip().split(None, 1)[0].lower() if sql and sql.strip() else ""
    return word if word in _OPERATIONS else "other"


def _timed_execute(execute, sql, params, many, context):
    if in_probe():
        return execute(sql, params, many, context)
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        database_query_duration.labels(operation=_operation(sql)).observe(time.perf_counter() - started)


def _on_connection_created(sender, connection, **kwargs):
    if _timed_execute not in connection.execute_wrappers:
        connection.execute_wrappers.append(_timed_execute)


def install():
    """Counts every failed connect() of any backend by alias (a probe's too: the database is down
    whoever asks), and times each query but the probes'. Idempotent."""
    connection_created.connect(_on_connection_created, dispatch_uid="civicpulse_monitoring.db")
    original = BaseDatabaseWrapper.connect
    if getattr(original, "_civicpulse_wrapped", False):
        return

    @functools.wraps(original)
    def connect(self, *args, **kwargs):
        try:
            return original(self, *args, **kwargs)
        except Exception:
            database_connection_errors.labels(database=self.alias).inc()
            raise

    connect._civicpulse_wrapped = True
    BaseDatabaseWrapper.connect = connect
