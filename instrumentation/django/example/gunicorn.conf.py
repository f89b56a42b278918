"""gunicorn for the example project: several workers, prometheus_client multiprocess mode."""

import os

from civicpulse_monitoring.gunicorn import child_exit, on_starting  # noqa: F401  (gunicorn hooks)

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = 30
accesslog = None
wsgi_app = "civicpulse.wsgi:application"
