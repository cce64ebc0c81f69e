"""What an operator watches: request logs, Prometheus metrics, readiness.

Every request gets an id: the one nginx passes in ``X-Request-ID`` when it is
well-formed, otherwise a fresh one. The id comes back in the response's
``X-Request-ID`` and in the request's one JSON log line on the
``tracker.requests`` logger. That line holds no personal data and no secret:
no query string (searches name people), no cookie or ``Authorization``
header, no e-mail, no client address, and a path whose URL carries a token
is logged as its route (``/auth/set-password/<token>``).

Metrics use ``prometheus_client``. Under gunicorn every worker is its own
process: ``PROMETHEUS_MULTIPROC_DIR`` (set by ``deploy/gunicorn.conf.py``)
makes each worker write its figures there and ``/metrics`` add them up. The
endpoint answers only clients in ``METRICS_ALLOW_FROM`` (networks, comma
separated; loopback by default) and 404 to everybody else. Behind nginx the
client address is the one ``ProxyFix`` took from ``X-Forwarded-For``
(``TRACKER_PROXY_HOPS``), so the real client decides, never the proxy.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.exc import SQLAlchemyError

from tracker.extensions import db

request_log = logging.getLogger("tracker.requests")

# nginx's $request_id is 32 hex digits; a client-chosen id is taken only when
# it cannot carry anything into a log line but itself.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")
# URL parts that are secrets: such a path is logged as its route.
SECRET_VIEW_ARGS = frozenset({"token"})
DEFAULT_METRICS_ALLOW_FROM = "127.0.0.0/8,::1/128"

REQUESTS = Counter(
    "tracker_http_requests",
    "Requests answered, by endpoint, method and status.",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "tracker_http_request_duration_seconds",
    "Time from the request's arrival in Flask to its response, by endpoint.",
    ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
# Pool figures as each worker last saw them; summed over live workers.
POOL = {
    name: Gauge(
        f"tracker_db_pool_{name}",
        text,
        multiprocess_mode="livesum",
    )
    for name, text in {
        "size": "Connections the pool keeps open at most without overflow.",
        "checked_out": "Connections lent to requests right now.",
        "overflow": "Connections opened beyond the pool's size right now.",
    }.items()
}


def init_app(app: Flask) -> None:
    """Request ids, one log line and the metrics for every request."""
    app.config.setdefault("REQUEST_LOG", True)
    app.config.setdefault("METRICS_ALLOW_FROM", DEFAULT_METRICS_ALLOW_FROM)
    app.extensions["metrics_allow_from"] = parse_networks(
        app.config["METRICS_ALLOW_FROM"]
    )
    if app.config["REQUEST_LOG"] and not request_log.handlers:
        handler = StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        request_log.addHandler(handler)
        request_log.setLevel(logging.INFO)
        # The line is already JSON: the root logger's format would wrap it.
        request_log.propagate = False
    app.before_request(_start)
    app.after_request(_finish)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (gunicorn, pytest)."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        """The stream is always the current ``sys.stderr``."""


def parse_networks(
    setting: str,
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """``"127.0.0.1, 10.0.0.0/8"`` as networks; a bad entry fails at start."""
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False)
        for part in setting.split(",")
        if part.strip()
    )


def _start() -> None:
    g.request_started = time.perf_counter()
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _finish(response: Response) -> Response:
    started = g.get("request_started")
    if started is None:  # a request refused before our hook ran
        return response
    seconds = time.perf_counter() - started
    endpoint = request.endpoint or "none"
    status = response.status_code
    response.headers["X-Request-ID"] = g.request_id
    REQUESTS.labels(endpoint, request.method, str(status)).inc()
    LATENCY.labels(endpoint, request.method).observe(seconds)
    _observe_pool()
    if current_app.config["REQUEST_LOG"]:
        request_log.info(
            json.dumps(
                {
                    "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                    "request_id": g.request_id,
                    "method": request.method,
                    "path": _loggable_path(),
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                    "endpoint": endpoint,
                },
                ensure_ascii=True,
            )
        )
    return response


def _loggable_path() -> str:
    rule = request.url_rule
    if rule is not None and SECRET_VIEW_ARGS & set(request.view_args or ()):
        return rule.rule
    # Werkzeug decodes %XX: control characters must not split the line
    # (json.dumps escapes them, this keeps the line short as well).
    return request.path[:300]


def _observe_pool() -> None:
    # The test suite binds the session to one connection (no pool); SQLite's
    # pools have no size: only a QueuePool has figures.
    pool = getattr(db.engines.get(None), "pool", None)
    if not callable(getattr(pool, "size", None)):
        return
    POOL["size"].set(pool.size())  # type: ignore[union-attr]
    POOL["checked_out"].set(pool.checkedout())  # type: ignore[union-attr]
    POOL["overflow"].set(max(pool.overflow(), 0))  # type: ignore[union-attr]


def metrics_allowed() -> bool:
    """Is the client (as ``ProxyFix`` resolved it) on the metrics allow-list?"""
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(
        address in network for network in current_app.extensions["metrics_allow_from"]
    )


def metrics_response() -> Response:
    """Every worker's figures (multi-process mode) or this process's."""
    if not metrics_allowed():
        abort(404)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    body += _outbox_metrics()
    response = Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0])
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    response.headers["Cache-Control"] = "no-store"
    return response


# Outbox messages by status, read from the database at each scrape (every
# worker and instance shares the one table): waiting (pending, sending) and
# failed for good (dead, waiting for an administrator).
OUTBOX_STATUSES = ("pending", "sending", "dead")


class _OutboxCollector:
    def collect(self):
        from tracker.outbox.worker import queue_counts

        family = GaugeMetricFamily(
            "tracker_outbox_messages",
            "Outbox messages waiting to be sent (pending, sending) or failed "
            "for good (dead), by status.",
            labels=["status"],
        )
        try:
            counts = queue_counts()
        except SQLAlchemyError:
            current_app.logger.exception("metrics: the outbox cannot be counted")
            db.session.rollback()
            return
        for status in OUTBOX_STATUSES:
            family.add_metric([status], counts[status])
        yield family


def _outbox_metrics() -> bytes:
    registry = CollectorRegistry()
    registry.register(_OutboxCollector())
    return generate_latest(registry)


def readiness() -> tuple[bool, dict[str, str]]:
    """Can this instance serve: does the database answer, and Redis if used?"""
    from sqlalchemy import text

    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:  # any failure means "not ready"; the log says which
        current_app.logger.exception("readiness: the database does not answer")
        checks["database"] = "unavailable"
    finally:
        db.session.rollback()
    storage = current_app.config.get("RATELIMIT_STORAGE_URI", "memory://")
    if storage.startswith(("redis://", "rediss://")):
        checks["redis"] = "ok" if _redis_answers(storage) else "unavailable"
    return all(value == "ok" for value in checks.values()), checks


def _redis_answers(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        current_app.logger.warning("readiness: Redis does not answer")
        return False
    finally:
        client.close()
