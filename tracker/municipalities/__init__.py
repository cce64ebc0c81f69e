"""Municipalities and countries: records, contact details, their API and demo data."""

from tracker.municipalities.routes import bp

__all__ = ["bp"]
