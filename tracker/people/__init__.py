"""People who act for municipalities (and external speakers)."""

from tracker.people.routes import bp

__all__ = ["bp"]
