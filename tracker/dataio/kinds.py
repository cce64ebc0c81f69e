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

from tracker.forms import (
    MAX_POPULATION,
    NOTES_MAX_LENGTH,
    PHONE_MESSAGE,
    PHONE_PATTERN,
    WEB_ADDRESS_MESSAGE,
    is_web_address,
)
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
from tracker.text import control_character_problem

MAX_IMPORT_ROWS = 20_000
# Enough for the longest text column (notes); a longer field is refused on
# its line by the csv module itself, before it is held in memory whole.
MAX_FIELD_CHARS = csv.field_size_limit()
IN_CHUNK = 500  # values per IN (...) list: well inside every driver's limit


class RowError(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


class FileRefused(Exception):
    """The upload is not a CSV text file at all (said before any row is read)."""


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


Parsed = dict[str, Any]


@dataclass(frozen=True)
class Kind:
    name: str
    columns: tuple[str, ...]
    query: Callable[[], Select]
    to_row: Callable[[Any], tuple[Any, ...]]
    parse: Callable[[dict[str, str]], Parsed]
    resolve: Callable[[Batch, Parsed], bool]
    example: tuple[str, ...]


def decode_csv(raw: bytes) -> str:
    """An uploaded or read file as text; the web page and the CLI both use this."""
    if b"\x00" in raw:
        raise FileRefused("The file is not a text file.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("The file is not UTF-8 text. Save it as CSV UTF-8.") from None


# --- field readers: each raises RowError(column, reason) ---------------------


def text(
    row: dict[str, str],
    column: str,
    *,
    required: bool = False,
    max_length: int = 200,
    multiline: bool = False,
) -> str:
    value = uncell((row.get(column) or "").strip())
    if required and not value:
        raise RowError(column, "is required")
    if len(value) > max_length:
        raise RowError(column, f"is longer than {max_length} characters")
    if problem := control_character_problem(value, multiline=multiline):
        raise RowError(column, problem)
    return value


def whole_number(row: dict[str, str], column: str, maximum: int) -> int | None:
    value = text(row, column, max_length=12)
    if not value:
        return None
    if not re.fullmatch(r"\d+", value.replace(",", "")):
        raise RowError(column, f"'{value}' is not a whole number of 0 or more")
    number = int(value.replace(",", ""))
    if number > maximum:
        raise RowError(column, f"is more than {maximum:,}")
    return number


def email(row: dict[str, str], column: str) -> str | None:
    value = text(row, column, max_length=254)
    if not value:
        return None
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise RowError(column, f"'{value}' is not an e-mail address") from None


def phone(row: dict[str, str], column: str) -> str:
    value = text(row, column, max_length=50)
    if not re.fullmatch(PHONE_PATTERN, value):
        raise RowError(column, PHONE_MESSAGE)
    return value


def website(row: dict[str, str], column: str) -> str:
    value = text(row, column, max_length=255)
    if value and not is_web_address(value):
        raise RowError(column, WEB_ADDRESS_MESSAGE)
    return value


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


def country_code(row: dict[str, str], column: str, *, required: bool = True) -> str:
    value = text(row, column, required=required, max_length=2).upper()
    if value and not re.fullmatch(r"[A-Z]{2}", value):
        raise RowError(column, f"'{value}' is not a two-letter country code")
    return value


def municipality_ref(
    row: dict[str, str], name_column: str, country_column: str
) -> tuple[str, str] | None:
    name = text(row, name_column, max_length=120)
    code = text(row, country_column, max_length=2).upper()
    if not name and not code:
        return None
    if not name or not code:
        raise RowError(name_column, "needs both the municipality and its country")
    return name, code


# --- what one import looks up once, and what it adds -------------------------


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
                raise RowError(column, f"country {code} is unknown; give its name")
            country = self.countries[code] = self.add(Country(code=code, name=name))
        return country

    def municipality(self, ref: tuple[str, str] | None, column: str) -> Any:
        if ref is None:
            return None
        municipality = self.municipalities.get(ref)
        if municipality is None:
            raise RowError(column, f"no municipality {ref[0]} ({ref[1]}) exists")
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


def _link(record: Any, name: str, target: Any) -> None:
    """Point ``record`` at ``target``: by id when it exists, else by relationship."""
    if target is None:
        return
    if target.id is not None:
        setattr(record, f"{name}_id", target.id)
    else:
        setattr(record, name, target)


# --- municipalities ---------------------------------------------------------


def parse_municipality(row: dict[str, str]) -> Parsed:
    return {
        "country_code": country_code(row, "country_code"),
        "country_name": text(row, "country_name", max_length=100),
        "name": text(row, "name", required=True, max_length=120),
        "values": {
            "region": text(row, "region", max_length=120),
            "population": whole_number(row, "population", MAX_POPULATION),
            "website": website(row, "website"),
            "address": text(row, "address", max_length=255),
            "email": email(row, "email") or "",
            "phone": phone(row, "phone"),
            "notes": text(row, "notes", max_length=NOTES_MAX_LENGTH, multiline=True),
        },
    }


def resolve_municipality(batch: Batch, parsed: Parsed) -> bool:
    code = parsed["country_code"]
    country = batch.country(code, parsed["country_name"], "country_code")
    key = (parsed["name"], code)
    if key in batch.municipalities:
        return False
    municipality = Municipality(name=parsed["name"], **parsed["values"])
    _link(municipality, "country", country)
    batch.municipalities[key] = batch.add(municipality)
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


def parse_person(row: dict[str, str]) -> Parsed:
    return {
        "full_name": text(row, "full_name", required=True, max_length=200),
        "email": email(row, "email"),
        "person": {
            "position": text(row, "position", max_length=200),
            "organisation": text(row, "organisation", max_length=200),
            "phone": phone(row, "phone"),
        },
        "municipality": municipality_ref(row, "municipality", "municipality_country"),
    }


def resolve_person(batch: Batch, parsed: Parsed) -> bool:
    municipality = batch.municipality(parsed["municipality"], "municipality")
    count = len(batch.new)
    batch.person(parsed, municipality)
    return len(batch.new) > count


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


def parse_participation(row: dict[str, str]) -> Parsed:
    starts_on = day(row, "event_starts_on")
    ends_on = day(row, "event_ends_on", required=False) or starts_on
    if ends_on < starts_on:
        raise RowError("event_ends_on", "is before the event starts")
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
            raise RowError("event_country", f"{code} is unknown")
        event = Event(title=parsed["event_title"], **parsed["event"])
        _link(event, "country", country)
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
        parse_municipality,
        resolve_municipality,
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
        parse_person,
        resolve_person,
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
    ),
}


