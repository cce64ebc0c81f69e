"""Probes for load balancers and orchestrators, and the metrics endpoint.

``/health`` (also the benchmark's trivial route) and ``/health/live`` say the
process answers; ``/health/ready`` says it can serve: the database and, when
the rate limits count there, Redis answer. ``/metrics`` is for Prometheus,
from the allow-list only (``tracker.observability``).
"""

from flask import Response, jsonify

from tracker import observability
from tracker.permissions import public
from tracker.public.routes import bp


@bp.route("/health")
@public
def health():
    """Answer 200 "ok" without touching the database."""
    return Response("ok\n", mimetype="text/plain")


@bp.route("/health/live")
@public
def liveness():
    """Answer 200 while the worker runs, whatever the state of its services."""
    return Response("ok\n", mimetype="text/plain")


@bp.route("/health/ready")
@public
def readiness():
    """Answer 200 when the database (and Redis, if used) answer, else 503."""
    ready, checks = observability.readiness()
    response = jsonify(status="ready" if ready else "unavailable", checks=checks)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/metrics")
@public
def metrics():
    """Prometheus metrics, for clients on METRICS_ALLOW_FROM only (else 404)."""
    return observability.metrics_response()
