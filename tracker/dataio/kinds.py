"""The record kinds that come in and go out as CSV: their columns and rules.

Each kind's CSV is self-contained, so an export imported into an empty
database recreates the same rows: a municipality row names its country, a
participation row names its event and person. A row that matches an
existing record (by its natural key) is matched, never duplicated.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from tracker.models import (
    Attendance,
    Country,
    Event,
    EventKind,
    Municipality,
    Participation,
    ParticipationRole,
    Person,
)
from tracker.tabular import csv_chunks, uncell

MAX_IMPORT_ROWS = 20_000


class RowError(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


@dataclass
class Problem:
    line: int
    column: str
    reason: str


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    matched: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Kind:
    name: str
    columns: tuple[str, ...]
    query: Callable[[], Select]
    to_row: Callable[[Any], tuple[Any, ...]]
    load_row: Callable[[Session, dict[str, str]], bool]
    example: tuple[str, ...]


# --- field readers: each raises RowError(column, reason) ---------------------


def text(
    row: dict[str, str], column: str, *, required: bool = False, max_length: int = 200
) -> str:
    value = uncell((row.get(column) or "").strip())
    if required and not value:
        raise RowError(column, "is required")
    if len(value) > max_length:
        raise RowError(column, f"is longer than {max_length} characters")
    return value


def whole_number(row: dict[str, str], column: str) -> int | None:
    value = text(row, column, max_length=12)
    if not value:
        return None
    if not re.fullmatch(r"\d+", value.replace(",", "")):
        raise RowError(column, f"'{value}' is not a whole number of 0 or more")
    return int(value.replace(",", ""))


def email(row: dict[str, str], column: str) -> str | None:
    value = text(row, column, max_length=254)
    if not value:
        return None
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise RowError(column, f"'{value}' is not an e-mail address") from None


def day(row: dict[str, str], column: str, *, required: bool = True) -> date | None:
    value = text(row, column, required=required, max_length=10)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RowError(column, f"'{value}' is not a date (YYYY-MM-DD)") from None


def choice(row: dict[str, str], column: str, enum: type) -> Any:
    value = text(row, column, required=True, max_length=40).lower()
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise RowError(column, f"'{value}' is not one of: {allowed}") from None


def country_code(row: dict[str, str], column: str) -> str:
    value = text(row, column, required=True, max_length=2).upper()
    if not re.fullmatch(r"[A-Z]{2}", value):
        raise RowError(column, f"'{value}' is not a two-letter country code")
    return value


def find_country(session: Session, code: str, name: str, column: str) -> Country:
    country = session.scalar(select(Country).where(Country.code == code))
    if country is None:
        if not name:
            raise RowError(column, f"country {code} is unknown; give its name")
        country = Country(code=code, name=name)
        session.add(country)
        session.flush()
    return country


def find_municipality(
    session: Session, row: dict[str, str], name_column: str, country_column: str
) -> Municipality | None:
    name = text(row, name_column, max_length=120)
    code = text(row, country_column, max_length=2).upper()
    if not name and not code:
        return None
    if not name or not code:
        raise RowError(name_column, "needs both the municipality and its country")
    municipality = session.scalar(
        select(Municipality)
        .join(Municipality.country)
        .where(Municipality.name == name, Country.code == code)
    )
    if municipality is None:
        raise RowError(name_column, f"no municipality {name} ({code}) exists")
    return municipality


# --- municipalities ---------------------------------------------------------


def load_municipality(session: Session, row: dict[str, str]) -> bool:
    code = country_code(row, "country_code")
    country_name = text(row, "country_name", max_length=100)
    name = text(row, "name", required=True, max_length=120)
    values = {
        "region": text(row, "region", max_length=120),
        "population": whole_number(row, "population"),
        "website": text(row, "website", max_length=255),
        "address": text(row, "address", max_length=255),
        "email": email(row, "email") or "",
        "phone": text(row, "phone", max_length=50),
        "notes": text(row, "notes", max_length=5000),
    }
    country = find_country(session, code, country_name, "country_code")
    existing = session.scalar(
        select(Municipality).where(
            Municipality.country_id == country.id, Municipality.name == name
        )
    )
    if existing is not None:
        return False
    session.add(Municipality(name=name, country=country, **values))
    session.flush()
    return True


def municipality_row(municipality: Municipality) -> tuple[Any, ...]:
    return (
        municipality.country.code,
        municipality.country.name,
        municipality.name,
        municipality.region,
        municipality.population,
        municipality.website,
        municipality.address,
        municipality.email,
        municipality.phone,
        municipality.notes,
    )


# --- people -----------------------------------------------------------------


def load_person(session: Session, row: dict[str, str]) -> bool:
    full_name = text(row, "full_name", required=True, max_length=200)
    address = email(row, "email")
    values = {
        "position": text(row, "position", max_length=200),
        "organisation": text(row, "organisation", max_length=200),
        "phone": text(row, "phone", max_length=50),
    }
    municipality = find_municipality(
        session, row, "municipality", "municipality_country"
    )
    if address:
        existing = session.scalar(select(Person).where(Person.email == address))
    else:
        existing = session.scalar(
            select(Person).where(
                Person.full_name == full_name,
                Person.municipality_id == (municipality.id if municipality else None),
            )
        )
    if existing is not None:
        return False
    session.add(
        Person(full_name=full_name, email=address, municipality=municipality, **values)
    )
    session.flush()
    return True


def person_row(person: Person) -> tuple[Any, ...]:
    home = person.municipality
    return (
        person.full_name,
        person.position,
        person.organisation,
        home.name if home else "",
        home.country.code if home else "",
        person.email,
        person.phone,
    )


# --- participations ---------------------------------------------------------


def load_participation(session: Session, row: dict[str, str]) -> bool:
    title = text(row, "event_title", required=True, max_length=200)
    starts_on = day(row, "event_starts_on")
    ends_on = day(row, "event_ends_on", required=False) or starts_on
    if ends_on < starts_on:
        raise RowError("event_ends_on", "is before the event starts")
    kind = choice(row, "event_kind", EventKind)
    full_name = text(row, "person_full_name", required=True, max_length=200)
    address = email(row, "person_email")
    role = choice(row, "role", ParticipationRole)
    attendance = choice(row, "attendance", Attendance)
    municipality = find_municipality(
        session, row, "municipality", "municipality_country"
    )
    event = session.scalar(
        select(Event).where(Event.title == title, Event.starts_on == starts_on)
    )
    if event is None:
        country_code_value = text(row, "event_country", max_length=2).upper()
        country = None
        if country_code_value:
            country = session.scalar(
                select(Country).where(Country.code == country_code_value)
            )
            if country is None:
                raise RowError("event_country", f"{country_code_value} is unknown")
        event = Event(
            title=title,
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
            city=text(row, "event_city", max_length=120),
            country=country,
        )
        session.add(event)
        session.flush()
    if address:
        person = session.scalar(select(Person).where(Person.email == address))
    else:
        person = session.scalar(
            select(Person).where(
                Person.full_name == full_name,
                Person.municipality_id == (municipality.id if municipality else None),
            )
        )
    if person is None:
        person = Person(
            full_name=full_name,
            email=address,
            municipality=municipality,
            position=text(row, "person_position", max_length=200),
        )
        session.add(person)
        session.flush()
    existing = session.scalar(
        select(Participation).where(
            Participation.person_id == person.id, Participation.event_id == event.id
        )
    )
    if existing is not None:
        return False
    session.add(
        Participation(
            person=person,
            event=event,
            municipality=municipality,
            role=role,
            attendance=attendance,
            presentation_title=text(row, "presentation_title", max_length=300),
        )
    )
    session.flush()
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


KINDS: dict[str, Kind] = {
    "municipalities": Kind(
        "municipalities",
        (
            "country_code",
            "country_name",
            "name",
            "region",
            "population",
            "website",
            "address",
            "email",
            "phone",
            "notes",
        ),
        lambda: (
            select(Municipality)
            .options(selectinload(Municipality.country))
            .order_by(Municipality.id)
        ),
        municipality_row,
        load_municipality,
        (
            "HR",
            "Croatia",
            "Rijeka",
            "Primorje-Gorski Kotar County",
            "108622",
            "https://rijeka.example.org",
            "Korzo 16",
            "upp@rijeka.example.org",
            "+385 51 000 100",
            "",
        ),
    ),
    "people": Kind(
        "people",
        (
            "full_name",
            "position",
            "organisation",
            "municipality",
            "municipality_country",
            "email",
            "phone",
        ),
        lambda: (
            select(Person)
            .options(
                selectinload(Person.municipality).selectinload(Municipality.country)
            )
            .order_by(Person.id)
        ),
        person_row,
        load_person,
        (
            "Ivana Demo-Horvat",
            "Smart City Coordinator",
            "",
            "Rijeka",
            "HR",
            "ivana@rijeka.example.org",
            "",
        ),
    ),
    "participations": Kind(
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
                selectinload(Participation.municipality).selectinload(
                    Municipality.country
                ),
            )
            .order_by(Participation.id)
        ),
        participation_row,
        load_participation,
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
    ),
}


def export_rows(session: Session, kind: Kind) -> Iterator[tuple[Any, ...]]:
    """Every row of ``kind``, fetched in batches (constant memory)."""
    result = session.scalars(kind.query().execution_options(yield_per=1000))
    for record in result:
        yield kind.to_row(record)


def import_csv(
    session: Session, kind: Kind, data: str, *, commit: bool
) -> ImportReport:
    """Check every row; write them all only when ``commit`` and none is bad.

    Runs in a savepoint: a dry run, or any bad row, rolls back everything,
    so the database is as before. The caller commits the transaction.
    """
    report = ImportReport(kind.name)
    reader = csv.DictReader(io.StringIO(data.lstrip("\ufeff")))
    missing = [
        column for column in kind.columns if column not in (reader.fieldnames or [])
    ]
    if missing:
        report.problems.append(Problem(1, ", ".join(missing), "column is missing"))
        return report
    savepoint = session.begin_nested()
    try:
        for line_number, row in enumerate(reader, start=2):
            report.rows += 1
            if report.rows > MAX_IMPORT_ROWS:
                report.problems.append(
                    Problem(
                        line_number,
                        "",
                        f"more than {MAX_IMPORT_ROWS:,} rows; split the file",
                    )
                )
                break
            if None in row:
                report.problems.append(Problem(line_number, "", "has too many fields"))
                continue
            row_savepoint = session.begin_nested()
            try:
                created = kind.load_row(session, row)
            except RowError as error:
                row_savepoint.rollback()
                report.problems.append(Problem(line_number, error.column, error.reason))
                continue
            except IntegrityError:
                row_savepoint.rollback()
                report.problems.append(
                    Problem(line_number, "", "conflicts with an existing record")
                )
                continue
            row_savepoint.commit()
            if created:
                report.created += 1
            else:
                report.matched += 1
    except BaseException:
        savepoint.rollback()
        raise
    if commit and report.ok:
        savepoint.commit()
    else:
        savepoint.rollback()
    return report


def template_csv(kind: Kind) -> str:
    """An import file with the kind's columns and one example row."""
    return "".join(csv_chunks(kind.columns, [kind.example]))
