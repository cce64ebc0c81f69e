"""CSV and XLSX exports of every list's current filtered view (staff only).

Each export reuses the list's own ``filtered_<things>(args)`` query, so a
download holds exactly what the page shows, on every page at once. Rows are
fetched in batches and streamed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from flask import Blueprint, abort, request
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from tracker.auth.permissions import STAFF, role_required
from tracker.dataio.kinds import KINDS, participation_row
from tracker.dataio.tabular import tabular_response
from tracker.events.queries import filtered_events
from tracker.extensions import db
from tracker.lists import choice_arg, int_arg
from tracker.models import Attendance, Event, Municipality, Participation

bp = Blueprint("exports", __name__)

FORMATS = ("csv", "xlsx")
BATCH = 1000


def _rows(query: Select, to_row: Callable[[Any], tuple]) -> Iterator[tuple]:
    for record in db.session.scalars(query.execution_options(yield_per=BATCH)):
        yield to_row(record)


def _respond(fmt: str, stem: str, header, query: Select, to_row):
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
    """Participations, optionally of one event or municipality or attendance."""
    query = select(Participation).options(
        selectinload(Participation.event).selectinload(Event.country),
        selectinload(Participation.person),
        selectinload(Participation.municipality).selectinload(Municipality.country),
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
        participation_row,
    )
