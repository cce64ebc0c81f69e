"""What one import looks up once, and what it adds.

Rows are resolved against records fetched in a few queries for the whole
file; the kinds in ``<domain>/io.py`` ask the batch for countries,
municipalities, people and events by their natural keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.dataio.fields import Parsed, RowError
from tracker.models import Country, Event, Municipality, Participation, Person

IN_CHUNK = 500  # values per IN (...) list: well inside every driver's limit


def _chunks(values: set[Any]) -> Iterator[list[Any]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), IN_CHUNK):
        yield ordered[start : start + IN_CHUNK]


class Batch:
    """The records a file refers to, fetched in a few queries for all its rows.

    Rows are checked against these dicts, and a record a row creates joins
    them, so a later row finds it (a person on two events is one person). New
    records are linked to existing ones by id, never by relationship, so a
    check that adds nothing leaves the session untouched.
    """

    def __init__(self, session: Session, rows: list[Parsed]) -> None:
        self.session = session
        self.new: list[Any] = []
        # Records that need the ids of new ones: made after those are flushed
        # (by id, which costs far less than relationship bookkeeping).
        self.later: list[Callable[[], Any]] = []
        self.countries = {c.code: c for c in session.scalars(select(Country))}
        refs = {row["municipality"] for row in rows if row.get("municipality")}
        self.municipalities: dict[tuple[str, str], Municipality] = {}
        names = {name for name, _ in refs} | {
            row["name"] for row in rows if "name" in row and "country_code" in row
        }
        for chunk in _chunks(names):
            for municipality in session.scalars(
                select(Municipality)
                .options(selectinload(Municipality.country))
                .where(Municipality.name.in_(chunk))
            ):
                key = (municipality.name, municipality.country.code)
                self.municipalities[key] = municipality
        self.people_by_email: dict[str, Person] = {}
        self.people_by_name: dict[tuple[str, int | None], Person] = {}
        emails = {row["email"] for row in rows if row.get("email")}
        for chunk in _chunks(emails):
            for person in session.scalars(
                select(Person).where(Person.email.in_(chunk))
            ):
                self.people_by_email[person.email] = person
        full_names = {
            row["full_name"] for row in rows if "full_name" in row and not row["email"]
        }
        for chunk in _chunks(full_names):
            for person in session.scalars(
                select(Person).where(Person.full_name.in_(chunk))
            ):
                self.people_by_name[(person.full_name, person.municipality_id)] = person
        self.events: dict[tuple[str, date], Event] = {}
        titles = {row["event_title"] for row in rows if "event_title" in row}
        for chunk in _chunks(titles):
            for event in session.scalars(select(Event).where(Event.title.in_(chunk))):
                self.events[(event.title, event.starts_on)] = event
        # Pairs (person, event) already taken, as objects: new ones have no id.
        self.participations: set[tuple[int, int]] = set()
        event_ids = {event.id for event in self.events.values()}
        by_id = {person.id: person for person in self.people()}
        events_by_id = {event.id: event for event in self.events.values()}
        for chunk in _chunks(event_ids):
            for person_id, event_id in session.execute(
                select(Participation.person_id, Participation.event_id).where(
                    Participation.event_id.in_(chunk)
                )
            ):
                if person_id in by_id:
                    self.participations.add(
                        (id(by_id[person_id]), id(events_by_id[event_id]))
                    )

    def people(self) -> Iterator[Person]:
        yield from self.people_by_email.values()
        yield from self.people_by_name.values()

    def add(self, record: Any) -> Any:
        self.new.append(record)
        return record

    def country(self, code: str, name: str, column: str) -> Country:
        country = self.countries.get(code)
        if country is None:
            if not name:
                raise RowError(
                    column, _("country %(code)s is unknown; give its name", code=code)
                )
            country = self.countries[code] = self.add(Country(code=code, name=name))
        return country

    def municipality(self, ref: tuple[str, str] | None, column: str) -> Any:
        if ref is None:
            return None
        municipality = self.municipalities.get(ref)
        if municipality is None:
            raise RowError(
                column,
                _(
                    "no municipality %(name)s (%(country)s) exists",
                    name=ref[0],
                    country=ref[1],
                ),
            )
        return municipality

    def person(self, parsed: Parsed, municipality: Municipality | None) -> Person:
        """The person a row names (by e-mail, else by name and municipality)."""
        home_id = municipality.id if municipality is not None else None
        if parsed["email"]:
            found = self.people_by_email.get(parsed["email"])
        else:
            found = self.people_by_name.get((parsed["full_name"], home_id))
        if found is not None:
            return found
        person = self.add(
            Person(
                full_name=parsed["full_name"],
                email=parsed["email"],
                municipality_id=home_id,
                **parsed["person"],
            )
        )
        if parsed["email"]:
            self.people_by_email[parsed["email"]] = person
        else:
            self.people_by_name[(parsed["full_name"], home_id)] = person
        return person


def link(record: Any, name: str, target: Any) -> None:
    """Point ``record`` at ``target``: by id when it exists, else by relationship."""
    if target is None:
        return
    if target.id is not None:
        setattr(record, f"{name}_id", target.id)
    else:
        setattr(record, name, target)
