"""JSON API under /api/v1 (read-only). One module per domain adds its routes."""

from tracker.api import events, openapi, places, programs, stats, testimonials  # noqa: F401
from tracker.api.core import bp

__all__ = ["bp"]
