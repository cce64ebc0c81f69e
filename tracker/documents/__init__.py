"""Documents attached to records: presentations, strategies, reports, photos."""

from tracker.documents.routes import bp

__all__ = ["bp"]
