"""Read-only aggregate queries behind the dashboard, ``/api/v1/stats`` and open data.

Every figure is one aggregate ``select()`` that returns plain rows; nothing
here loads ORM objects row by row, so the cost of a page does not grow with
the data. The scalar figures run together as scalar subqueries of a single
statement, and each chart is built from one grouped query, so the whole
dashboard takes a fixed number of round trips.

What the filters select (shown on the page under "How the figures are counted"):

- program: enrollments in it; events and trainings linked to it; testimonials
  about it.
- country: enrollments and participations of its municipalities; events held
  in it or with participants from it; testimonials of its municipalities.
- years (``from``/``to``, inclusive): enrollments that started in them (the
  applied date, or else the first stage change); stage changes, events and
  participations dated in them; testimonials submitted in them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    cast,
    exists,
    extract,
    func,
    or_,
    select,
)

from tracker.dashboards.filters import Filters
from tracker.models import (
    Attendance,
    Country,
    Enrollment,
    Event,
    Municipality,
    Participation,
    Program,
    StageChange,
    Testimonial,
)

# --- Filters and reference data -------------------------------------------


# --- Shared query pieces ----------------------------------------------------


def enrollment_started_on() -> ColumnElement[date]:
    """When an enrollment started: its applied date, or else its first stage change."""
    first_change = (
        select(func.min(StageChange.effective_on))
        .where(StageChange.enrollment_id == Enrollment.id)
        .correlate(Enrollment)
        .scalar_subquery()
    )
    return func.coalesce(Enrollment.applied_on, first_change, type_=Date)


def year_of(column: ColumnElement[Any]) -> ColumnElement[int]:
    return cast(extract("year", column), Integer)


def in_years(column: ColumnElement[Any], filters: Filters) -> list[ColumnElement]:
    conditions = []
    if filters.first_day:
        conditions.append(column >= filters.first_day)
    if filters.last_day:
        conditions.append(column <= filters.last_day)
    return conditions


def in_years_at(column: ColumnElement[Any], filters: Filters) -> list[ColumnElement]:
    """Year bounds for a timestamp column (UTC)."""
    conditions = []
    if filters.year_from:
        conditions.append(column >= datetime(filters.year_from, 1, 1, tzinfo=UTC))
    if filters.year_to:
        conditions.append(column < datetime(filters.year_to + 1, 1, 1, tzinfo=UTC))
    return conditions


def program_id_of(code: str) -> ColumnElement[int]:
    """The id of the program with ``code`` (NULL when there is none)."""
    return select(Program.id).where(Program.code == code).scalar_subquery()


def municipalities_in(country_code: str) -> Select:
    """The ids of the municipalities of a country, by its ISO code."""
    return (
        select(Municipality.id)
        .join(Country, Country.id == Municipality.country_id)
        .where(Country.code == country_code)
    )


def enrollments(filters: Filters, *columns: Any, years: bool = True) -> Select:
    """``select(*columns)`` over the enrollments the filters select.

    Filters by ids (subqueries), joining nothing: a count reads the
    enrollment table alone. Callers join ``with_places`` or Program for the
    columns they show; ``years=False`` leaves the year range to the caller
    (stage changes are dated by their own date).
    """
    query = select(*columns).select_from(Enrollment)
    if filters.program:
        query = query.where(Enrollment.program_id == program_id_of(filters.program))
    if filters.country:
        query = query.where(
            Enrollment.municipality_id.in_(municipalities_in(filters.country))
        )
    if years:
        query = query.where(*in_years(enrollment_started_on(), filters))
    return query


def with_places(query: Select, municipality_id: ColumnElement[int]) -> Select:
    """Join the municipality of ``municipality_id`` and its country (outer: a
    participation may represent none)."""
    return query.outerjoin(Municipality, Municipality.id == municipality_id).outerjoin(
        Country, Country.id == Municipality.country_id
    )


def participations(filters: Filters, *columns: Any) -> Select:
    """``select(*columns)`` over attended participations the filters select.

    Years and program select the events (a subquery), the country the
    municipalities represented; nothing is joined, so a count reads the
    participation table (or one of its indexes) alone.
    """
    query = (
        select(*columns)
        .select_from(Participation)
        .where(Participation.attendance == Attendance.ATTENDED)
    )
    events_chosen = [*in_years(Event.starts_on, filters)]
    if filters.program:
        events_chosen.append(Event.program_id == program_id_of(filters.program))
    if events_chosen:
        query = query.where(
            Participation.event_id.in_(select(Event.id).where(*events_chosen))
        )
    if filters.country:
        query = query.where(
            Participation.municipality_id.in_(municipalities_in(filters.country))
        )
    return query


def event_touches_country(country_code: str) -> ColumnElement[bool]:
    """Held in the country, or with participants from its municipalities."""
    held_there = exists().where(
        Country.id == Event.country_id, Country.code == country_code
    )
    participant_from = (
        select(Participation.id)
        .join(Municipality, Municipality.id == Participation.municipality_id)
        .join(Country, Country.id == Municipality.country_id)
        .where(Participation.event_id == Event.id, Country.code == country_code)
        .exists()
    )
    return or_(held_there, participant_from)


def events(filters: Filters, *columns: Any, public_only: bool = False) -> Select:
    """``select(*columns)`` over the events the filters select (held or not)."""
    query = (
        select(*columns).select_from(Event).where(*in_years(Event.starts_on, filters))
    )
    if filters.program:
        query = query.where(
            Event.program_id.in_(
                select(Program.id).where(Program.code == filters.program)
            )
        )
    if filters.country:
        query = query.where(event_touches_country(filters.country))
    if public_only:
        query = query.where(Event.is_public)
    return query


def testimonials(filters: Filters, *columns: Any) -> Select:
    """``select(*columns)`` over the testimonials the filters select (no joins)."""
    query = (
        select(*columns)
        .select_from(Testimonial)
        .where(
            *in_years_at(
                func.coalesce(Testimonial.submitted_at, Testimonial.created_at),
                filters,
            )
        )
    )
    if filters.program:
        query = query.where(Testimonial.program_id == program_id_of(filters.program))
    if filters.country:
        query = query.where(
            Testimonial.municipality_id.in_(municipalities_in(filters.country))
        )
    return query


# --- Scalar figures -------------------------------------------------------


# --- Data quality -----------------------------------------------------------


# --- Running scalar figures together --------------------------------------


# --- Grouped queries behind the charts ------------------------------------


# --- Data-quality lists -----------------------------------------------------


# --- Public figures and open data -----------------------------------------


def public_events(*columns: Any) -> Select:
    """The public event list, newest first."""
    return (
        select(*columns)
        .select_from(Event)
        .outerjoin(Country, Country.id == Event.country_id)
        .outerjoin(Program, Program.id == Event.program_id)
        .where(Event.is_public)
        .order_by(Event.starts_on.desc(), Event.id)
    )
