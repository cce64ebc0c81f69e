"""Read queries about programs and enrollments: lists, figures, shared partials.

``filtered_enrollments`` answers the enrollment list, the program page's list
of municipalities and ``GET /api/v1/enrollments`` alike, so they always agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.lists import Sorting, int_arg, matches, search_text
from tracker.models import (
    Cohort,
    Country,
    Enrollment,
    Municipality,
    Program,
    Stage,
    StageChange,
    StageKind,
    User,
)
from tracker.models.programs import describe_days

ENROLLMENT_SORTING = Sorting(
    columns={
        "municipality": Municipality.name,
        "country": Country.name,
        "program": Program.code,
        "stage": Stage.position,
        "cohort": Cohort.year,
        "applied": Enrollment.applied_on,
    },
    default="municipality",
    tiebreaker=Enrollment.id,
)


def _code(args: Mapping[str, str], name: str, max_length: int = 40) -> str | None:
    raw = (args.get(name) or "").strip()
    return raw if raw and len(raw) <= max_length else None


def filtered_enrollments(args: Mapping[str, str], viewer: User | None = None) -> Select:
    """Enrollments matching the URL's filters, sorted, with what a list shows.

    Filters: ``program`` (code), ``stage`` (code), ``country`` (ISO code),
    ``cohort`` (id), ``year`` (the cohort's year), ``q`` (municipality or
    country name). A ``viewer`` who is not staff sees only their own
    municipality's enrollments.
    """
    query = (
        select(Enrollment)
        .join(Enrollment.municipality)
        .join(Municipality.country)
        .join(Enrollment.program)
        .join(Enrollment.current_stage)
        .outerjoin(Enrollment.cohort)
        .options(
            selectinload(Enrollment.municipality).selectinload(Municipality.country),
            selectinload(Enrollment.program),
            selectinload(Enrollment.cohort),
            selectinload(Enrollment.current_stage),
            selectinload(Enrollment.stage_changes),
        )
    )
    if viewer is not None and not viewer.is_staff:
        query = query.where(Enrollment.municipality_id == viewer.municipality_id)
    if program := _code(args, "program", 10):
        query = query.where(Program.code == program.upper())
    if stage := _code(args, "stage"):
        query = query.where(Stage.code == stage)
    if country := _code(args, "country", 2):
        query = query.where(Country.code == country.upper())
    if (cohort := int_arg(args, "cohort")) is not None:
        query = query.where(Enrollment.cohort_id == cohort)
    if (year := int_arg(args, "year")) is not None:
        query = query.where(Cohort.year == year)
    if text := search_text(args):
        query = query.where(matches(text, Municipality.name, Country.name))
    return ENROLLMENT_SORTING.apply(query, args)


@dataclass
class ProgramFigures:
    """How many municipalities stand where in one program."""

    by_stage: dict[int, int] = field(default_factory=dict)
    countries: int = 0
    total: int = 0
    at_first_stage: int = 0
    taking_part: int = 0  # past the first stage, not withdrawn (includes completed)
    completed: int = 0
    withdrawn: int = 0


def figures_by_program(programs: list[Program]) -> dict[int, ProgramFigures]:
    """Stage counts and countries for each program, in two queries whatever the size.

    The programs' stages must be loaded (they classify the counts).
    """
    figures = {program.id: ProgramFigures() for program in programs}
    ids = list(figures)
    rows = db.session.execute(
        select(Enrollment.program_id, Enrollment.current_stage_id, func.count())
        .where(Enrollment.program_id.in_(ids))
        .group_by(Enrollment.program_id, Enrollment.current_stage_id)
    )
    for program_id, stage_id, count in rows:
        figures[program_id].by_stage[stage_id] = count
    countries = db.session.execute(
        select(Enrollment.program_id, func.count(distinct(Municipality.country_id)))
        .join(Enrollment.municipality)
        .where(Enrollment.program_id.in_(ids))
        .group_by(Enrollment.program_id)
    )
    for program_id, count in countries:
        figures[program_id].countries = count
    for program in programs:
        result = figures[program.id]
        first = program.first_stage
        for stage in program.stages:
            count = result.by_stage.get(stage.id, 0)
            result.total += count
            if stage.kind == StageKind.WITHDRAWN:
                result.withdrawn += count
            elif stage is first:
                result.at_first_stage += count
            else:
                result.taking_part += count
            if stage.kind == StageKind.COMPLETED:
                result.completed += count
    return figures


def programs_with_stages() -> list[Program]:
    return list(
        db.session.scalars(
            select(Program)
            .options(selectinload(Program.stages), selectinload(Program.cohorts))
            .order_by(Program.code)
        )
    )


def program_by_code(code: str) -> Program | None:
    """A program with its stages and cohorts loaded; codes match in any case."""
    return db.session.scalar(
        select(Program)
        .where(Program.code == code.upper())
        .options(selectinload(Program.stages), selectinload(Program.cohorts))
    )


def cohort_counts(program: Program) -> dict[int, int]:
    """How many enrollments each of the program's cohorts holds."""
    return dict(
        db.session.execute(
            select(Enrollment.cohort_id, func.count())
            .where(
                Enrollment.program_id == program.id, Enrollment.cohort_id.is_not(None)
            )
            .group_by(Enrollment.cohort_id)
        ).all()
    )


