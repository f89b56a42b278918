"""Work done to answer a probe is not the app's work: the health views' own cache round trip and
`SELECT 1` would otherwise count as cache hits and database queries every probe interval."""

import contextlib
import contextvars

_probing = contextvars.ContextVar("civicpulse_monitoring_probing", default=False)


@contextlib.contextmanager
def probing():
    token = _probing.set(True)
    try:
        yield
    finally:
        _probing.reset(token)


def in_probe():
    return _probing.get()
