"""Enrollments of municipalities in programs, stage changes and assessments."""

from tracker.enrollments.routes import bp

__all__ = ["bp"]
