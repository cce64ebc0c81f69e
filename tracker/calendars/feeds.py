"""Which events a calendar feed holds, and finding a feed by its secret.

Feeds hold the events that are not over, and those that ended in the last
``RECENT_DAYS`` days, so that an event does not vanish from subscribers'
calendars the day after it ends.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import Attendance, CalendarFeed, Event, Participation, User

RECENT_DAYS = 30
FEED_LIMIT = 1000  # the newest events, should a feed ever grow that long


def _current(today: date | None = None) -> ColumnElement[bool]:
    return Event.ends_on >= (today or date.today()) - timedelta(days=RECENT_DAYS)


def _events(*criteria: ColumnElement[bool]) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(_current(), *criteria)
            .options(joinedload(Event.country))
            .order_by(Event.starts_on.desc(), Event.id.desc())
            .limit(FEED_LIMIT)
        )
    )


def public_events() -> list[Event]:
    """The public feed: what ``/events/public`` lists, current events only."""
    return _events(Event.is_public.is_(True))


def events_of(user: User) -> list[Event]:
    """A user's own feed: every event for staff; for others, the events their
    municipality or their own person takes part in (not cancelled)."""
    if user.is_staff:
        return _events()
    takes_part = []
    if user.municipality_id is not None:
        takes_part.append(Participation.municipality_id == user.municipality_id)
    if user.person_id is not None:
        takes_part.append(Participation.person_id == user.person_id)
    if not takes_part:
        return []
    return _events(
        Event.id.in_(
            select(Participation.event_id).where(
                or_(*takes_part), Participation.attendance != Attendance.CANCELLED
            )
        )
    )


def feed_of(user: User) -> CalendarFeed | None:
    return db.session.scalar(
        select(CalendarFeed).where(CalendarFeed.user_id == user.id)
    )


def feed_for_secret(secret: str) -> CalendarFeed | None:
    """The feed whose address carries ``secret``, if its user is still active."""
    if not secret or len(secret) > 100:
        return None
    feed = db.session.scalar(
        select(CalendarFeed)
        .where(CalendarFeed.token_hash == CalendarFeed.hash_secret(secret))
        .options(joinedload(CalendarFeed.user))
    )
    if feed is None or not feed.user.is_active:
        return None
    return feed
