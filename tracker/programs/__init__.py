"""Programs, their stages and cohorts, ILTP leaders and certificates."""

from tracker.programs.routes import bp

__all__ = ["bp"]
