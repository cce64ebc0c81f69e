"""Municipalities as CSV: columns, the row each record exports, import rules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.dataio.batch import Batch, link
from tracker.dataio.engine import Kind
from tracker.dataio.fields import (
    Parsed,
    country_code,
    email,
    phone,
    text,
    website,
    whole_number,
)
from tracker.forms import MAX_ID, MAX_POPULATION, NOTES_MAX_LENGTH
from tracker.models import Municipality

MAX_VERSION = MAX_ID  # versions are 32-bit integers too


def parse_municipality(row: dict[str, str]) -> Parsed:
    return {
        "country_code": country_code(row, "country_code"),
        "country_name": text(row, "country_name", max_length=100),
        "name": text(row, "name", required=True, max_length=120),
        "version": whole_number(row, "version", MAX_VERSION),
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
    name = parsed["name"]
    key = (name, code)
    if key in batch.municipalities:
        existing = batch.municipalities[key]
        label = f"{name}, {existing.country.name}"
        batch.update(
            existing, parsed["values"], parsed["columns"], label, parsed["version"]
        )
        return False
    batch.check_duplicate(batch.municipality_names, name, code, "municipalities.detail")
    batch.municipality_names.add(name, code, None, f"{name}, {country.name}")
    municipality = Municipality(name=name, **parsed["values"])
    link(municipality, "country", country)
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
        municipality.version_id,
    )


MUNICIPALITIES = Kind(
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
        "version",
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
        "",
    ),
    required=("country_code", "name"),
)
