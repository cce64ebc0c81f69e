"""The grouped queries behind the charts: one grouped select per chart."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Date,
    case,
    distinct,
    func,
    literal_column,
    select,
    union_all,
)

from tracker.dashboards.filters import Filters
from tracker.dashboards.queries import (
    enrollment_started_on,
    enrollments,
    in_years,
    participations,
    with_places,
    year_of,
)
from tracker.extensions import db
from tracker.models import (
    ASSESSMENT_AREAS,
    Assessment,
    AssessmentKind,
    Country,
    Enrollment,
    Event,
    Participation,
    StageChange,
)
from tracker.sql import days_between


def enrollment_counts(filters: Filters) -> list[Any]:
    """Enrollments per program, current stage and country."""
    query = enrollments(
        filters,
        Enrollment.program_id,
        Enrollment.current_stage_id,
        Country.code.label("country"),
        func.count(Enrollment.id).label("n"),
    )
    return list(
        db.session.execute(
            with_places(query, Enrollment.municipality_id).group_by(
                Enrollment.program_id, Enrollment.current_stage_id, Country.code
            )
        )
    )


def yearly_counts(filters: Filters) -> list[Any]:
    """New enrollments per start year, and moves between stages per year."""
    started = enrollment_started_on()
    new = enrollments(
        filters,
        literal_column("'new'").label("series"),
        year_of(started).label("year"),
        func.count(Enrollment.id).label("n"),
    ).group_by(year_of(started))
    moves = (
        enrollments(
            filters,
            literal_column("'moves'").label("series"),
            year_of(StageChange.effective_on).label("year"),
            func.count(StageChange.id).label("n"),
            years=False,
        )
        .join(StageChange, StageChange.enrollment_id == Enrollment.id)
        .where(StageChange.from_stage_id.is_not(None))
        .where(*in_years(StageChange.effective_on, filters))
        .group_by(year_of(StageChange.effective_on))
    )
    return list(db.session.execute(union_all(new, moves)))


def participation_counts(filters: Filters) -> list[Any]:
    """Attended participations per country represented and event year."""
    query = participations(
        filters,
        Country.code.label("country"),
        year_of(Event.starts_on).label("year"),
        func.count(Participation.id).label("n"),
    ).join(Event, Event.id == Participation.event_id)
    return list(
        db.session.execute(
            with_places(query, Participation.municipality_id).group_by(
                Country.code, year_of(Event.starts_on)
            )
        )
    )


def assessment_means(filters: Filters) -> list[Any]:
    """Mean score per area: baselines vs latest follow-ups, same enrollments.

    Takes each enrollment's first baseline and its latest follow-up, and only
    enrollments that have both, so that the two means compare like with like.
    """
    ranked = (
        enrollments(
            filters,
            Assessment.enrollment_id,
            Assessment.kind,
            *(getattr(Assessment, area) for area in ASSESSMENT_AREAS),
            func.row_number()
            .over(
                partition_by=(Assessment.enrollment_id, Assessment.kind),
                order_by=(
                    case(
                        (
                            Assessment.kind == AssessmentKind.BASELINE,
                            Assessment.assessed_on,
                        )
                    ).asc(),
                    case(
                        (
                            Assessment.kind == AssessmentKind.FOLLOW_UP,
                            Assessment.assessed_on,
                        )
                    ).desc(),
                    Assessment.id.desc(),
                ),
            )
            .label("rank"),
        )
        .join(Assessment, Assessment.enrollment_id == Enrollment.id)
        .subquery()
    )
    picked = select(ranked).where(ranked.c.rank == 1).subquery()
    paired = (
        select(picked.c.enrollment_id)
        .group_by(picked.c.enrollment_id)
        .having(func.count(distinct(picked.c.kind)) == 2)
    )
    return list(
        db.session.execute(
            select(
                picked.c.kind,
                func.count().label("n"),
                *(func.avg(picked.c[area]).label(area) for area in ASSESSMENT_AREAS),
            )
            .where(picked.c.enrollment_id.in_(paired))
            .group_by(picked.c.kind)
        )
    )


def stage_medians(filters: Filters) -> list[Any]:
    """Per stage: the stays in it that have ended (``measured``) and their median
    length in days (``median``).

    A stay ends with the enrollment's next stage change: the database pairs
    each change with the next one (``lead``), ranks the finished stays of each
    stage by length and returns only the middle one or two, averaged. No
    history row travels to Python, however long the history.
    """
    left_on = func.lead(StageChange.effective_on, type_=Date).over(
        partition_by=StageChange.enrollment_id,
        order_by=(StageChange.effective_on, StageChange.id),
    )
    stays = (
        enrollments(
            filters,
            StageChange.to_stage_id.label("stage_id"),
            StageChange.effective_on.label("entered_on"),
            left_on.label("left_on"),
        )
        .join(StageChange, StageChange.enrollment_id == Enrollment.id)
        .subquery()
    )
    days = days_between(stays.c.entered_on, stays.c.left_on)
    ranked = (
        select(
            stays.c.stage_id,
            days.label("days"),
            func.row_number()
            .over(partition_by=stays.c.stage_id, order_by=days)
            .label("rank"),
            func.count().over(partition_by=stays.c.stage_id).label("n"),
        )
        .where(stays.c.left_on.is_not(None))
        .subquery()
    )
    # The middle of n ranked stays: rank (n + 1) / 2 when n is odd, ranks n / 2
    # and n / 2 + 1 when it is even; both read n <= 2 * rank <= n + 2.
    return list(
        db.session.execute(
            select(
                ranked.c.stage_id,
                ranked.c.n.label("measured"),
                func.avg(ranked.c.days).label("median"),
            )
            .where(ranked.c.rank * 2 >= ranked.c.n, ranked.c.rank * 2 <= ranked.c.n + 2)
            .group_by(ranked.c.stage_id, ranked.c.n)
        )
    )
