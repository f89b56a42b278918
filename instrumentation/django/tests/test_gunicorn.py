"""The package under gunicorn with two workers: metrics from every worker on one scrape."""

import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

EXAMPLE = pathlib.Path(__file__).resolve().parent.parent / "example"
PACKAGE = EXAMPLE.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=5) as r:
        return r.read().decode()


@pytest.fixture
def gunicorn(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "1",
        "CIVICPULSE_TRACING": "0",
        "PYTHONPATH": os.pathsep.join([str(PACKAGE), str(EXAMPLE)]),
    }
    gunicorn_bin = pathlib.Path(sys.executable).parent / "gunicorn"
    proc = subprocess.Popen(
        [str(gunicorn_bin), "-c", str(EXAMPLE / "gunicorn.conf.py"), "--chdir", str(EXAMPLE)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            get(f"{base}/health/live/")
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"gunicorn did not start: {proc.stdout.read().decode()[-3000:]}")
            time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def total(body, name, labels):
    for family in text_string_to_metric_families(body):
        for s in family.samples:
            if s.name == name and s.labels == labels:
                return s.value
    return None


def test_two_workers_one_scrape(gunicorn):
    pids = set()
    deadline = time.monotonic() + 20
    n = 0
    # Separate connections spread over both workers; stop once both have answered (bounded).
    while (len(pids) < 2 or n < 40) and time.monotonic() < deadline:
        get(f"{gunicorn}/api/reports/")
        pids.add(get(f"{gunicorn}/health/live/"))
        n += 1
    assert len(pids) == 2, f"only one worker answered: {pids}"
    body = get(f"{gunicorn}/metrics/")
    assert total(body, "civicpulse_requests_total", {"method": "GET", "path": "/api/reports/", "status": "200"}) == n
    # Zero-initialised series survive aggregation; no _created in multiprocess mode either.
    assert total(body, "civicpulse_security_violations_total", {"violation": "csrf"}) == 0
    assert [s.name for f in text_string_to_metric_families(body) for s in f.samples if s.name.endswith("_created")] == []
    # The scrape's Host header is the container alias in production: admitted by ALLOWED_HOSTS.
    assert "civicpulse_requests_total" in get(f"{gunicorn}/metrics/", {"Host": "civicpulse-web:8000"})