def recent_stage_changes(
    program: Program, viewer: User, limit: int = 10
) -> list[StageChange]:
    """The program's newest stage changes that ``viewer`` may see."""
    query = (
        select(StageChange)
        .join(StageChange.enrollment)
        .where(Enrollment.program_id == program.id)
        .options(
            selectinload(StageChange.enrollment).selectinload(Enrollment.municipality),
            selectinload(StageChange.from_stage),
            selectinload(StageChange.to_stage),
            selectinload(StageChange.recorded_by),
        )
        .order_by(
            StageChange.effective_on.desc(),
            StageChange.recorded_at.desc(),
            StageChange.id.desc(),
        )
        .limit(limit)
    )
    if not viewer.is_staff:
        query = query.where(Enrollment.municipality_id == viewer.municipality_id)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class StageStay:
    """How long enrollments stayed in one stage before moving on."""

    stage_id: int
    finished: int  # stays that ended with a move to another stage
    average_days: float | None

    @property
    def average(self) -> str:
        """The average stay in words ("5 months"), or "" without finished stays."""
        if self.average_days is None:
            return ""
        return describe_days(round(self.average_days))


def stage_durations(program: Program) -> dict[int, StageStay]:
    """Average time spent in each stage, over stays that have ended.

    Reads three columns per history row, in one query.
    """
    rows = db.session.execute(
        select(
            StageChange.enrollment_id,
            StageChange.to_stage_id,
            StageChange.effective_on,
        )
        .join(StageChange.enrollment)
        .where(Enrollment.program_id == program.id)
        .order_by(StageChange.enrollment_id, StageChange.effective_on, StageChange.id)
    ).all()
    stays: dict[int, list[int]] = defaultdict(list)
    for current, following in zip(rows, rows[1:], strict=False):
        if current.enrollment_id == following.enrollment_id:
            stays[current.to_stage_id].append(
                (following.effective_on - current.effective_on).days
            )
    return {
        stage.id: StageStay(
            stage.id,
            len(stays[stage.id]),
            sum(stays[stage.id]) / len(stays[stage.id]) if stays[stage.id] else None,
        )
        for stage in program.stages
    }


def municipality_enrollments(municipality_id: int) -> list[Enrollment]:
    """A municipality's enrollments with their stage history and assessments.

    A fixed number of queries however many enrollments, changes and
    assessments there are; ``templates/programs/_municipality_enrollments.html``
    renders the result.
    """
    return list(
        db.session.scalars(
            select(Enrollment)
            .join(Enrollment.program)
            .where(Enrollment.municipality_id == municipality_id)
            .options(
                selectinload(Enrollment.program),
                selectinload(Enrollment.cohort),
                selectinload(Enrollment.current_stage),
                selectinload(Enrollment.stage_changes).options(
                    selectinload(StageChange.from_stage),
                    selectinload(StageChange.to_stage),
                    selectinload(StageChange.recorded_by),
                ),
                selectinload(Enrollment.assessments),
            )
            .order_by(Program.code, Enrollment.id)
        )
    )


def enrollment_for_page(enrollment_id: int) -> Enrollment | None:
    """One enrollment with everything its page shows, in a fixed number of queries."""
    return db.session.scalar(
        select(Enrollment)
        .where(Enrollment.id == enrollment_id)
        .options(
            selectinload(Enrollment.municipality).selectinload(Municipality.country),
            selectinload(Enrollment.program).selectinload(Program.stages),
            selectinload(Enrollment.cohort),
            selectinload(Enrollment.current_stage),
            selectinload(Enrollment.stage_changes).options(
                selectinload(StageChange.from_stage),
                selectinload(StageChange.to_stage),
                selectinload(StageChange.recorded_by),
            ),
            selectinload(Enrollment.assessments),
        )
    )
