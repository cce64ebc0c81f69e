"""Notifications: what a change makes someone need to know, in the app and
through any other channel added to ``services.add_channel``."""

from tracker.notifications.routes import bp

__all__ = ["bp"]
