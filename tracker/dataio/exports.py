"""CSV and XLSX exports of every list's current filtered view (staff only).

Each export reuses the list's own ``filtered_<things>(args)`` query, so a
download holds exactly what the page shows, on every page at once. Rows are
fetched in batches and streamed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from flask import Blueprint, abort, request
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from tracker.auth.permissions import STAFF, role_required
from tracker.dataio.kinds import (
    KINDS,
    municipality_row,
    person_row,
)
from tracker.dataio.tabular import tabular_response
from tracker.events.queries import filtered_events
from tracker.extensions import db
from tracker.lists import choice_arg, int_arg
from tracker.models import (
    Attendance,
    Country,
    Enrollment,
    Event,
    Municipality,
    Participation,
    Person,
    Testimonial,
)
from tracker.municipalities.queries import filtered_municipalities, filtered_people
from tracker.programs.queries import filtered_enrollments
from tracker.testimonials.queries import filtered_testimonials

bp = Blueprint("exports", __name__)

FORMATS = ("csv", "xlsx")
BATCH = 1000


def _rows(query: Select, to_row: Callable[[Any], tuple] | None) -> Iterator[tuple]:
    """The export's rows in batches: ``to_row`` of each record, or, without it,
    the query's own columns (already the file's)."""
    result = db.session.execute(query.execution_options(yield_per=BATCH))
    if to_row is None:
        yield from result
        return
    for record in result.scalars():
        yield to_row(record)


def _respond(fmt: str, stem: str, header, query: Select, to_row=None):
    if fmt not in FORMATS:
        abort(404)
    return tabular_response(fmt, stem, header, _rows(query, to_row))


EVENT_COLUMNS = (
    "id",
    "title",
    "kind",
    "starts_on",
    "ends_on",
    "city",
    "country",
    "venue",
    "organisers",
    "program",
    "public",
)


def event_row(event: Event) -> tuple:
    return (
        event.id,
        event.title,
        event.kind,
        event.starts_on,
        event.ends_on,
        event.city,
        event.country.code if event.country else "",
        event.venue,
        event.organisers,
        event.program.code if event.program else "",
        event.is_public,
    )


@bp.route("/events/export.<fmt>")
@role_required(*STAFF)
def events(fmt: str):
    """The event list, as filtered on the page, as CSV or XLSX."""
    return _respond(
        fmt, "events", EVENT_COLUMNS, filtered_events(request.args), event_row
    )


def filtered_participations(args) -> Select:
    """Participations (filters: event, municipality, attendance) in the columns of
    the import file (``KINDS["participations"]``), as plain rows.

    One joined query streamed in batches, not ORM objects: an export of every
    participation builds no object per row and no second query per batch.
    """
    event_country = aliased(Country)
    home_country = aliased(Country)
    query = (
        select(
            Event.title,
            Event.kind,
            Event.starts_on,
            Event.ends_on,
            Event.city,
            event_country.code,
            Person.full_name,
            Person.email,
            Person.position,
            Municipality.name,
            home_country.code,
            Participation.role,
            Participation.presentation_title,
            Participation.attendance,
        )
        .select_from(Participation)
        .join(Participation.event)
        .outerjoin(event_country, event_country.id == Event.country_id)
        .join(Participation.person)
        .outerjoin(Participation.municipality)
        .outerjoin(home_country, home_country.id == Municipality.country_id)
    )
    if (event_id := int_arg(args, "event")) is not None:
        query = query.where(Participation.event_id == event_id)
    if (municipality_id := int_arg(args, "municipality")) is not None:
        query = query.where(Participation.municipality_id == municipality_id)
    if attendance := choice_arg(args, "attendance", [a.value for a in Attendance]):
        query = query.where(Participation.attendance == Attendance(attendance))
    return query.order_by(Participation.id)


@bp.route("/events/participations/export.<fmt>")
@role_required(*STAFF)
def participations(fmt: str):
    """Participations (filters: event, municipality, attendance), importable again."""
    return _respond(
        fmt,
        "participations",
        KINDS["participations"].columns,
        filtered_participations(request.args),
    )


@bp.route("/municipalities/export.<fmt>")
@role_required(*STAFF)
def municipalities(fmt: str):
    """The municipality list, as filtered, in the import file's columns."""
    query = filtered_municipalities(request.args, current_user)
    return _respond(
        fmt, "municipalities", KINDS["municipalities"].columns, query, municipality_row
    )


@bp.route("/people/export.<fmt>")
@role_required(*STAFF)
def people(fmt: str):
    """The people list, as filtered, in the import file's columns."""
    return _respond(
        fmt,
        "people",
        KINDS["people"].columns,
        filtered_people(request.args, current_user),
        person_row,
    )


TESTIMONIAL_COLUMNS = (
    "id",
    "status",
    "featured",
    "quote",
    "author_name",
    "author_position",
    "municipality",
    "country",
    "program",
    "event",
    "submitted_at",
    "reviewed_at",
    "review_note",
)


def testimonial_row(testimonial: Testimonial) -> tuple:
    return (
        testimonial.id,
        testimonial.status,
        testimonial.is_featured,
        testimonial.quote,
        testimonial.author_name,
        testimonial.author_position,
        testimonial.municipality.name,
        testimonial.municipality.country.code,
        testimonial.program.code if testimonial.program else "",
        testimonial.event.title if testimonial.event else "",
        testimonial.submitted_at,
        testimonial.reviewed_at,
        testimonial.review_note,
    )


@bp.route("/testimonials/export.<fmt>")
@role_required(*STAFF)
def testimonials(fmt: str):
    """The testimonial list, as filtered (status, program, event, country, q)."""
    query = filtered_testimonials(request.args, current_user)
    return _respond(fmt, "testimonials", TESTIMONIAL_COLUMNS, query, testimonial_row)


ENROLLMENT_COLUMNS = (
    "id",
    "municipality",
    "country",
    "program",
    "cohort",
    "stage",
    "stage_since",
    "applied_on",
    "notes",
)


def enrollment_row(enrollment: Enrollment) -> tuple:
    return (
        enrollment.id,
        enrollment.municipality.name,
        enrollment.municipality.country.code,
        enrollment.program.code,
        enrollment.cohort.name if enrollment.cohort else "",
        enrollment.current_stage.name,
        enrollment.current_since,
        enrollment.applied_on,
        enrollment.notes,
    )


@bp.route("/enrollments/export.<fmt>")
@role_required(*STAFF)
def enrollments(fmt: str):
    """The enrollment list, as filtered (program, stage, country, cohort, year, q)."""
    query = filtered_enrollments(request.args, current_user)
    return _respond(fmt, "enrollments", ENROLLMENT_COLUMNS, query, enrollment_row)
