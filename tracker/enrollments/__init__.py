"""Enrollments of municipalities in programs, stage changes and assessments.

``bp`` lives in ``routes.py``; ``assessments.py`` adds its views to it.
"""

from tracker.enrollments import assessments
from tracker.enrollments.routes import bp

__all__ = ["assessments", "bp"]
