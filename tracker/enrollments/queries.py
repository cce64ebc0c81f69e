"""Queries for enrollments: the filtered list, one enrollment's page, a
municipality's enrollments."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import (
    Select,
    or_,
    select,
)
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from tracker.extensions import db
from tracker.lists import Sorting, int_arg, search_text, text_search
from tracker.models import (
    Cohort,
    Country,
    Enrollment,
    Municipality,
    Program,
    Stage,
    StageChange,
    User,
)

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
    alphabetical=("municipality", "country"),
)


def _code(args: Mapping[str, str], name: str, max_length: int = 40) -> str | None:
    raw = (args.get(name) or "").strip()
    return raw if raw and len(raw) <= max_length else None


# The tables each sort key needs joined (the filters select ids instead).
_SORT_JOINS = {
    "municipality": (Enrollment.municipality,),
    "country": (Enrollment.municipality, Municipality.country),
    "program": (Enrollment.program,),
    "stage": (Enrollment.current_stage,),
    "cohort": (Enrollment.cohort,),
}


def filtered_enrollments(args: Mapping[str, str], viewer: User | None = None) -> Select:
    """Enrollments matching the URL's filters, sorted, with what a list shows.

    Filters: ``program`` (code), ``stage`` (code), ``country`` (ISO code),
    ``cohort`` (id), ``year`` (the cohort's year), ``q`` (municipality or
    country name). A ``viewer`` who is not staff sees only their own
    municipality's enrollments.

    The filters select ids (subqueries) and only the sort key's table is
    joined, so the list's count reads the enrollment table alone; what a row
    shows is joined in for the page's rows only.
    """
    query = select(Enrollment).options(
        joinedload(Enrollment.municipality, innerjoin=True).joinedload(
            Municipality.country, innerjoin=True
        ),
        joinedload(Enrollment.program, innerjoin=True),
        joinedload(Enrollment.cohort),
        joinedload(Enrollment.current_stage, innerjoin=True),
        selectinload(Enrollment.stage_changes),
    )
    if viewer is not None and not viewer.is_staff:
        query = query.where(Enrollment.municipality_id == viewer.municipality_id)
    if program := _code(args, "program", 10):
        program_id = select(Program.id).where(Program.code == program.upper())
        query = query.where(Enrollment.program_id == program_id.scalar_subquery())
    if stage := _code(args, "stage"):
        query = query.where(
            Enrollment.current_stage_id.in_(select(Stage.id).where(Stage.code == stage))
        )
    if country := _code(args, "country", 2):
        query = query.where(
            Enrollment.municipality_id.in_(
                select(Municipality.id)
                .join(Municipality.country)
                .where(Country.code == country.upper())
            )
        )
    if (cohort := int_arg(args, "cohort")) is not None:
        query = query.where(Enrollment.cohort_id == cohort)
    if (year := int_arg(args, "year")) is not None:
        query = query.where(
            Enrollment.cohort_id.in_(select(Cohort.id).where(Cohort.year == year))
        )
    if text := search_text(args):
        query = query.where(
            Enrollment.municipality_id.in_(
                select(Municipality.id)
                .join(Municipality.country)
                .where(or_(text_search(Municipality, text), text_search(Country, text)))
            )
        )
    for relation in _SORT_JOINS.get(ENROLLMENT_SORTING.key(args).lstrip("-"), ()):
        # Only the cohort may be missing.
        query = query.join(relation, isouter=relation is Enrollment.cohort)
    return ENROLLMENT_SORTING.apply(query, args)


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
                contains_eager(Enrollment.program),
                joinedload(Enrollment.cohort),
                joinedload(Enrollment.current_stage, innerjoin=True),
                _stage_history(),
                selectinload(Enrollment.assessments),
            )
            .order_by(Program.code, Enrollment.id)
        )
    )


def _stage_history():
    """Load enrollments' stage changes with their stages and recorder: one query."""
    return selectinload(Enrollment.stage_changes).options(
        joinedload(StageChange.from_stage),
        joinedload(StageChange.to_stage, innerjoin=True),
        joinedload(StageChange.recorded_by),
    )


# Everything an enrollment's page shows, loaded with it in a fixed number of
# queries (``get_viewable_or_404(Enrollment, id, ENROLLMENT_PAGE)``).
ENROLLMENT_PAGE = (
    joinedload(Enrollment.municipality, innerjoin=True).joinedload(
        Municipality.country, innerjoin=True
    ),
    joinedload(Enrollment.program, innerjoin=True).selectinload(Program.stages),
    joinedload(Enrollment.cohort),
    joinedload(Enrollment.current_stage, innerjoin=True),
    _stage_history(),
    selectinload(Enrollment.assessments),
)
