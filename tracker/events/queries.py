"""Read queries about events and participations: the list, the event page, and
the reads that municipality and person pages reuse."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    extract,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import aliased, joinedload, selectinload

from tracker.extensions import db
from tracker.lists import Sorting, choice_arg, int_arg, search_text, text_search
from tracker.models import (
    Attendance,
    Country,
    Event,
    EventKind,
    Municipality,
    Participation,
    Person,
    Program,
)
from tracker.models.events import PUBLICLY_LISTED

WHEN_CHOICES = ("upcoming", "past")

EVENT_SORTING = Sorting(
    columns={
        "starts_on": Event.starts_on,
        "title": Event.title,
        "kind": Event.kind,
        "city": Event.city,
    },
    default="-starts_on",
    tiebreaker=Event.id,
    alphabetical=("title", "city"),
)


def event_filters(args: Mapping[str, str]) -> dict[str, Any]:
    """The list filters present in ``args``, cleaned; junk values are dropped."""
    year = int_arg(args, "year")
    return {
        "kind": choice_arg(args, "kind", [kind.value for kind in EventKind]),
        "year": year if year is not None and 1900 <= year <= 2200 else None,
        "country": (args.get("country") or "").strip().upper()[:2] or None,
        "program": (args.get("program") or "").strip().upper()[:10] or None,
        "when": choice_arg(args, "when", WHEN_CHOICES),
        "q": search_text(args) or None,
    }


def filtered_events(args: Mapping[str, str], today: date | None = None) -> Select:
    """Events matching the list's filters (kind, year, country, program, when, q),
    sorted as asked. Visibility is applied by the caller (``event_visibility``).

    ``when=upcoming`` means not over yet (ongoing events included);
    ``when=past`` means over.
    """
    today = today or date.today()
    filters = event_filters(args)
    query = select(Event).options(joinedload(Event.country), joinedload(Event.program))
    if filters["kind"]:
        query = query.where(Event.kind == EventKind(filters["kind"]))
    if filters["year"] is not None:
        query = query.where(extract("year", Event.starts_on) == filters["year"])
    if filters["country"]:
        query = query.where(
            Event.country_id.in_(
                select(Country.id).where(Country.code == filters["country"])
            )
        )
    if filters["program"]:
        query = query.where(
            Event.program_id.in_(
                select(Program.id).where(Program.code == filters["program"])
            )
        )
    if filters["when"] == "upcoming":
        query = query.where(Event.ends_on >= today)
    elif filters["when"] == "past":
        query = query.where(Event.ends_on < today)
    if filters["q"]:
        query = query.where(text_search(Event, filters["q"]))
    return EVENT_SORTING.apply(query, args)


def event_visibility(user, today: date | None = None) -> ColumnElement[bool]:
    """The SQL twin of ``Event.can_view``: which events ``user`` may see."""
    if not user.is_authenticated:
        return Event.is_public.is_(True)
    if user.is_staff:
        return true()
    if user.municipality_id is None:
        return false()
    return or_(
        Event.is_public.is_(True),
        Event.ends_on >= (today or date.today()),
        Event.id.in_(
            select(Participation.event_id).where(
                Participation.municipality_id == user.municipality_id
            )
        ),
    )


def participant_counts(event_ids: list[int]) -> dict[int, int]:
    """How many people take part in each event (one query for a page of events)."""
    if not event_ids:
        return {}
    rows = db.session.execute(
        select(Participation.event_id, func.count(Participation.id))
        .where(Participation.event_id.in_(event_ids))
        .group_by(Participation.event_id)
    )
    return {event_id: count for event_id, count in rows}


def event_participants_query(event: Event, viewer) -> Select:
    """The participations of ``event`` that ``viewer`` may see, grouped by
    country, then municipality, then name (people of no municipality last).

    Staff see all of them; a municipality's contacts also see their own
    proposals and cancellations; everyone else sees confirmed people only.
    Person, municipality and country come in the same query.
    """
    query = (
        select(Participation)
        .where(Participation.event_id == event.id)
        .outerjoin(Participation.municipality)
        .outerjoin(Municipality.country)
        .join(Participation.person)
        .options(
            joinedload(Participation.person),
            joinedload(Participation.municipality).joinedload(Municipality.country),
            joinedload(Participation.proposed_by),
        )
        .order_by(
            Participation.municipality_id.is_(None),
            Country.name,
            Municipality.name,
            Person.full_name,
            Participation.id,
        )
    )
    if not (viewer.is_authenticated and viewer.is_staff):
        listed = Participation.attendance.in_(PUBLICLY_LISTED)
        if viewer.is_authenticated and viewer.municipality_id is not None:
            listed = or_(
                listed, Participation.municipality_id == viewer.municipality_id
            )
        query = query.where(listed)
    return query


def event_participants(event: Event, viewer) -> list[Participation]:
    """``event_participants_query`` run: one query, whatever their number."""
    return list(db.session.scalars(event_participants_query(event, viewer)))


def search_people(text: str, exclude_event: Event | None = None, limit: int = 30):
    """People whose name, e-mail or organisation contains ``text`` (for pickers)."""
    text = text.strip()[:100]
    if not text:
        return []
    query = (
        select(Person)
        .options(joinedload(Person.municipality))
        .where(text_search(Person, text))
        .order_by(Person.full_name, Person.id)
        .limit(limit)
    )
    if exclude_event is not None:
        query = query.where(
            Person.id.not_in(
                select(Participation.person_id).where(
                    Participation.event_id == exclude_event.id
                )
            )
        )
    return list(db.session.scalars(query))


def participation_visibility(viewer) -> ColumnElement[bool]:
    """The SQL twin of ``Participation.can_view`` (needs ``Event`` joined)."""
    if viewer.is_authenticated and viewer.is_staff:
        return true()
    visible = and_(
        Participation.attendance.in_(PUBLICLY_LISTED), event_visibility(viewer)
    )
    if viewer.is_authenticated and viewer.municipality_id is not None:
        return or_(Participation.municipality_id == viewer.municipality_id, visible)
    return visible


def _viewer(viewer):
    """The user a shared list is shown to: the signed-in user by default."""
    if viewer is not None:
        return viewer
    return current_user if has_request_context() else None


def municipality_participations(
    municipality_id: int, viewer=None
) -> list[Participation]:
    """Who took part in which event for this municipality, newest event first.

    Only what ``viewer`` (default: the signed-in user; outside a request,
    everything) may see: other municipalities' contacts and anonymous
    visitors get confirmed participations in events they can see.
    """
    return _participations(Participation.municipality_id == municipality_id, viewer)


def person_participations(person_id: int, viewer=None) -> list[Participation]:
    """The events a person took part in, newest first (same visibility rule)."""
    return _participations(Participation.person_id == person_id, viewer)


def _participations(condition: ColumnElement[bool], viewer) -> list[Participation]:
    query = (
        select(Participation)
        .join(Participation.event)
        .where(condition)
        .options(
            joinedload(Participation.event),
            joinedload(Participation.person),
            joinedload(Participation.municipality),
        )
        .order_by(Event.starts_on.desc(), Participation.id)
    )
    viewer = _viewer(viewer)
    if viewer is not None:
        query = query.where(participation_visibility(viewer))
    return list(db.session.scalars(query))


def people_of(municipality_id: int) -> list[Person]:
    """A municipality's people, by name (the contact's proposal picker)."""
    return list(
        db.session.scalars(
            select(Person)
            .where(Person.municipality_id == municipality_id)
            .order_by(Person.full_name, Person.id)
        )
    )


def select_options() -> dict[str, list[Any]]:
    """Choices for the event forms' selects: countries, programs, municipalities.

    The municipalities (thousands of them) come as ready ``SelectChoice``
    objects, shared by every form of the page and cached until a write.
    """
    # Imported here: the municipality pages import this module.
    from tracker.municipalities.queries import municipality_options

    countries = db.session.execute(
        select(Country.id, Country.name).order_by(Country.name)
    ).all()
    programs = db.session.execute(
        select(Program.id, Program.code, Program.name).order_by(Program.code)
    ).all()
    return {
        "countries": [(row.id, row.name) for row in countries],
        "programs": [(row.id, f"{row.code}: {row.name}") for row in programs],
        "municipalities": municipality_options(),
    }


def filtered_participations(args) -> Select:
    """Participations (filters: event, municipality, attendance) in the columns of
    the import file (``tracker.events.io.PARTICIPATIONS``), as plain rows.

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


