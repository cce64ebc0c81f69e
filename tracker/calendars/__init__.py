"""Calendars: each event as an ``.ics`` download, the public events as a
feed, and a personal feed per user behind a secret, revocable address.

``bp`` lives in ``routes.py``; which events each feed holds in ``feeds.py``;
the iCalendar writing itself in ``tracker/events/calendar.py`` (shared with
the invitations).
"""

from tracker.calendars.routes import bp

__all__ = ["bp"]
