"""Notifications: what a change makes someone need to know, in the app and
through any other channel added to ``services.add_channel``."""

from tracker.notifications.routes import bp
from tracker.notifications.services import init_app

__all__ = ["bp", "init_app"]
