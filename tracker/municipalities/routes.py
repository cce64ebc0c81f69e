"""Countries and municipalities."""

from flask import Blueprint

bp = Blueprint("municipalities", __name__, url_prefix="/municipalities")
