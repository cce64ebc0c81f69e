"""Signing in and out, passwords, permissions and rate limits."""

from tracker.auth.routes import bp

__all__ = ["bp"]
