"""People who act for municipalities, and outside speakers and experts."""

from flask import Blueprint

bp = Blueprint("people", __name__, url_prefix="/people")
