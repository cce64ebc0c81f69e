"""What the dashboard's filters select, and the reference data they choose from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    select,
)

from tracker.extensions import db
from tracker.models import (
    Country,
    Program,
    Stage,
    StageKind,
    utcnow,
)
from tracker.translation import gettext as _
from tracker.translation import lazy_gettext as _l

YEAR_MIN = 1990


YEAR_MAX = 2100


# Lazy: shown in the reader's language (the cached dashboard holds it).
NO_COUNTRY = _l("No municipality")


@dataclass(frozen=True)
class Filters:
    """Program code, country ISO code and an inclusive year range; all optional."""

    program: str | None = None
    country: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    # One clock for the whole request, so every figure agrees on "today".
    now: datetime = field(default_factory=utcnow)

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def first_day(self) -> date | None:
        return date(self.year_from, 1, 1) if self.year_from else None

    @property
    def last_day(self) -> date | None:
        return date(self.year_to, 12, 31) if self.year_to else None

    def as_args(self) -> dict[str, str]:
        """The filters as URL query arguments (what the dashboard links carry)."""
        args = {
            "program": self.program,
            "country": self.country,
            "from": str(self.year_from) if self.year_from else None,
            "to": str(self.year_to) if self.year_to else None,
        }
        return {key: value for key, value in args.items() if value}

    def as_dict(self) -> dict[str, Any]:
        return {
            "program": self.program,
            "country": self.country,
            "from": self.year_from,
            "to": self.year_to,
        }

    @property
    def is_empty(self) -> bool:
        return not self.as_args()

    def slug(self) -> str:
        """A file-name part naming the filters: ``ACP_HR_2012-2017``."""
        parts = [self.program or "", self.country or ""]
        if self.year_from or self.year_to:
            parts.append(f"{self.year_from or ''}-{self.year_to or ''}")
        return "_".join(part for part in parts if part)


@dataclass(frozen=True)
class StageInfo:
    id: int
    code: str
    name: str
    position: int
    kind: StageKind


@dataclass(frozen=True)
class ProgramInfo:
    id: int
    code: str
    name: str
    required_trainings: int | None
    stages: tuple[StageInfo, ...]

    @property
    def first_stage_id(self) -> int | None:
        """The entry stage ("ready to join"): the first stage still in progress."""
        working = [stage for stage in self.stages if stage.kind == StageKind.WORKING]
        return working[0].id if working else None


@dataclass(frozen=True)
class Reference:
    """Programs with their stages, and countries: the filters' choices."""

    programs: tuple[ProgramInfo, ...]
    countries: tuple[tuple[str, str], ...]

    @property
    def program_codes(self) -> list[str]:
        return [program.code for program in self.programs]

    @property
    def country_codes(self) -> list[str]:
        return [code for code, _ in self.countries]

    def country_name(self, code: str | None) -> str:
        return dict(self.countries).get(code or "", NO_COUNTRY)

    def program(self, code: str | None) -> ProgramInfo | None:
        return next((p for p in self.programs if p.code == code), None)

    def selected_programs(self, filters: Filters) -> tuple[ProgramInfo, ...]:
        if filters.program is None:
            return self.programs
        return tuple(p for p in self.programs if p.code == filters.program)

    @property
    def stages_by_id(self) -> dict[int, tuple[ProgramInfo, StageInfo]]:
        return {
            stage.id: (program, stage)
            for program in self.programs
            for stage in program.stages
        }


def reference_data() -> Reference:
    """Programs and stages (one query) and countries (one query)."""
    programs: dict[int, dict[str, Any]] = {}
    rows = db.session.execute(
        select(
            Program.id,
            Program.code,
            Program.name,
            Program.required_trainings,
            Stage.id.label("stage_id"),
            Stage.code.label("stage_code"),
            Stage.name.label("stage_name"),
            Stage.position,
            Stage.kind,
        )
        .outerjoin(Stage, Stage.program_id == Program.id)
        .order_by(Program.code, Stage.position)
    )
    for row in rows:
        program = programs.setdefault(
            row.id,
            {
                "id": row.id,
                "code": row.code,
                "name": row.name,
                "required_trainings": row.required_trainings,
                "stages": [],
            },
        )
        if row.stage_id is not None:
            program["stages"].append(
                StageInfo(
                    row.stage_id, row.stage_code, row.stage_name, row.position, row.kind
                )
            )
    countries = db.session.execute(
        select(Country.code, Country.name).order_by(Country.name)
    )
    return Reference(
        programs=tuple(
            ProgramInfo(**{**program, "stages": tuple(program["stages"])})
            for program in programs.values()
        ),
        countries=tuple((code, name) for code, name in countries),
    )


def parse_filters(
    args: Mapping[str, str], reference: Reference, now: datetime | None = None
) -> tuple[Filters, list[tuple[str, str]]]:
    """Filters from URL arguments, and the problems found as (parameter, message).

    A value that is not understood is dropped (and reported); a reversed year
    range is swapped (and reported). The dashboard shows the problems, the API
    refuses the request with them.
    """
    problems: list[tuple[str, str]] = []

    def code(name: str, known: list[str]) -> str | None:
        raw = (args.get(name) or "").strip()
        if not raw:
            return None
        by_upper = {value.upper(): value for value in known}
        if raw.upper() not in by_upper:
            choices = ", ".join(known) if known else _("none is recorded yet")
            problems.append((name, _("must be one of: %(choices)s.", choices=choices)))
            return None
        return by_upper[raw.upper()]

    def year(name: str) -> int | None:
        raw = (args.get(name) or "").strip()
        if not raw:
            return None
        if not raw.isdigit() or not YEAR_MIN <= int(raw) <= YEAR_MAX:
            problems.append(
                (
                    name,
                    _(
                        "must be a year between %(min)d and %(max)d.",
                        min=YEAR_MIN,
                        max=YEAR_MAX,
                    ),
                )
            )
            return None
        return int(raw)

    program = code("program", reference.program_codes)
    country = code("country", reference.country_codes)
    year_from, year_to = year("from"), year("to")
    if year_from and year_to and year_from > year_to:
        problems.append(("from", _("must not be after 'to'; the years were swapped.")))
        year_from, year_to = year_to, year_from
    filters = Filters(program, country, year_from, year_to, now=now or utcnow())
    return filters, problems
