"""Open data: the program's published aggregates and public events, with a dictionary.

Nothing personal is ever part of a dataset: no people, e-mail addresses or
phone numbers, and only published (approved) testimonials are counted. Free
text that staff typed (event titles, venues) is scrubbed of anything shaped
like an e-mail address or a phone number, in case one slipped in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tracker.dashboards.figures import program_funnels
from tracker.dashboards.filters import Filters, Reference, reference_data
from tracker.dashboards.queries import public_events
from tracker.dashboards.scalars import public_scalars, run_scalars
from tracker.dashboards.series import enrollment_counts
from tracker.extensions import db
from tracker.models import Country, Event, Program

EMAIL_PATTERN = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# International (+385 51 000 000) and local (051/000-000) phone shapes.
PHONE_PATTERN = re.compile(
    r"(\+\d{1,3}[\s./-]?\(?\d{1,4}\)?([\s./-]?\d{2,4}){2,})"
    r"|(\b0\d{1,3}[\s/-]\d{3}[\s-]?\d{3,4}\b)"
)
REMOVED = "[removed]"


def scrub(text: str | None) -> str:
    """``text`` without e-mail addresses or phone numbers."""
    if not text:
        return ""
    return PHONE_PATTERN.sub(REMOVED, EMAIL_PATTERN.sub(REMOVED, text))


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    rows: Callable[[], list[dict[str, Any]]]


FIGURE_LABELS = {
    "municipalities_engaged": "Municipalities taking part in at least one program",
    "countries": "Countries of those municipalities",
    "public_events_held": "Public events held so far",
    "testimonials_published": "Testimonials published",
}


def figure_rows() -> list[dict[str, Any]]:
    figures = run_scalars(public_scalars(Filters()))
    return [
        {"figure": name, "description": FIGURE_LABELS[name], "value": figures[name]}
        for name in FIGURE_LABELS
    ]


def stage_rows(reference: Reference | None = None) -> list[dict[str, Any]]:
    reference = reference or reference_data()
    filters = Filters()
    funnels = program_funnels(reference, filters, enrollment_counts(filters), [])
    return [
        {
            "program_code": funnel.program.code,
            "program_name": funnel.program.name,
            "stage_position": item.stage.position,
            "stage_code": item.stage.code,
            "stage_name": item.stage.name,
            "stage_kind": str(item.stage.kind),
            "municipalities": item.enrollments,
        }
        for funnel in funnels
        for item in funnel.stages
    ]


def country_rows() -> list[dict[str, Any]]:
    reference = reference_data()
    codes = {program.id: program for program in reference.programs}
    cells: dict[tuple[str, str], int] = {}
    for row in enrollment_counts(Filters()):
        key = (row.country, codes[row.program_id].code)
        cells[key] = cells.get(key, 0) + row.n
    return [
        {
            "country_code": country,
            "country_name": reference.country_name(country),
            "program_code": program,
            "municipalities": n,
        }
        for (country, program), n in sorted(
            cells.items(),
            key=lambda item: (reference.country_name(item[0][0]), item[0][1]),
        )
    ]


def event_rows() -> list[dict[str, Any]]:
    rows = db.session.execute(
        public_events(
            Event.id,
            Event.title,
            Event.kind,
            Event.starts_on,
            Event.ends_on,
            Event.city,
            Country.code.label("country_code"),
            Country.name.label("country_name"),
            Event.venue,
            Program.code.label("program_code"),
        )
    )
    return [
        {
            "id": row.id,
            "title": scrub(row.title),
            "kind": str(row.kind),
            "starts_on": row.starts_on.isoformat(),
            "ends_on": row.ends_on.isoformat(),
            "city": scrub(row.city),
            "country_code": row.country_code,
            "country_name": row.country_name,
            "venue": scrub(row.venue),
            "program_code": row.program_code,
        }
        for row in rows
    ]


DATASETS: dict[str, Dataset] = {
    dataset.name: dataset
    for dataset in (
        Dataset(
            "figures",
            "Key figures",
            "The program's headline figures, as on the home page.",
            (
                Field("figure", "text", "Name of the figure."),
                Field("description", "text", "What the figure counts."),
                Field("value", "integer", "The count."),
            ),
            figure_rows,
        ),
        Dataset(
            "enrollments-by-stage",
            "Municipalities per program and stage",
            "How many municipalities are at each stage of each program today.",
            (
                Field("program_code", "text", "ACP, ILTP or MFSA."),
                Field("program_name", "text", "The program's name."),
                Field(
                    "stage_position", "integer", "Order in the program (lowest first)."
                ),
                Field("stage_code", "text", "The stage's short code."),
                Field("stage_name", "text", "The stage's name."),
                Field(
                    "stage_kind",
                    "text",
                    "working (in progress), completed or withdrawn.",
                ),
                Field("municipalities", "integer", "Municipalities at the stage."),
            ),
            stage_rows,
        ),
        Dataset(
            "enrollments-by-country",
            "Municipalities per country and program",
            "How many municipalities of each country take part in each program.",
            (
                Field("country_code", "text", "ISO 3166-1 alpha-2 (Kosovo: XK)."),
                Field("country_name", "text", "The country's name."),
                Field("program_code", "text", "ACP, ILTP or MFSA."),
                Field("municipalities", "integer", "Municipalities enrolled."),
            ),
            country_rows,
        ),
        Dataset(
            "events",
            "Public events",
            "Summits, study weeks, study tours, trainings, workshops and "
            "conferences of the program that are public, newest first.",
            (
                Field("id", "integer", "The event's number in UPP Tracker."),
                Field("title", "text", "The event's title."),
                Field(
                    "kind",
                    "text",
                    "summit, study_week, study_tour, training, workshop or conference.",
                ),
                Field("starts_on", "date", "First day (YYYY-MM-DD)."),
                Field("ends_on", "date", "Last day (YYYY-MM-DD)."),
                Field("city", "text", "Where it took place."),
                Field("country_code", "text", "ISO 3166-1 alpha-2, if known."),
                Field("country_name", "text", "The country's name, if known."),
                Field("venue", "text", "The venue, if known."),
                Field("program_code", "text", "The program it belongs to, if any."),
            ),
            event_rows,
        ),
    )
}
