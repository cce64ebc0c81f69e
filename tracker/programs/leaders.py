"""ILTP leaders: who has attended enough of a program's trainings to count as trained.

A person counts as trained for a municipality when they **attended**
(attendance ``attended``) at least ``Program.required_trainings`` events of
kind ``training`` linked to the program, representing that municipality
(the municipality recorded on the participation, or the person's own when
none was recorded), and that municipality is enrolled in the program.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import (
    Attendance,
    Enrollment,
    Event,
    EventKind,
    Municipality,
    Participation,
    Person,
    Program,
)

LeaderRow = tuple[Person, Municipality, int]


def training_progress(
    program: Program, person_id: int | None = None
) -> list[LeaderRow]:
    """Everyone with at least one attended training of ``program``, with the count.

    Sorted by municipality, then person. Three queries whatever the size.
    """
    if not program.tracks_training:
        return []
    represented = func.coalesce(Participation.municipality_id, Person.municipality_id)
    query = (
        select(Participation.person_id, represented, func.count(Participation.id))
        .join(Participation.event)
        .join(Participation.person)
        .where(
            Event.program_id == program.id,
            Event.kind == EventKind.TRAINING,
            Participation.attendance == Attendance.ATTENDED,
            represented.in_(
                select(Enrollment.municipality_id).where(
                    Enrollment.program_id == program.id
                )
            ),
        )
        .group_by(Participation.person_id, represented)
    )
    if person_id is not None:
        query = query.where(Participation.person_id == person_id)
    counts = db.session.execute(query).all()
    if not counts:
        return []
    people = {
        person.id: person
        for person in db.session.scalars(
            select(Person).where(Person.id.in_({row[0] for row in counts}))
        )
    }
    municipalities = {
        municipality.id: municipality
        for municipality in db.session.scalars(
            select(Municipality)
            .where(Municipality.id.in_({row[1] for row in counts}))
            .options(selectinload(Municipality.country))
        )
    }
    rows = [
        (people[person], municipalities[municipality], count)
        for person, municipality, count in counts
    ]
    rows.sort(key=lambda row: (row[1].name, row[0].full_name, row[0].id))
    return rows


def trained_leaders(program: Program) -> list[LeaderRow]:
    """(person, municipality, trainings attended) for everyone trained."""
    required = program.required_trainings or 0
    return [row for row in training_progress(program) if row[2] >= required]


def leader_record(program: Program, person_id: int) -> LeaderRow | None:
    """The person's row if they are trained in ``program``, else None."""
    required = program.required_trainings or 0
    rows = [row for row in training_progress(program, person_id) if row[2] >= required]
    return max(rows, key=lambda row: row[2]) if rows else None


def attended_trainings(program: Program, person_id: int) -> list[Event]:
    """The program's trainings the person attended, oldest first."""
    return list(
        db.session.scalars(
            select(Event)
            .join(Event.participations)
            .where(
                Event.program_id == program.id,
                Event.kind == EventKind.TRAINING,
                Participation.person_id == person_id,
                Participation.attendance == Attendance.ATTENDED,
            )
            .order_by(Event.starts_on, Event.id)
        )
    )
