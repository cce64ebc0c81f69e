"""People as CSV: columns, the row each record exports, import rules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.dataio.batch import Batch
from tracker.dataio.engine import Kind
from tracker.dataio.fields import (
    Parsed,
    email,
    municipality_ref,
    phone,
    text,
    whole_number,
)
from tracker.models import Municipality, Person
from tracker.municipalities.io import MAX_VERSION


def parse_person(row: dict[str, str]) -> Parsed:
    return {
        "full_name": text(row, "full_name", required=True, max_length=200),
        "email": email(row, "email"),
        "version": whole_number(row, "version", MAX_VERSION),
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
    person = batch.person(parsed, municipality)
    if len(batch.new) > count:
        return True
    values = dict(parsed["person"])
    if parsed["email"]:  # matched by e-mail: the name may have changed
        values["full_name"] = parsed["full_name"]
    batch.update(person, values, parsed["columns"], person.full_name, parsed["version"])
    return False


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
        person.version_id,
    )


PEOPLE = Kind(
    "people",
    (
        "full_name",
        "position",
        "organisation",
        "municipality",
        "municipality_country",
        "email",
        "phone",
        "version",
    ),
    lambda: (
        select(Person)
        .options(selectinload(Person.municipality).selectinload(Municipality.country))
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
        "",
    ),
    required=("full_name",),
)
