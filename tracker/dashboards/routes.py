"""The managers' dashboard."""

from flask import Blueprint

bp = Blueprint("dashboards", __name__, url_prefix="/dashboard")
