"""The managers' weekly digest: the figures that changed in a week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import LazyString
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import (
    Enrollment,
    Participation,
    Person,
    StageChange,
    Testimonial,
    TestimonialStatus,
)
from tracker.translation import lazy_gettext as _l


@dataclass(frozen=True)
class Figure:
    label: LazyString
    count: int


def weekly_figures(since: datetime, until: datetime) -> list[Figure]:
    """What was added or decided in [since, until), figures of 0 left out."""

    def between(column):
        return (column >= since) & (column < until)

    counts = [
        (
            _l("Enrollments added"),
            select(func.count(Enrollment.id)).where(between(Enrollment.created_at)),
        ),
        (
            _l("Stage changes recorded"),
            select(func.count(StageChange.id)).where(between(StageChange.recorded_at)),
        ),
        (
            _l("Testimonials submitted"),
            select(func.count(Testimonial.id)).where(between(Testimonial.submitted_at)),
        ),
        (
            _l("Testimonials published"),
            select(func.count(Testimonial.id)).where(
                between(Testimonial.reviewed_at),
                Testimonial.status == TestimonialStatus.APPROVED,
            ),
        ),
        (
            _l("Event participations recorded"),
            select(func.count(Participation.id)).where(
                between(Participation.created_at)
            ),
        ),
        (
            _l("People added"),
            select(func.count(Person.id)).where(between(Person.created_at)),
        ),
    ]
    values = db.session.execute(
        select(*(query.scalar_subquery() for _, query in counts))
    ).one()
    return [
        Figure(label, count)
        for (label, _), count in zip(counts, values, strict=True)
        if count
    ]
