"""Enrollments, stage changes and assessments."""

from flask import Blueprint

bp = Blueprint("enrollments", __name__, url_prefix="/enrollments")
