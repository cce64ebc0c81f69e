"""Enrollments of municipalities in programs, stage changes and assessments.

``bp`` lives in ``routes.py``; ``assessments.py`` and ``bulk.py`` add their
views to it.
"""

from tracker.enrollments import assessments, bulk
from tracker.enrollments.routes import bp

__all__ = ["assessments", "bp", "bulk"]
