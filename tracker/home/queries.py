"""What each role's home page lists: a few rows of each item and its total.

Every list is one statement: the total rides along as a window count, so a
home page costs the same number of queries however much waits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import (
    Attendance,
    Enrollment,
    Event,
    Municipality,
    Participation,
    Stage,
    StageChange,
    StageKind,
    Testimonial,
    TestimonialStatus,
)

SHOWN = 5
# An enrollment still working at a stage it entered this long ago needs a look.
QUIET_DAYS = 182


@dataclass
class Waiting:
    """The first rows of a list and how many it holds in all."""

    rows: list[Any] = field(default_factory=list)
    total: int = 0


def _first_with_total(query: Select, limit: int = SHOWN) -> Waiting:
    rows = db.session.execute(query.add_columns(func.count().over()).limit(limit)).all()
    if not rows:
        return Waiting()
    width = len(rows[0]) - 1
    return Waiting(
        [row[0] if width == 1 else tuple(row[:width]) for row in rows], rows[0][-1]
    )


def review_queue() -> Waiting:
    """Testimonials submitted for review, oldest first."""
    return _first_with_total(
        select(Testimonial)
        .where(Testimonial.status == TestimonialStatus.SUBMITTED)
        .options(joinedload(Testimonial.municipality))
        .order_by(Testimonial.submitted_at, Testimonial.id)
    )


def proposals() -> Waiting:
    """Participants municipal contacts proposed, still to be decided, by event date."""
    return _first_with_total(
        select(Participation)
        .join(Participation.event)
        .where(Participation.attendance == Attendance.PROPOSED)
        .options(
            joinedload(Participation.person),
            joinedload(Participation.event),
            joinedload(Participation.municipality),
        )
        .order_by(Event.starts_on, Participation.id)
    )


def quiet_enrollments(today: date) -> Waiting:
    """Working enrollments whose stage has not changed for six months: rows of
    (enrollment, date of the latest change), the quietest first."""
    since = (
        select(func.max(StageChange.effective_on))
        .where(StageChange.enrollment_id == Enrollment.id)
        .correlate(Enrollment)
        .scalar_subquery()
    )
    return _first_with_total(
        select(Enrollment, since)
        .join(Enrollment.current_stage)
        .where(
            Stage.kind == StageKind.WORKING,
            since < today - timedelta(days=QUIET_DAYS),
        )
        .options(
            joinedload(Enrollment.municipality),
            joinedload(Enrollment.program),
            joinedload(Enrollment.current_stage),
        )
        .order_by(since, Enrollment.id)
    )


def events_needing_attendance(today: date) -> Waiting:
    """This month's events, begun by today, with registered participants whose
    attendance is not marked yet: rows of (event, how many)."""
    unmarked = (
        select(func.count(Participation.id))
        .where(
            Participation.event_id == Event.id,
            Participation.attendance == Attendance.REGISTERED,
        )
        .correlate(Event)
        .scalar_subquery()
    )
    return _first_with_total(
        select(Event, unmarked)
        .where(
            Event.starts_on >= today.replace(day=1),
            Event.starts_on <= today,
            exists().where(
                Participation.event_id == Event.id,
                Participation.attendance == Attendance.REGISTERED,
            ),
        )
        .order_by(Event.starts_on, Event.id)
    )


def contact_municipality(municipality_id: int) -> Municipality | None:
    return db.session.scalar(
        select(Municipality)
        .where(Municipality.id == municipality_id)
        .options(joinedload(Municipality.country))
    )


def municipality_programs(municipality_id: int) -> list[Enrollment]:
    """The municipality's enrollments with program and stage, by program code."""
    return list(
        db.session.scalars(
            select(Enrollment)
            .where(Enrollment.municipality_id == municipality_id)
            .options(
                joinedload(Enrollment.program), joinedload(Enrollment.current_stage)
            )
            .join(Enrollment.program)
            .order_by(Enrollment.program_id)
        )
    )


def municipality_events(municipality_id: int, today: date) -> dict[str, Waiting]:
    """Events the municipality takes part in: coming ones (soonest first) and
    past ones (latest first)."""
    taking_part = Event.id.in_(
        select(Participation.event_id).where(
            Participation.municipality_id == municipality_id
        )
    )
    base = select(Event).where(taking_part).options(joinedload(Event.country))
    return {
        "coming": _first_with_total(
            base.where(Event.ends_on >= today).order_by(Event.starts_on, Event.id)
        ),
        "past": _first_with_total(
            base.where(Event.ends_on < today).order_by(
                Event.starts_on.desc(), Event.id.desc()
            )
        ),
    }


def municipality_testimonials(municipality_id: int) -> tuple[dict[str, int], Waiting]:
    """How many of the municipality's testimonials stand at each status, and
    the latest ones."""
    counts = dict(
        db.session.execute(
            select(Testimonial.status, func.count())
            .where(Testimonial.municipality_id == municipality_id)
            .group_by(Testimonial.status)
        ).all()
    )
    latest = _first_with_total(
        select(Testimonial)
        .where(Testimonial.municipality_id == municipality_id)
        .order_by(Testimonial.created_at.desc(), Testimonial.id.desc())
    )
    return {str(status): total for status, total in counts.items()}, latest
