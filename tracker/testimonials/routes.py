"""Testimonials: submission, review and the public page."""

from flask import Blueprint

bp = Blueprint("testimonials", __name__, url_prefix="/testimonials")
