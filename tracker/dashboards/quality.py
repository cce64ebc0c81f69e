"""Data-quality checks: records that need someone's attention, counted and listed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    exists,
    func,
    or_,
    select,
)

from tracker.dashboards.filters import Filters
from tracker.dashboards.queries import (
    enrollments,
    event_touches_country,
    municipalities_in,
    program_id_of,
)
from tracker.extensions import db
from tracker.models import (
    Attendance,
    Country,
    Enrollment,
    Event,
    Municipality,
    Participation,
    Person,
    Program,
    Stage,
    StageChange,
    StageKind,
    Testimonial,
    TestimonialStatus,
)
from tracker.translation import lazy_gettext as _l

STALE_ENROLLMENT_MONTHS = 12


REVIEW_OVERDUE_DAYS = 14


def _stale_cutoff(today: date) -> date:
    try:
        return today.replace(year=today.year - STALE_ENROLLMENT_MONTHS // 12)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


def _review_cutoff(filters: Filters) -> datetime:
    return filters.now - timedelta(days=REVIEW_OVERDUE_DAYS)


def _has_person() -> ColumnElement[bool]:
    return exists().where(Person.municipality_id == Municipality.id)


def municipalities_missing_contact(filters: Filters, *columns: Any) -> Select:
    """Municipalities with nobody acting for them, or no contact e-mail.

    With a program filter, only the municipalities enrolled in it.
    """
    query = (
        select(*columns)
        .select_from(Municipality)
        .where(or_(~_has_person(), Municipality.email == ""))
    )
    if filters.country:
        query = query.where(Municipality.id.in_(municipalities_in(filters.country)))
    if filters.program:
        query = query.where(
            Municipality.id.in_(
                select(Enrollment.municipality_id).where(
                    Enrollment.program_id == program_id_of(filters.program)
                )
            )
        )
    return query


def _last_change_on() -> ColumnElement[date]:
    return (
        select(func.max(StageChange.effective_on))
        .where(StageChange.enrollment_id == Enrollment.id)
        .correlate(Enrollment)
        .scalar_subquery()
    )


def stale_enrollments(filters: Filters, *columns: Any) -> Select:
    """Enrollments still in progress whose stage has not changed for 12 months."""
    last_change = func.coalesce(_last_change_on(), Enrollment.applied_on, type_=Date)
    return (
        enrollments(filters, *columns, years=False)
        .join(Stage, Stage.id == Enrollment.current_stage_id)
        .where(Stage.kind == StageKind.WORKING)
        .where(or_(last_change.is_(None), last_change < _stale_cutoff(filters.today)))
    )


def _registered(event_id: ColumnElement[int]) -> Select:
    return select(func.count(Participation.id)).where(
        Participation.event_id == event_id,
        Participation.attendance == Attendance.REGISTERED,
    )


def events_with_registered(filters: Filters, *columns: Any) -> Select:
    """Past events with participants still marked "registered"."""
    still_registered = exists().where(
        Participation.event_id == Event.id,
        Participation.attendance == Attendance.REGISTERED,
    )
    query = (
        select(*columns)
        .select_from(Event)
        .where(Event.ends_on < filters.today, still_registered)
    )
    if filters.program:
        query = query.where(
            Event.program_id.in_(
                select(Program.id).where(Program.code == filters.program)
            )
        )
    if filters.country:
        query = query.where(event_touches_country(filters.country))
    return query


def overdue_testimonials(filters: Filters, *columns: Any) -> Select:
    """Testimonials waiting for review for more than 14 days."""
    query = (
        select(*columns)
        .select_from(Testimonial)
        .where(
            Testimonial.status == TestimonialStatus.SUBMITTED,
            Testimonial.submitted_at < _review_cutoff(filters),
        )
    )
    if filters.program:
        query = query.where(Testimonial.program_id == program_id_of(filters.program))
    if filters.country:
        query = query.where(
            Testimonial.municipality_id.in_(municipalities_in(filters.country))
        )
    return query


DATA_QUALITY_CHECKS: dict[str, tuple[str, Callable[..., Select]]] = {
    "municipalities_missing_contact": (
        _l("Municipalities with no contact person or e-mail"),
        municipalities_missing_contact,
    ),
    "stale_enrollments": (
        _l("Enrollments with no stage change for 12 months"),
        stale_enrollments,
    ),
    "events_with_registered": (
        _l("Past events with participants still “registered”"),
        events_with_registered,
    ),
    "overdue_testimonials": (
        _l("Testimonials waiting for review for more than 14 days"),
        overdue_testimonials,
    ),
}


# Each check's count: its select over the check's own key column.
_DATA_QUALITY_KEYS = {
    "municipalities_missing_contact": Municipality.id,
    "stale_enrollments": Enrollment.id,
    "events_with_registered": Event.id,
    "overdue_testimonials": Testimonial.id,
}


def data_quality_counts(filters: Filters) -> dict[str, Select]:
    return {
        name: check(filters, func.count(_DATA_QUALITY_KEYS[name]))
        for name, (_, check) in DATA_QUALITY_CHECKS.items()
    }


DATA_QUALITY_LIMIT = 100


def data_quality_lists(
    filters: Filters, limit: int = DATA_QUALITY_LIMIT
) -> dict[str, list[Any]]:
    """The records each data-quality check finds (first ``limit`` of each)."""
    total = func.count().over().label("total")
    registered = _registered(Event.id).correlate(Event).scalar_subquery()
    last_change = func.coalesce(_last_change_on(), Enrollment.applied_on, type_=Date)
    queries = {
        "municipalities_missing_contact": municipalities_missing_contact(
            filters,
            Municipality.id,
            Municipality.name,
            Country.name.label("country"),
            _has_person().label("has_person"),
            (Municipality.email != "").label("has_email"),
            total,
        )
        .join(Country, Country.id == Municipality.country_id)
        .order_by(Country.name, Municipality.name),
        "stale_enrollments": stale_enrollments(
            filters,
            Enrollment.id,
            Municipality.name.label("municipality"),
            Program.code.label("program"),
            Stage.name.label("stage"),
            last_change.label("last_change_on"),
            total,
        )
        .join(Municipality, Municipality.id == Enrollment.municipality_id)
        .join(Program, Program.id == Enrollment.program_id)
        .order_by(last_change.asc(), Enrollment.id),
        "events_with_registered": events_with_registered(
            filters,
            Event.id,
            Event.title,
            Event.ends_on,
            registered.label("registered"),
            total,
        ).order_by(Event.ends_on, Event.id),
        "overdue_testimonials": overdue_testimonials(
            filters,
            Testimonial.id,
            Testimonial.author_name,
            Municipality.name.label("municipality"),
            Testimonial.submitted_at,
            total,
        )
        .join(Municipality, Municipality.id == Testimonial.municipality_id)
        .order_by(Testimonial.submitted_at, Testimonial.id),
    }
    return {
        name: list(db.session.execute(query.limit(limit)))
        for name, query in queries.items()
    }
