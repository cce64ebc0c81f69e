"""Retention: people inactive for longer than the configured period are
anonymised the way an erasure does it, so every total stays the same.

A person's last activity is the latest of: the end of an event they took
part in, a testimonial of theirs, a sign-in of their account. A person with
none of these counts from when their record was created. People erased
already are skipped, so a run is idempotent and safe to repeat daily.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Erasure, Event, Participation, Person, Testimonial, User
from tracker.privacy.erasure import erase_people

RETENTION_LABEL = "retention"


@dataclass(frozen=True)
class Due:
    person: Person
    last_active_on: date


def retention_years() -> int | None:
    years = current_app.config.get("RETENTION_YEARS")
    return int(years) if years else None


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _as_date(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


def last_activity() -> dict[int, date]:
    """Each person's (not erased) last activity, by person id."""
    latest: dict[int, date] = {}

    def keep(person_id: int | None, value) -> None:
        value = _as_date(value)
        if person_id is None or value is None:
            return
        if person_id not in latest or value > latest[person_id]:
            latest[person_id] = value

    for person_id, ends_on in db.session.execute(
        select(Participation.person_id, func.max(Event.ends_on))
        .join(Event, Event.id == Participation.event_id)
        .group_by(Participation.person_id)
    ):
        keep(person_id, ends_on)
    for person_id, created_at in db.session.execute(
        select(Testimonial.person_id, func.max(Testimonial.created_at))
        .where(Testimonial.person_id.is_not(None))
        .group_by(Testimonial.person_id)
    ):
        keep(person_id, created_at)
    for person_id, login_at in db.session.execute(
        select(User.person_id, func.max(User.last_login_at))
        .where(User.person_id.is_not(None))
        .group_by(User.person_id)
    ):
        keep(person_id, login_at)
    erased = select(Erasure.person_id)
    activity: dict[int, date] = {}
    for person_id, created_at in db.session.execute(
        select(Person.id, Person.created_at).where(Person.id.not_in(erased))
    ):
        activity[person_id] = latest.get(person_id) or _as_date(created_at)
    return activity


def due_people(today: date | None = None) -> list[Due]:
    """People whose last activity is older than the retention period."""
    years = retention_years()
    if years is None:
        return []
    cutoff = years_before(today or date.today(), years)
    due = {pid: day for pid, day in last_activity().items() if day < cutoff}
    if not due:
        return []
    people = db.session.scalars(
        select(Person).where(Person.id.in_(due)).order_by(Person.id)
    )
    return [Due(person, due[person.id]) for person in people]


def next_purge(today: date | None = None) -> tuple[date, int] | None:
    """The next day someone passes the period, and how many then."""
    years = retention_years()
    if years is None:
        return None
    today = today or date.today()
    cutoff = years_before(today, years)
    upcoming = [day for day in last_activity().values() if day >= cutoff]
    if not upcoming:
        return None
    first = min(upcoming)
    # Due once the cutoff (today minus the period) has passed their last day.
    return years_before(first, -years) + timedelta(days=1), upcoming.count(first)


def run_retention(today: date | None = None) -> list[Due]:
    """Anonymise everyone due; flushes (the caller commits)."""
    due = due_people(today)
    if due:
        erase_people([item.person for item in due], RETENTION_LABEL, "retention")
    return due
