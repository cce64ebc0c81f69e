"""Read queries about testimonials that other pages reuse."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Testimonial, TestimonialStatus, User


def visible_testimonials(
    user: User,
    *,
    municipality_id: int | None = None,
    program_id: int | None = None,
    event_id: int | None = None,
    limit: int = 50,
) -> list[Testimonial]:
    """Testimonials about a municipality, program or event that ``user`` may see.

    Everyone sees approved ones; staff see all; a contact also sees their
    own municipality's.
    """
    query = select(Testimonial).options(
        selectinload(Testimonial.municipality),
        selectinload(Testimonial.program),
        selectinload(Testimonial.event),
    )
    if municipality_id is not None:
        query = query.where(Testimonial.municipality_id == municipality_id)
    if program_id is not None:
        query = query.where(Testimonial.program_id == program_id)
    if event_id is not None:
        query = query.where(Testimonial.event_id == event_id)
    approved = Testimonial.status == TestimonialStatus.APPROVED
    if not user.is_authenticated:
        query = query.where(approved)
    elif not user.is_staff:
        query = query.where(
            or_(approved, Testimonial.municipality_id == user.municipality_id)
        )
    query = query.order_by(
        Testimonial.is_featured.desc(), Testimonial.submitted_at.desc(), Testimonial.id
    )
    return list(db.session.scalars(query.limit(limit)))
