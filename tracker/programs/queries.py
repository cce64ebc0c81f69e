"""Read queries about programs and enrollments that other pages reuse."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Enrollment, StageChange


def municipality_enrollments(municipality_id: int) -> list[Enrollment]:
    """A municipality's enrollments with program, stage and history, in few queries."""
    return list(
        db.session.scalars(
            select(Enrollment)
            .where(Enrollment.municipality_id == municipality_id)
            .options(
                selectinload(Enrollment.program),
                selectinload(Enrollment.cohort),
                selectinload(Enrollment.current_stage),
                selectinload(Enrollment.stage_changes).selectinload(
                    StageChange.to_stage
                ),
            )
            .order_by(Enrollment.id)
        )
    )
