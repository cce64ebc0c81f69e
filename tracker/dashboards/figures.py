"""The dashboard's charts, program funnels and figures, built from the query rows.

Pure Python over the rows that ``queries.py`` returns: no queries here except
through the functions it calls. A chart is a table of numbers (``ChartTable``)
that the page draws, shows as a table and offers as CSV, and that the API
returns, so all four always agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tracker.cache import cached
from tracker.dashboards.filters import (
    NO_COUNTRY,
    Filters,
    ProgramInfo,
    Reference,
    StageInfo,
)
from tracker.dashboards.scalars import ILTP_CODE, dashboard_scalars, run_scalars
from tracker.dashboards.series import (
    assessment_means,
    enrollment_counts,
    participation_counts,
    stage_medians,
    yearly_counts,
)
from tracker.models import ASSESSMENT_AREAS, AssessmentKind, StageKind
from tracker.translation import LazyText, ngettext
from tracker.translation import lazy_gettext as _l

# --- Charts: each built from one grouped query ------------------------------
#
# A chart's texts (title, description, headings, our own labels) are lazy:
# the cached dashboard serves readers of every language, so each page, CSV
# and JSON answer turns them into text in its reader's language.


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[int | float | None, ...]


@dataclass(frozen=True)
class ChartTable:
    """A chart's numbers: one row per label, one column per series.

    The dashboard draws it, shows it as a table and offers it as CSV; the
    API returns it: always the same numbers.
    """

    name: str
    title: str
    description: str
    label_heading: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    kind: str = "bar"
    stacked: bool = False
    horizontal: bool = False

    @property
    def header(self) -> list[str]:
        return [str(self.label_heading), *(str(series.label) for series in self.series)]

    @property
    def rows(self) -> list[list[Any]]:
        return [
            [str(label), *(series.values[index] for series in self.series)]
            for index, label in enumerate(self.labels)
        ]

    @property
    def is_empty(self) -> bool:
        return not self.labels

    def chart_data(self) -> dict[str, Any]:
        """What ``static/js/dashboard.js`` draws: labels and one list per series."""
        return {
            "labels": [str(label) for label in self.labels],
            "series": [
                {"label": str(series.label), "values": list(series.values)}
                for series in self.series
            ],
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": str(self.title),
            "description": str(self.description),
            "columns": self.header,
            "rows": self.rows,
        }


def _stage_columns(programs: Iterable[ProgramInfo]) -> list[tuple[str, str]]:
    """Stage (code, name) across programs: in-progress stages by position, then
    completed, then withdrawn; programs sharing a stage code share a column."""
    kind_rank = {StageKind.WORKING: 0, StageKind.COMPLETED: 1, StageKind.WITHDRAWN: 2}
    seen: dict[str, tuple[int, int, int, str]] = {}
    for program_rank, program in enumerate(programs):
        for stage in program.stages:
            key = (kind_rank[stage.kind], stage.position, program_rank, stage.name)
            if stage.code not in seen or key < seen[stage.code]:
                seen[stage.code] = key
    return [
        (code, key[3]) for code, key in sorted(seen.items(), key=lambda item: item[1])
    ]


def chart_enrollments_by_stage(
    reference: Reference, filters: Filters, counts: list[Any]
) -> ChartTable:
    programs = reference.selected_programs(filters)
    per_stage: dict[int, int] = defaultdict(int)
    for row in counts:
        per_stage[row.current_stage_id] += row.n
    columns = _stage_columns(programs)
    series = []
    for code, name in columns:
        values = []
        for program in programs:
            stage = next((s for s in program.stages if s.code == code), None)
            values.append(None if stage is None else per_stage[stage.id])
        series.append(Series(name, tuple(values)))
    return ChartTable(
        name="enrollments-by-stage",
        title=_l("Enrollments by stage, per program"),
        description=_l(
            "Enrollments in each program by their current stage. "
            "A dash means the program has no such stage."
        ),
        label_heading=_l("Program"),
        labels=tuple(program.code for program in programs),
        series=tuple(series),
        stacked=True,
        horizontal=True,
    )


def chart_enrollments_by_country(
    reference: Reference, filters: Filters, counts: list[Any]
) -> ChartTable:
    programs = reference.selected_programs(filters)
    cells: dict[tuple[str, int], int] = defaultdict(int)
    for row in counts:
        cells[(row.country, row.program_id)] += row.n
    countries = sorted({country for country, _ in cells}, key=reference.country_name)
    return ChartTable(
        name="enrollments-by-country",
        title=_l("Enrollments by country"),
        description=_l("Enrollments of each country's municipalities, per program."),
        label_heading=_l("Country"),
        labels=tuple(reference.country_name(code) for code in countries),
        series=tuple(
            Series(
                program.code,
                tuple(cells.get((country, program.id), 0) for country in countries),
            )
            for program in programs
        ),
        stacked=True,
    )


def _year_axis(filters: Filters, years: Iterable[int]) -> list[int]:
    """Every year of the range asked for, or of the data when none was asked."""
    present = sorted(set(years))
    first = filters.year_from or (present[0] if present else None)
    last = filters.year_to or (present[-1] if present else None)
    if first is None or last is None:
        return []
    return list(range(first, last + 1))


def chart_enrollments_by_year(
    reference: Reference, filters: Filters, counts: list[Any]
) -> ChartTable:
    cells = {(row.series, int(row.year)): row.n for row in counts}
    years = _year_axis(filters, (year for _, year in cells))
    return ChartTable(
        name="enrollments-by-year",
        title=_l("New enrollments and stage changes per year"),
        description=_l(
            "New enrollments by the year they started; stage changes "
            "(moves from one stage to another) by the year they took effect."
        ),
        label_heading=_l("Year"),
        labels=tuple(str(year) for year in years),
        series=(
            Series(
                _l("New enrollments"), tuple(cells.get(("new", y), 0) for y in years)
            ),
            Series(
                _l("Stage changes"), tuple(cells.get(("moves", y), 0) for y in years)
            ),
        ),
    )


def chart_participation_by_country(
    reference: Reference, filters: Filters, counts: list[Any]
) -> ChartTable:
    per_country: dict[str | None, int] = defaultdict(int)
    for row in counts:
        per_country[row.country] += row.n
    countries = sorted(
        per_country, key=lambda code: (code is None, reference.country_name(code))
    )
    return ChartTable(
        name="participation-by-country",
        title=_l("Event participation by country"),
        description=_l(
            "Attendances at events, by the country of the municipality each "
            "person represented (“%(none)s”: outside speakers and experts).",
            none=NO_COUNTRY,
        ),
        label_heading=_l("Country"),
        labels=tuple(reference.country_name(code) for code in countries),
        series=(
            Series(_l("Attendances"), tuple(per_country[code] for code in countries)),
        ),
    )


def chart_participation_by_year(
    reference: Reference, filters: Filters, counts: list[Any]
) -> ChartTable:
    per_year: dict[int, int] = defaultdict(int)
    for row in counts:
        per_year[int(row.year)] += row.n
    years = _year_axis(filters, per_year)
    return ChartTable(
        name="participation-by-year",
        title=_l("Event participation by year"),
        description=_l("Attendances at events, by the year the event started."),
        label_heading=_l("Year"),
        labels=tuple(str(year) for year in years),
        series=(Series(_l("Attendances"), tuple(per_year.get(y, 0) for y in years)),),
    )


def chart_assessments(
    reference: Reference, filters: Filters, means: list[Any]
) -> ChartTable:
    by_kind = {row.kind: row for row in means}
    compared = by_kind[AssessmentKind.BASELINE].n if by_kind else 0

    def values(kind: AssessmentKind) -> tuple[float | None, ...]:
        row = by_kind.get(kind)
        return tuple(
            None if row is None else round(float(getattr(row, area)), 1)
            for area in ASSESSMENT_AREAS
        )

    return ChartTable(
        name="assessments-by-area",
        title=_l("Assessment scores: baseline and latest follow-up"),
        description=LazyText(_assessments_description, compared),
        label_heading=_l("Area"),
        labels=tuple(ASSESSMENT_AREAS.values()) if by_kind else (),
        series=(
            Series(_l("Baseline"), values(AssessmentKind.BASELINE)),
            Series(_l("Latest follow-up"), values(AssessmentKind.FOLLOW_UP)),
        ),
    )


def _assessments_description(compared: int) -> str:
    return ngettext(
        "Mean score per area (0–100; higher means more dysfunction) of the "
        "%(num)d enrollment with both a baseline and a follow-up assessment: "
        "their first baseline and their latest follow-up.",
        "Mean score per area (0–100; higher means more dysfunction) of the "
        "%(num)d enrollments with both a baseline and a follow-up assessment: "
        "their first baseline and their latest follow-up.",
        compared,
    )


@dataclass(frozen=True)
class ChartSpec:
    name: str
    source: Callable[[Filters], list[Any]]
    build: Callable[[Reference, Filters, list[Any]], ChartTable]


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("enrollments-by-stage", enrollment_counts, chart_enrollments_by_stage),
    ChartSpec(
        "enrollments-by-country", enrollment_counts, chart_enrollments_by_country
    ),
    ChartSpec("enrollments-by-year", yearly_counts, chart_enrollments_by_year),
    ChartSpec(
        "participation-by-country", participation_counts, chart_participation_by_country
    ),
    ChartSpec(
        "participation-by-year", participation_counts, chart_participation_by_year
    ),
    ChartSpec("assessments-by-area", assessment_means, chart_assessments),
)
CHART_NAMES = tuple(spec.name for spec in CHARTS)


def build_charts(
    reference: Reference,
    filters: Filters,
    names: Iterable[str] | None = None,
    sources: dict[Callable, list[Any]] | None = None,
) -> dict[str, ChartTable]:
    """The charts asked for (all by default), running each source query once."""
    wanted = set(names) if names is not None else set(CHART_NAMES)
    sources = sources if sources is not None else {}
    charts = {}
    for spec in CHARTS:
        if spec.name not in wanted:
            continue
        if spec.source not in sources:
            sources[spec.source] = spec.source(filters)
        charts[spec.name] = spec.build(reference, filters, sources[spec.source])
    return charts


# --- Program funnel -------------------------------------------------------


@dataclass(frozen=True)
class FunnelStage:
    stage: StageInfo
    enrollments: int
    median_days: float | None
    stays_measured: int


@dataclass(frozen=True)
class ProgramFunnel:
    program: ProgramInfo
    stages: tuple[FunnelStage, ...]

    @property
    def total(self) -> int:
        return sum(stage.enrollments for stage in self.stages)

    def count(self, kind: StageKind) -> int:
        return sum(s.enrollments for s in self.stages if s.stage.kind == kind)

    @property
    def ready_to_join(self) -> int:
        first = self.program.first_stage_id
        return sum(s.enrollments for s in self.stages if s.stage.id == first)


def program_funnels(
    reference: Reference,
    filters: Filters,
    counts: list[Any],
    medians: list[Any],
) -> list[ProgramFunnel]:
    """Per program: enrollments per current stage, and median days spent in each.

    ``medians`` are ``stage_medians`` rows: only finished stays count (a
    municipality still in a stage has not finished its time there).
    """
    per_stage: dict[int, int] = defaultdict(int)
    for row in counts:
        per_stage[row.current_stage_id] += row.n
    stays = {row.stage_id: row for row in medians}

    def median(stage: StageInfo) -> float | None:
        row = stays.get(stage.id)
        if row is None:
            return None
        # As statistics.median: the middle stay itself, or the mean of two.
        return int(row.median) if row.measured % 2 else float(row.median)

    return [
        ProgramFunnel(
            program,
            tuple(
                FunnelStage(
                    stage,
                    per_stage[stage.id],
                    median(stage),
                    stays[stage.id].measured if stage.id in stays else 0,
                )
                for stage in program.stages
            ),
        )
        for program in reference.selected_programs(filters)
    ]


# --- The whole dashboard --------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    filters: Filters
    figures: dict[str, int]
    funnels: list[ProgramFunnel]
    charts: dict[str, ChartTable]
    data_quality: dict[str, int]
    iltp_required_trainings: int | None

    def as_dict(self) -> dict[str, Any]:
        """The dashboard's numbers as JSON for ``/api/v1/stats``."""
        return {
            "filters": self.filters.as_dict(),
            "figures": {
                **self.figures,
                "iltp_required_trainings": self.iltp_required_trainings,
            },
            "programs": [
                {
                    "code": funnel.program.code,
                    "name": funnel.program.name,
                    "enrollments": funnel.total,
                    "ready_to_join": funnel.ready_to_join,
                    "completed": funnel.count(StageKind.COMPLETED),
                    "withdrawn": funnel.count(StageKind.WITHDRAWN),
                    "stages": [
                        {
                            "code": item.stage.code,
                            "name": item.stage.name,
                            "kind": str(item.stage.kind),
                            "position": item.stage.position,
                            "enrollments": item.enrollments,
                            "median_days": item.median_days,
                            "stays_measured": item.stays_measured,
                        }
                        for item in funnel.stages
                    ],
                }
                for funnel in self.funnels
            ],
            "charts": {name: chart.as_dict() for name, chart in self.charts.items()},
            "data_quality": self.data_quality,
        }


