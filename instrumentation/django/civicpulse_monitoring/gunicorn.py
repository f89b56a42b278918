"""gunicorn hooks for prometheus_client's multiprocess mode. In your gunicorn.conf.py:

    from civicpulse_monitoring.gunicorn import on_starting, child_exit  # noqa: F401

PROMETHEUS_MULTIPROC_DIR must be set in gunicorn's environment (before any worker imports
prometheus_client) to an empty folder the workers can write.
"""

import os
import shutil

from prometheus_client import multiprocess


def _dir():
    d = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not d:
        raise RuntimeError("PROMETHEUS_MULTIPROC_DIR is not set: with several workers each would serve only its own metrics")
    return d


def on_starting(server):
    """A fresh folder per server start: values of a previous run must not be summed in."""
    d = _dir()
    if os.path.isdir(d):
        for name in os.listdir(d):
            p = os.path.join(d, name)
            shutil.rmtree(p) if os.path.isdir(p) else os.unlink(p)
    else:
        os.makedirs(d)


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid)
