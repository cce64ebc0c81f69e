"""Programs, their stages and cohorts."""

from flask import Blueprint

bp = Blueprint("programs", __name__, url_prefix="/programs")
