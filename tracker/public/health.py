"""A liveness check for load balancers (and the benchmark's trivial route)."""

from flask import Response

from tracker.auth.permissions import public
from tracker.public.routes import bp


@bp.route("/health")
@public
def health():
    """Answer 200 "ok" without touching the database."""
    return Response("ok\n", mimetype="text/plain")