def export_rows(session: Session, kind: Kind) -> Iterator[tuple[Any, ...]]:
    """Every row of ``kind``, fetched in batches (constant memory)."""
    result = session.scalars(kind.query().execution_options(yield_per=1000))
    for record in result:
        yield kind.to_row(record)


def _csv_error(error: csv.Error) -> str:
    message = str(error)
    if "field larger than field limit" in message:
        return (
            f"has a field longer than {MAX_FIELD_CHARS:,} characters "
            '(is a closing quote " missing?)'
        )
    if "unexpected end of data" in message:
        return 'has a quote " that is never closed'
    return f"is not valid CSV ({message})"


def read_rows(
    kind: Kind, data: str, report: ImportReport
) -> list[tuple[int, dict[str, str]]] | None:
    """The file's rows by line; None when the file as a whole is refused.

    Every problem goes into ``report``; a row with the wrong number of fields
    is one problem on its line, and the other rows are still read.

    Lines are split as the csv module expects (``newline=""``): CRLF, LF and
    old-Mac CR alike, with line breaks inside quoted fields kept. Reading
    stops at the first row past the limit, so an over-long file is refused
    without being read whole.
    """
    reader = csv.reader(io.StringIO(data.lstrip("\ufeff"), newline=""), strict=True)
    try:
        header = [name.strip() for name in next(reader, [])]
    except csv.Error as error:
        report.problems.append(Problem(1, "", _csv_error(error)))
        return None
    repeated = sorted({name for name in header if header.count(name) > 1 and name})
    if repeated:
        report.problems.append(
            Problem(1, ", ".join(repeated), "column appears more than once")
        )
        return None
    missing = [column for column in kind.columns if column not in header]
    if missing:
        report.problems.append(Problem(1, ", ".join(missing), "column is missing"))
        return None
    rows: list[tuple[int, dict[str, str]]] = []
    line = reader.line_num + 1
    try:
        for fields in reader:
            if fields:
                if len(rows) == MAX_IMPORT_ROWS:
                    report.problems.append(
                        Problem(
                            line,
                            "",
                            f"more than {MAX_IMPORT_ROWS:,} rows; split the file",
                        )
                    )
                    return None
                if len(fields) != len(header):
                    reason = (
                        "has too many fields"
                        if len(fields) > len(header)
                        else f"has {len(fields)} fields; the header has {len(header)}"
                    )
                    report.problems.append(Problem(line, "", reason))
                else:
                    rows.append((line, dict(zip(header, fields, strict=True))))
            line = reader.line_num + 1
    except csv.Error as error:
        report.problems.append(Problem(line, "", _csv_error(error)))
        return None
    return rows


def import_csv(
    session: Session, kind: Kind, data: str, *, commit: bool
) -> ImportReport:
    """Check every row; write them all only when ``commit`` and none is bad.

    Every row is checked against records fetched once for the whole file
    (``Batch``); nothing is written unless all rows pass, and then every new
    record goes in one flush, which the audit listener records as usual. The
    caller commits the transaction.
    """
    report = ImportReport(kind.name)
    rows = read_rows(kind, data, report)
    if rows is None:
        return report
    parsed: list[tuple[int, Parsed]] = []
    for line, row in rows:
        report.rows += 1
        try:
            parsed.append((line, kind.parse(row)))
        except RowError as error:
            report.problems.append(Problem(line, error.column, error.reason))
    batch = Batch(session, [values for _, values in parsed])
    for line, values in parsed:
        try:
            created = kind.resolve(batch, values)
        except RowError as error:
            report.problems.append(Problem(line, error.column, error.reason))
            continue
        if created:
            report.created += 1
        else:
            report.matched += 1
    report.problems.sort(key=lambda problem: problem.line)
    if not (commit and report.ok):
        return report
    savepoint = session.begin_nested()
    try:
        session.add_all(batch.new)
        session.flush()
        session.add_all([make() for make in batch.later])
        session.flush()
    except IntegrityError:
        savepoint.rollback()
        report.problems.append(
            Problem(1, "", "conflicts with a record saved meanwhile; try again")
        )
        return report
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    return report


def template_csv(kind: Kind) -> str:
    """An import file with the kind's columns and one example row."""
    return "".join(csv_chunks(kind.columns, [kind.example]))
