"""Events and their participations as CSV.

Events export as a list; a participation row names its event and its person.

Importing a row creates the event and the person when they do not exist
yet, so an export imported into an empty database recreates them.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.dataio.batch import Batch, link
from tracker.dataio.engine import Kind
from tracker.dataio.fields import (
    Parsed,
    RowError,
    choice,
    country_code,
    day,
    email,
    municipality_ref,
    text,
)
from tracker.models import (
    Attendance,
    Event,
    EventKind,
    Municipality,
    Participation,
    ParticipationRole,
)

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


def parse_participation(row: dict[str, str]) -> Parsed:
    starts_on = day(row, "event_starts_on")
    ends_on = day(row, "event_ends_on", required=False) or starts_on
    if ends_on < starts_on:
        raise RowError("event_ends_on", _("is before the event starts"))
    return {
        "event_title": text(row, "event_title", required=True, max_length=200),
        "event": {
            "kind": choice(row, "event_kind", EventKind),
            "starts_on": starts_on,
            "ends_on": ends_on,
            "city": text(row, "event_city", max_length=120),
        },
        "event_country": country_code(row, "event_country", required=False),
        "full_name": text(row, "person_full_name", required=True, max_length=200),
        "email": email(row, "person_email"),
        "person": {"position": text(row, "person_position", max_length=200)},
        "municipality": municipality_ref(row, "municipality", "municipality_country"),
        "participation": {
            "role": choice(row, "role", ParticipationRole),
            "attendance": choice(row, "attendance", Attendance),
            "presentation_title": text(row, "presentation_title", max_length=300),
        },
    }


def resolve_participation(batch: Batch, parsed: Parsed) -> bool:
    municipality = batch.municipality(parsed["municipality"], "municipality")
    key = (parsed["event_title"], parsed["event"]["starts_on"])
    event = batch.events.get(key)
    if event is None:
        code = parsed["event_country"]
        country = batch.countries.get(code) if code else None
        if code and country is None:
            raise RowError("event_country", _("%(code)s is unknown", code=code))
        event = Event(title=parsed["event_title"], **parsed["event"])
        link(event, "country", country)
        batch.events[key] = batch.add(event)
    person = batch.person(parsed, municipality)
    pair = (id(person), id(event))
    if pair in batch.participations:
        return False
    batch.participations.add(pair)
    home_id = municipality.id if municipality is not None else None
    batch.later.append(
        lambda: Participation(
            person_id=person.id,
            event_id=event.id,
            municipality_id=home_id,
            **parsed["participation"],
        )
    )
    return True


def participation_row(participation: Participation) -> tuple[Any, ...]:
    event, person, home = (
        participation.event,
        participation.person,
        participation.municipality,
    )
    return (
        event.title,
        event.kind,
        event.starts_on,
        event.ends_on,
        event.city,
        event.country.code if event.country else "",
        person.full_name,
        person.email,
        person.position,
        home.name if home else "",
        home.country.code if home else "",
        participation.role,
        participation.presentation_title,
        participation.attendance,
    )


PARTICIPATIONS = Kind(
    "participations",
    (
        "event_title",
        "event_kind",
        "event_starts_on",
        "event_ends_on",
        "event_city",
        "event_country",
        "person_full_name",
        "person_email",
        "person_position",
        "municipality",
        "municipality_country",
        "role",
        "presentation_title",
        "attendance",
    ),
    lambda: (
        select(Participation)
        .options(
            selectinload(Participation.event).selectinload(Event.country),
            selectinload(Participation.person),
            selectinload(Participation.municipality).selectinload(Municipality.country),
        )
        .order_by(Participation.id)
    ),
    participation_row,
    parse_participation,
    resolve_participation,
    (
        "World Smart City Summit and Smart City Week",
        "study_week",
        "2017-09-04",
        "2017-09-08",
        "Seoul",
        "KR",
        "Ivana Demo-Horvat",
        "ivana@rijeka.example.org",
        "Smart City Coordinator",
        "Rijeka",
        "HR",
        "presenter",
        "Open Data Portal, iURBAN and MySMARTLife",
        "attended",
    ),
)
