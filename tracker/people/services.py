"""Merging two people who are one: a write that touches several models."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.documents.services import hand_over
from tracker.merging import MergeField, copy_chosen, record_merge
from tracker.models import (
    Attendance,
    Certificate,
    ListingConsent,
    Participation,
    Person,
    Testimonial,
    User,
)
from tracker.translation import lazy_gettext as _l

PERSON_MERGE_FIELDS = (
    MergeField("full_name", _l("Full name")),
    MergeField("position", _l("Position")),
    MergeField("organisation", _l("Organisation")),
    MergeField("municipality_id", _l("Municipality")),
    MergeField("email", _l("E-mail")),
    MergeField("phone", _l("Phone")),
)

# Which of two participations in one event says more: the one kept.
ATTENDANCE_WEIGHT = {
    Attendance.ATTENDED: 5,
    Attendance.REGISTERED: 4,
    Attendance.ABSENT: 3,
    Attendance.PROPOSED: 2,
    Attendance.CANCELLED: 1,
}


def weight(participation: Participation) -> int:
    return ATTENDANCE_WEIGHT[participation.attendance]


@dataclass(frozen=True)
class EventClash:
    """Both people are in one event: ``kept`` stays (on the survivor), ``dropped``
    is deleted."""

    kept: Participation
    dropped: Participation


@dataclass(frozen=True)
class PersonMergePlan:
    survivor: Person
    loser: Person
    moved: list[Participation]
    clashes: list[EventClash]
    testimonials: list[Testimonial]
    users: list[User]


def plan_person_merge(
    session: Session, survivor: Person, loser: Person
) -> PersonMergePlan:
    """What merging ``loser`` into ``survivor`` moves, and which participations
    in an event both attended are kept (the one that says more, else the
    survivor's)."""
    theirs = {p.event_id: p for p in survivor.participations}
    moved, clashes = [], []
    for participation in loser.participations:
        mine = theirs.get(participation.event_id)
        if mine is None:
            moved.append(participation)
        elif (
            ATTENDANCE_WEIGHT[participation.attendance]
            > ATTENDANCE_WEIGHT[mine.attendance]
        ):
            clashes.append(EventClash(kept=participation, dropped=mine))
        else:
            clashes.append(EventClash(kept=mine, dropped=participation))
    return PersonMergePlan(
        survivor,
        loser,
        moved,
        clashes,
        list(
            session.scalars(
                select(Testimonial).where(Testimonial.person_id == loser.id)
            )
        ),
        list(session.scalars(select(User).where(User.person_id == loser.id))),
    )


def merge_people(
    session: Session, plan: PersonMergePlan, taken_from_other: set[str]
) -> None:
    """Move everything of ``plan.loser`` to ``plan.survivor``, delete the loser,
    and keep the fields chosen from it; flushes, never commits."""
    survivor, loser = plan.survivor, plan.loser
    loser_id = loser.id
    values = {field.name: getattr(loser, field.name) for field in PERSON_MERGE_FIELDS}
    details = {
        "merged_name": values["full_name"],
        "participations_moved": len(plan.moved),
        "participations_dropped": [clash.dropped.id for clash in plan.clashes],
        "fields_taken": sorted(taken_from_other),
    }
    move_consents_and_certificates(session, plan)
    for clash in plan.clashes:
        hand_over(clash.dropped, clash.kept)
        session.delete(clash.dropped)
    session.flush()  # the (person, event) pairs are free before anything moves
    for participation in [*plan.moved, *(c.kept for c in plan.clashes)]:
        if participation.person_id != survivor.id:
            participation.person = survivor
    for testimonial in plan.testimonials:
        testimonial.person = survivor
    for user in plan.users:
        user.person = survivor
    session.flush()
    session.delete(loser)
    session.flush()  # the loser's e-mail is free before the survivor takes it
    copy_chosen(survivor, values, taken_from_other)
    session.flush()
    record_merge(session, "person", survivor.id, loser_id, details)


def move_consents_and_certificates(session: Session, plan: PersonMergePlan) -> None:
    """The loser's consent answers are the same human's answers: they move, except
    those about a participation that is dropped. Certificates move unless the
    survivor holds the same one already."""
    survivor, loser = plan.survivor, plan.loser
    dropped = {clash.dropped.id for clash in plan.clashes}
    consents = session.scalars(
        select(ListingConsent).where(
            ListingConsent.person_id.in_((survivor.id, loser.id))
        )
    )
    for consent in consents:
        if consent.participation_id in dropped:
            session.delete(consent)
        elif consent.person_id == loser.id:
            consent.person_id = survivor.id
    held = set(
        session.execute(
            select(Certificate.kind, Certificate.subject_id).where(
                Certificate.person_id == survivor.id
            )
        ).all()
    )
    for certificate in session.scalars(
        select(Certificate).where(Certificate.person_id == loser.id)
    ):
        if (certificate.kind, certificate.subject_id) in held:
            session.delete(certificate)
        else:
            certificate.person_id = survivor.id
    session.flush()
