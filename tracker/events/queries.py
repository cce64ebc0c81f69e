"""Read queries about events and participations that other pages reuse."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Event, Participation


def municipality_participations(municipality_id: int) -> list[Participation]:
    """Who took part in which event for this municipality, newest event first."""
    return list(
        db.session.scalars(
            select(Participation)
            .join(Participation.event)
            .where(Participation.municipality_id == municipality_id)
            .options(
                selectinload(Participation.event),
                selectinload(Participation.person),
            )
            .order_by(Event.starts_on.desc(), Participation.id)
        )
    )


def person_participations(person_id: int) -> list[Participation]:
    """The events a person took part in, newest first."""
    return list(
        db.session.scalars(
            select(Participation)
            .join(Participation.event)
            .where(Participation.person_id == person_id)
            .options(
                selectinload(Participation.event),
                selectinload(Participation.municipality),
            )
            .order_by(Event.starts_on.desc(), Participation.id)
        )
    )