# What an event's page (and its API record) shows, loaded with the event:
# ``get_viewable_or_404(Event, event_id, EVENT_PAGE)``.
EVENT_PAGE = (
    joinedload(Event.country),
    joinedload(Event.program),
    selectinload(Event.sessions),
)


# Who gets a reminder before an event: the participants still waiting for
# confirmation. Registered means confirmed, cancelled means declined, and
# attended or absent come after the event (README: E-mail).
REMINDED = (Attendance.PROPOSED,)
# Who can be invited: everyone on the list but those who cancelled.
INVITABLE = (Attendance.PROPOSED, Attendance.REGISTERED)


def participations_to_remind(first_day: date, last_day: date) -> list[Participation]:
    """Participants with an e-mail address, waiting for confirmation, of
    events starting between ``first_day`` and ``last_day``."""
    return list(
        db.session.scalars(
            select(Participation)
            .join(Participation.event)
            .join(Participation.person)
            .where(
                Event.starts_on.between(first_day, last_day),
                Participation.attendance.in_(REMINDED),
                Person.email.is_not(None),
            )
            .options(
                joinedload(Participation.event).joinedload(Event.country),
                joinedload(Participation.person),
            )
            .order_by(Event.starts_on, Participation.id)
        ).unique()
    )


def invitable_participations(event: Event) -> list[Participation]:
    """The event's participants an invitation can go to, by name."""
    return list(
        db.session.scalars(
            select(Participation)
            .join(Participation.person)
            .where(
                Participation.event_id == event.id,
                Participation.attendance.in_(INVITABLE),
            )
            .options(joinedload(Participation.person))
            .order_by(Person.full_name, Participation.id)
        ).unique()
    )
