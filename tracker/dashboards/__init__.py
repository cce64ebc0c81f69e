"""Dashboards for managers: figures, charts, data quality, /api/v1/stats."""

from tracker.dashboards.routes import bp

__all__ = ["bp"]
