"""The dashboard's and the home page's scalar figures: one aggregate select
each, run together as scalar subqueries of a single statement."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import (
    ColumnElement,
    Select,
    distinct,
    func,
    select,
)

from tracker.dashboards.filters import Filters
from tracker.dashboards.quality import data_quality_counts
from tracker.dashboards.queries import (
    enrollments,
    events,
    participations,
    program_id_of,
    testimonials,
)
from tracker.extensions import db
from tracker.models import (
    Enrollment,
    Event,
    EventKind,
    Municipality,
    Participation,
    Program,
    Testimonial,
    TestimonialStatus,
)

ILTP_CODE = "ILTP"


def municipalities_engaged(filters: Filters) -> Select:
    """Municipalities with at least one enrollment."""
    return enrollments(filters, func.count(distinct(Enrollment.municipality_id)))


def countries_engaged(filters: Filters) -> Select:
    """Countries of the municipalities engaged."""
    return enrollments(filters, func.count(distinct(Municipality.country_id))).join(
        Municipality, Municipality.id == Enrollment.municipality_id
    )


def enrollment_total(filters: Filters) -> Select:
    return enrollments(filters, func.count(Enrollment.id))


def events_held(filters: Filters, public_only: bool = False) -> Select:
    """Events that have started by today."""
    return events(filters, func.count(Event.id), public_only=public_only).where(
        Event.starts_on <= filters.today
    )


def people_took_part(filters: Filters) -> Select:
    """Distinct people who attended an event."""
    return participations(filters, func.count(distinct(Participation.person_id)))


def participations_attended(filters: Filters) -> Select:
    return participations(filters, func.count(Participation.id))


def _iltp_required() -> ColumnElement[int]:
    """How many trainings ILTP requires (1 when it does not say)."""
    return (
        select(func.coalesce(Program.required_trainings, 1))
        .where(Program.code == ILTP_CODE)
        .scalar_subquery()
    )


def _iltp_trainings_per_person(filters: Filters) -> Select:
    """Per person: ILTP training events attended."""
    iltp_trainings = select(Event.id).where(
        Event.program_id == program_id_of(ILTP_CODE), Event.kind == EventKind.TRAINING
    )
    return (
        participations(
            filters,
            Participation.person_id,
            func.count(Participation.id).label("attended"),
        )
        .where(Participation.event_id.in_(iltp_trainings))
        .group_by(Participation.person_id)
    )


def iltp_people_in_training(filters: Filters) -> Select:
    """People who attended at least one ILTP training event."""
    per_person = _iltp_trainings_per_person(filters).subquery()
    return select(func.count()).select_from(per_person)


def iltp_leaders_trained(filters: Filters) -> Select:
    """People who attended at least ``Program.required_trainings`` ILTP trainings."""
    per_person = _iltp_trainings_per_person(filters).subquery()
    return (
        select(func.count())
        .select_from(per_person)
        .where(per_person.c.attended >= _iltp_required())
    )


def testimonials_with_status(filters: Filters, status: TestimonialStatus) -> Select:
    return testimonials(filters, func.count(Testimonial.id)).where(
        Testimonial.status == status
    )


def dashboard_scalars(filters: Filters) -> dict[str, Select]:
    """Every scalar figure of the dashboard, by name: one aggregate select each."""
    return {
        "municipalities_engaged": municipalities_engaged(filters),
        "countries": countries_engaged(filters),
        "enrollments": enrollment_total(filters),
        "events_held": events_held(filters),
        "people_took_part": people_took_part(filters),
        "participations_attended": participations_attended(filters),
        "iltp_people_in_training": iltp_people_in_training(filters),
        "iltp_leaders_trained": iltp_leaders_trained(filters),
        "testimonials_published": testimonials_with_status(
            filters, TestimonialStatus.APPROVED
        ),
        "testimonials_awaiting_review": testimonials_with_status(
            filters, TestimonialStatus.SUBMITTED
        ),
        **{f"dq_{name}": query for name, query in data_quality_counts(filters).items()},
    }


def public_scalars(filters: Filters) -> dict[str, Select]:
    """The figures the public home page and open data show."""
    return {
        "municipalities_engaged": municipalities_engaged(filters),
        "countries": countries_engaged(filters),
        "public_events_held": events_held(filters, public_only=True),
        "testimonials_published": testimonials_with_status(
            filters, TestimonialStatus.APPROVED
        ),
    }


def run_scalars(queries: Mapping[str, Select]) -> dict[str, int]:
    """Run several one-value aggregates as scalar subqueries of one statement."""
    statement = select(
        *(query.scalar_subquery().label(name) for name, query in queries.items())
    )
    row = db.session.execute(statement).one()
    return {name: int(row._mapping[name] or 0) for name in queries}