def build_dashboard(reference: Reference, filters: Filters) -> Dashboard:
    """Every figure, chart, funnel and data-quality count, computed once per
    change of the data (``tracker.cache``): six queries when it is computed.

    "Now" counts to the minute: waiting times and "held so far" move on with
    the clock, not only with writes.
    """
    key = (
        filters.program,
        filters.country,
        filters.year_from,
        filters.year_to,
        filters.now.replace(second=0, microsecond=0),
    )
    return cached("dashboard", key, lambda: _compute_dashboard(reference, filters))


def _compute_dashboard(reference: Reference, filters: Filters) -> Dashboard:
    scalars = run_scalars(dashboard_scalars(filters))
    counts = enrollment_counts(filters)
    charts = build_charts(reference, filters, sources={enrollment_counts: counts})
    funnels = program_funnels(reference, filters, counts, stage_medians(filters))
    figures = {
        name: value for name, value in scalars.items() if not name.startswith("dq_")
    }
    figures["ready_to_join"] = sum(funnel.ready_to_join for funnel in funnels)
    figures["completed"] = sum(f.count(StageKind.COMPLETED) for f in funnels)
    iltp = reference.program(ILTP_CODE)
    return Dashboard(
        filters=filters,
        figures=figures,
        funnels=funnels,
        charts=charts,
        data_quality={
            name.removeprefix("dq_"): value
            for name, value in scalars.items()
            if name.startswith("dq_")
        },
        iltp_required_trainings=iltp.required_trainings if iltp else None,
    )
