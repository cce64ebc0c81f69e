"""What one import looks up once, and what it adds.

Rows are resolved against records fetched in a few queries for the whole
file; the kinds in ``<domain>/io.py`` ask the batch for countries,
municipalities, people and events by their natural keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.dataio.fields import Parsed, RowError
from tracker.models import Country, Event, Municipality, Participation, Person
from tracker.search import name_keys

IN_CHUNK = 500  # values per IN (...) list: well inside every driver's limit


def _chunks(values: set[Any]) -> Iterator[list[Any]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), IN_CHUNK):
        yield ordered[start : start + IN_CHUNK]


@dataclass
class Change:
    column: str
    old: Any
    new: Any

    @staticmethod
    def shown(value: Any) -> str:
        """A value as the report shows it: numbers in the reader's locale."""
        if value is None or value == "":
            return "—"
        if isinstance(value, int) and not isinstance(value, bool):
            return format_decimal(value)
        return str(value)


@dataclass
class Update:
    """A row that matches an existing record and differs in some columns."""

    line: int
    label: str
    record: Any
    changes: list[Change]

    def apply(self) -> None:
        for change in self.changes:
            setattr(self.record, change.column, change.new)


@dataclass
class Duplicate:
    """A new row whose name folds like an existing record's (or an earlier
    row's): "Sabac" beside "Šabac". ``endpoint`` and ``record_id`` link to
    the existing record (None for one the file itself adds)."""

    line: int
    label: str
    existing: str
    endpoint: str
    record_id: int | None = None

    @property
    def link_args(self) -> dict[str, int | None]:
        """``url_for`` arguments: ``people.detail`` takes ``person_id``."""
        entity = "person" if self.endpoint.startswith("people") else "municipality"
        return {f"{entity}_id": self.record_id}


@dataclass
class Folded:
    """Records by folded name within a scope (a country, a municipality)."""

    found: dict[tuple[str, Any], tuple[int | None, str]] = field(default_factory=dict)

    def add(self, name: str, scope: Any, record_id: int | None, label: str) -> None:
        for key in name_keys(name):
            self.found.setdefault((key, scope), (record_id, label))

    def get(self, name: str, scope: Any) -> tuple[int | None, str] | None:
        for key in name_keys(name):
            if (hit := self.found.get((key, scope))) is not None:
                return hit
        return None


class Batch:
    """The records a file refers to, fetched in a few queries for all its rows.

    Rows are checked against these dicts, and a record a row creates joins
    them, so a later row finds it (a person on two events is one person). New
    records are linked to existing ones by id, never by relationship, so a
    check that adds nothing leaves the session untouched.
    """

    def __init__(self, session: Session, rows: list[Parsed]) -> None:
        self.session = session
        self.line = 0  # the row being resolved, set by the engine
        self.updates: list[Update] = []
        self.duplicates: list[Duplicate] = []
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
        # Names folded, for likely duplicates: every municipality of the
        # countries a municipality file names, every person of the
        # municipalities a file's people belong to.
        self.municipality_names = Folded()
        codes = {
            row["country_code"]
            for row in rows
            if "name" in row and "country_code" in row
        }
        for chunk in _chunks(codes):
            for record_id, name, code, country in session.execute(
                select(Municipality.id, Municipality.name, Country.code, Country.name)
                .join(Municipality.country)
                .where(Country.code.in_(chunk))
            ):
                self.municipality_names.add(name, code, record_id, f"{name}, {country}")
        self.person_names = Folded()
        homes = {
            self.municipalities[ref].id for ref in refs if ref in self.municipalities
        }
        for chunk in _chunks(homes):
            for record_id, name, home_id, home in session.execute(
                select(
                    Person.id,
                    Person.full_name,
                    Person.municipality_id,
                    Municipality.name,
                )
                .join(Person.municipality)
                .where(Person.municipality_id.in_(chunk))
            ):
                self.person_names.add(name, home_id, record_id, f"{name}, {home}")
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
        if home_id is not None:
            self.check_duplicate(
                self.person_names, parsed["full_name"], home_id, "people.detail"
            )
            self.person_names.add(
                parsed["full_name"],
                home_id,
                None,
                f"{parsed['full_name']}, {municipality.name}",
            )
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

    def check_duplicate(
        self, names: Folded, name: str, scope: Any, endpoint: str
    ) -> None:
        """List the current row if ``name`` folds like a record's in ``scope``."""
        if (hit := names.get(name, scope)) is not None:
            record_id, existing = hit
            self.duplicates.append(
                Duplicate(self.line, name, existing, endpoint, record_id)
            )

    def update(
        self,
        record: Any,
        values: dict[str, Any],
        columns: frozenset[str],
        label: str,
        version: int | None,
    ) -> None:
        """Note how the current row changes an existing ``record``: only the
        ``columns`` the file holds. A ``version`` must be the record's own."""
        if record.id is None:  # added by an earlier row of this file
            return
        if version is not None and version != record.version_id:
            raise RowError(
                "version",
                _(
                    "is %(given)s, but %(label)s is now at version %(current)s: it "
                    "was changed after the file was exported; export it again",
                    given=version,
                    label=label,
                    current=record.version_id,
                ),
            )
        changes = [
            Change(name, getattr(record, name), new)
            for name, new in values.items()
            if name in columns and getattr(record, name) != new
        ]
        if changes:
            self.updates.append(Update(self.line, label, record, changes))


def link(record: Any, name: str, target: Any) -> None:
    """Point ``record`` at ``target``: by id when it exists, else by relationship."""
    if target is None:
        return
    if target.id is not None:
        setattr(record, f"{name}_id", target.id)
    else:
        setattr(record, name, target)
