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
from tracker.translation import lazy_gettext as _l

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


# Titles, descriptions and our own texts in the rows are lazy: each page and
# file reads in its reader's language (``str()`` where they become JSON/CSV).
FIGURE_LABELS = {
    "municipalities_engaged": _l("Municipalities taking part in at least one program"),
    "countries": _l("Countries of those municipalities"),
    "public_events_held": _l("Public events held so far"),
    "testimonials_published": _l("Testimonials published"),
}


def figure_rows() -> list[dict[str, Any]]:
    figures = run_scalars(public_scalars(Filters()))
    return [
        {
            "figure": name,
            "description": str(FIGURE_LABELS[name]),
            "value": figures[name],
        }
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
            "country_name": str(reference.country_name(country)),
            "program_code": program,
            "municipalities": n,
        }
        for (country, program), n in sorted(
            cells.items(),
            key=lambda item: (str(reference.country_name(item[0][0])), item[0][1]),
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
            _l("Key figures"),
            _l("The program's headline figures, as on the home page."),
            (
                Field("figure", "text", _l("Name of the figure.")),
                Field("description", "text", _l("What the figure counts.")),
                Field("value", "integer", _l("The count.")),
            ),
            figure_rows,
        ),
        Dataset(
            "enrollments-by-stage",
            _l("Municipalities per program and stage"),
            _l("How many municipalities are at each stage of each program today."),
            (
                Field("program_code", "text", _l("ACP, ILTP or MFSA.")),
                Field("program_name", "text", _l("The program's name.")),
                Field(
                    "stage_position",
                    "integer",
                    _l("Order in the program (lowest first)."),
                ),
                Field("stage_code", "text", _l("The stage's short code.")),
                Field("stage_name", "text", _l("The stage's name.")),
                Field(
                    "stage_kind",
                    "text",
                    _l("working (in progress), completed or withdrawn."),
                ),
                Field("municipalities", "integer", _l("Municipalities at the stage.")),
            ),
            stage_rows,
        ),
        Dataset(
            "enrollments-by-country",
            _l("Municipalities per country and program"),
            _l("How many municipalities of each country take part in each program."),
            (
                Field("country_code", "text", _l("ISO 3166-1 alpha-2 (Kosovo: XK).")),
                Field("country_name", "text", _l("The country's name.")),
                Field("program_code", "text", _l("ACP, ILTP or MFSA.")),
                Field("municipalities", "integer", _l("Municipalities enrolled.")),
            ),
            country_rows,
        ),
        Dataset(
            "events",
            _l("Public events"),
            _l(
                "Summits, study weeks, study tours, trainings, workshops and "
                "conferences of the program that are public, newest first."
            ),
            (
                Field("id", "integer", _l("The event's number in UPP Tracker.")),
                Field("title", "text", _l("The event's title.")),
                Field(
                    "kind",
                    "text",
                    _l(
                        "summit, study_week, study_tour, training, workshop or "
                        "conference."
                    ),
                ),
                Field("starts_on", "date", _l("First day (YYYY-MM-DD).")),
                Field("ends_on", "date", _l("Last day (YYYY-MM-DD).")),
                Field("city", "text", _l("Where it took place.")),
                Field("country_code", "text", _l("ISO 3166-1 alpha-2, if known.")),
                Field("country_name", "text", _l("The country's name, if known.")),
                Field("venue", "text", _l("The venue, if known.")),
                Field("program_code", "text", _l("The program it belongs to, if any.")),
            ),
            event_rows,
        ),
    )
}
