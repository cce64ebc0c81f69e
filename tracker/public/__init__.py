"""What everyone sees: the home page, open data, the liveness check."""

from tracker.public.routes import bp

__all__ = ["bp"]
