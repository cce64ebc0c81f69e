"""Read queries about programs and enrollments: lists, figures, shared partials.

``filtered_enrollments`` answers the enrollment list, the program page's list
of municipalities and ``GET /api/v1/enrollments`` alike, so they always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import (
    Float,
    Select,
    cast,
    distinct,
    exists,
    func,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import joinedload, selectinload

from tracker.cache import cached
from tracker.collation import alphabetical
from tracker.extensions import db
from tracker.models import (
    Country,
    Enrollment,
    Event,
    Municipality,
    Program,
    StageChange,
    StageKind,
    User,
)
from tracker.models.enrollments import describe_days
from tracker.sql import days_between


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


@dataclass
class ProgramFigures:
    """How many municipalities stand where in one program."""

    by_stage: dict[int, int] = field(default_factory=dict)
    by_cohort: dict[int, int] = field(default_factory=dict)
    # Per stage, the stays that have ended (only with ``with_stays=True``).
    stays: dict[int, StageStay] = field(default_factory=dict)
    countries: int = 0
    total: int = 0
    at_first_stage: int = 0
    taking_part: int = 0  # past the first stage, not withdrawn (includes completed)
    completed: int = 0
    withdrawn: int = 0


def _finished_stays(program_ids: list[int]) -> Select:
    """Per program and stage: the stays that ended, and their average days.

    A stay in a stage ends with the enrollment's next stage change; the
    database pairs each change with the next one (``lead``), so no history
    row travels to Python.
    """
    left_on = (
        func.lead(StageChange.effective_on)
        .over(
            partition_by=StageChange.enrollment_id,
            order_by=(StageChange.effective_on, StageChange.id),
        )
        .label("left_on")
    )
    stays = (
        select(
            Enrollment.program_id,
            StageChange.to_stage_id,
            StageChange.effective_on.label("entered_on"),
            left_on,
        )
        .join(StageChange.enrollment)
        .where(Enrollment.program_id.in_(program_ids))
        .subquery()
    )
    return (
        select(
            literal_column("'stay'").label("figure"),
            stays.c.program_id,
            stays.c.to_stage_id,
            func.count(),
            func.avg(days_between(stays.c.entered_on, stays.c.left_on)),
        )
        .where(stays.c.left_on.is_not(None))
        .group_by(stays.c.program_id, stays.c.to_stage_id)
    )


def figures_by_program(
    programs: list[Program], *, with_stays: bool = False
) -> dict[int, ProgramFigures]:
    """Stage and cohort counts and countries for each program, in one statement
    whatever the size; ``with_stays`` adds the average stay in each stage.

    Computed once per change of the data (``tracker.cache``). The programs'
    stages must be loaded (they classify the counts).
    """
    return cached(
        "program figures",
        (tuple(program.id for program in programs), with_stays),
        lambda: _compute_figures(programs, with_stays),
    )


def _compute_figures(
    programs: list[Program], with_stays: bool
) -> dict[int, ProgramFigures]:
    figures = {program.id: ProgramFigures() for program in programs}
    ids = list(figures)
    in_programs = Enrollment.program_id.in_(ids)
    no_average = cast(null(), Float)  # typed: PostgreSQL unions it with avg()
    parts = [
        select(
            literal_column("'stage'").label("figure"),
            Enrollment.program_id,
            Enrollment.current_stage_id,
            func.count(),
            no_average,
        )
        .where(in_programs)
        .group_by(Enrollment.program_id, Enrollment.current_stage_id),
        select(
            literal_column("'cohort'"),
            Enrollment.program_id,
            Enrollment.cohort_id,
            func.count(),
            no_average,
        )
        .where(in_programs, Enrollment.cohort_id.is_not(None))
        .group_by(Enrollment.program_id, Enrollment.cohort_id),
        select(
            literal_column("'countries'"),
            Enrollment.program_id,
            null(),
            func.count(distinct(Municipality.country_id)),
            no_average,
        )
        .join(Enrollment.municipality)
        .where(in_programs)
        .group_by(Enrollment.program_id),
    ]
    if with_stays:
        parts.append(_finished_stays(ids))
    for figure, program_id, key, count, average in db.session.execute(
        union_all(*parts)
    ):
        result = figures[program_id]
        if figure == "stage":
            result.by_stage[key] = count
        elif figure == "cohort":
            result.by_cohort[key] = count
        elif figure == "countries":
            result.countries = count
        else:
            result.stays[key] = StageStay(key, count, float(average))
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
            if with_stays:
                result.stays.setdefault(stage.id, StageStay(stage.id, 0, None))
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
    """A program with its stages and cohorts loaded; codes match in any case.

    One query: a program has a handful of stages and cohorts, so joining both
    lists in costs less than a round trip each.
    """
    return (
        db.session.execute(
            select(Program)
            .where(Program.code == code.upper())
            .options(joinedload(Program.stages), joinedload(Program.cohorts))
        )
        .unique()
        .scalar_one_or_none()
    )


def recent_stage_changes(
    program: Program, viewer: User, limit: int = 10
) -> list[StageChange]:
    """The program's newest stage changes that ``viewer`` may see (one query)."""
    if viewer.is_staff:
        # Walk the newest changes of all programs (an index, in order) and
        # keep this program's: it stops after ``limit`` rows, however long
        # the history is.
        visible = exists().where(
            Enrollment.id == StageChange.enrollment_id,
            Enrollment.program_id == program.id,
        )
    else:
        # A contact sees their municipality's one enrollment in the program.
        visible = StageChange.enrollment_id.in_(
            select(Enrollment.id).where(
                Enrollment.program_id == program.id,
                Enrollment.municipality_id == viewer.municipality_id,
            )
        )
    return list(
        db.session.scalars(
            select(StageChange)
            .where(visible)
            .options(
                joinedload(StageChange.enrollment, innerjoin=True).joinedload(
                    Enrollment.municipality, innerjoin=True
                ),
                joinedload(StageChange.from_stage),
                joinedload(StageChange.to_stage, innerjoin=True),
                joinedload(StageChange.recorded_by),
            )
            .order_by(
                StageChange.effective_on.desc(),
                StageChange.recorded_at.desc(),
                StageChange.id.desc(),
            )
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Participant:
    """A municipality taking part in a program, as the public page lists it."""

    municipality_id: int
    name: str
    country: str
    stage_id: int
    since: object  # the date of its latest stage change


def program_participants(program: Program) -> dict[int, list[Participant]]:
    """The program's municipalities by their current stage, by name; one query.

    Which municipality takes part and where it stands is the program's public
    record (the home page counts the same rows), so no person is named.
    """
    since = (
        select(func.max(StageChange.effective_on))
        .where(StageChange.enrollment_id == Enrollment.id)
        .correlate(Enrollment)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            Municipality.id,
            Municipality.name,
            Country.name,
            Enrollment.current_stage_id,
            since,
        )
        .join(Enrollment.municipality)
        .join(Municipality.country)
        .where(Enrollment.program_id == program.id)
        .order_by(
            alphabetical(Municipality.name, db.engine.dialect.name), Municipality.id
        )
    )
    by_stage: dict[int, list[Participant]] = {}
    for row in rows:
        by_stage.setdefault(row[3], []).append(Participant(*row))
    return by_stage


def public_program_events(program: Program, limit: int = 20) -> list[Event]:
    """The program's public events, newest first, with their countries; one query."""
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.program_id == program.id, Event.is_public.is_(True))
            .options(joinedload(Event.country))
            .order_by(Event.starts_on.desc(), Event.id.desc())
            .limit(limit)
        )
    )
