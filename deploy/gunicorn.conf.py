"""gunicorn settings for UPP Tracker: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

Every value can be overridden from the environment (the systemd unit sets
them) or on the command line (``-b``, ``-w``), which wins over this file.

- Workers and threads from the cores: ``2 * cores + 1`` processes is
  gunicorn's rule for sync workers; we run ``cores + 1`` processes with
  ``GUNICORN_THREADS`` threads each (gthread), so a request waiting on
  PostgreSQL or Redis does not hold a whole process.
- Timeouts: a worker silent for ``GUNICORN_TIMEOUT`` seconds is killed and
  replaced; ``graceful_timeout`` lets requests in flight finish on reload or
  stop; ``keepalive`` is short because nginx, not browsers, talks to us.
- Graceful reload: ``systemctl reload upp-tracker`` sends SIGHUP: new workers
  start with the new code and configuration and the old ones finish their
  requests first (the master keeps the listening socket: no refused
  connection). ``max_requests`` recycles workers now and then.
- Prometheus multi-process mode: each worker writes its metrics into
  ``PROMETHEUS_MULTIPROC_DIR`` and ``/metrics`` adds them up; the directory
  is emptied when the master starts and a dead worker's gauges are dropped.
"""

import os
import shutil
import tempfile
from pathlib import Path

cores = os.cpu_count() or 1

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", cores + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 5000))
max_requests_jitter = max_requests // 10
# The app writes one JSON line per request (tracker.observability): no
# second, unstructured access log.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# nginx on the same host is the only client: X-Forwarded-* are read by the
# app's ProxyFix (TRACKER_PROXY_HOPS), not by gunicorn.
forwarded_allow_ips = "127.0.0.1,::1"
proxy_allow_ips = "127.0.0.1,::1"
# Load the app in each worker, not the master: a reload (SIGHUP) then picks
# up new code, and no database connection is shared across a fork.
preload_app = False

# prometheus_client reads the variable when it is imported (in the workers),
# so it is set here, in the master, before any worker starts.
os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR",
    str(Path(tempfile.gettempdir()) / f"upp-tracker-metrics-{os.getpid()}"),
)


def on_starting(server):
    """Start with an empty metrics directory: old workers' files would count."""
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    """Drop a dead worker's live gauges (pool figures) from the totals."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
