"""Merging two municipalities that are one: a write that touches several models."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.documents.services import hand_over
from tracker.merging import MergeField, copy_chosen, record_merge
from tracker.models import (
    Enrollment,
    Municipality,
    Participation,
    Person,
    Testimonial,
    User,
)
from tracker.translation import lazy_gettext as _l

MUNICIPALITY_MERGE_FIELDS = (
    MergeField("name", _l("Name")),
    MergeField("region", _l("Region")),
    MergeField("population", _l("Population")),
    MergeField("website", _l("Website")),
    MergeField("address", _l("Address")),
    MergeField("email", _l("E-mail")),
    MergeField("phone", _l("Phone")),
    MergeField("notes", _l("Notes")),
)


@dataclass(frozen=True)
class EnrollmentClash:
    """Both are enrolled in one program: the survivor's enrollment stays and
    takes the other's assessments; the other's stage history goes with it."""

    kept: Enrollment
    dropped: Enrollment


@dataclass(frozen=True)
class MunicipalityMergePlan:
    survivor: Municipality
    loser: Municipality
    people: list[Person]
    users: list[User]
    enrollments: list[Enrollment]
    clashes: list[EnrollmentClash]
    participations: list[Participation]
    testimonials: list[Testimonial]


def plan_municipality_merge(
    session: Session, survivor: Municipality, loser: Municipality
) -> MunicipalityMergePlan:
    """What merging ``loser`` into ``survivor`` moves, and which enrollments in
    a program both have are kept (the survivor's)."""
    kept = {enrollment.program_id: enrollment for enrollment in survivor.enrollments}
    enrollments, clashes = [], []
    for enrollment in loser.enrollments:
        if enrollment.program_id in kept:
            clashes.append(EnrollmentClash(kept[enrollment.program_id], enrollment))
        else:
            enrollments.append(enrollment)

    def of_loser(model):
        return list(session.scalars(select(model).where(model.municipality == loser)))

    return MunicipalityMergePlan(
        survivor,
        loser,
        of_loser(Person),
        of_loser(User),
        enrollments,
        clashes,
        of_loser(Participation),
        of_loser(Testimonial),
    )


def merge_municipalities(
    session: Session, plan: MunicipalityMergePlan, taken_from_other: set[str]
) -> None:
    """Move everything of ``plan.loser`` to ``plan.survivor``, delete the loser,
    and keep the fields chosen from it; flushes, never commits."""
    survivor, loser = plan.survivor, plan.loser
    loser_id = loser.id
    values = {
        name.name: getattr(loser, name.name) for name in MUNICIPALITY_MERGE_FIELDS
    }
    details = {
        "merged_name": values["name"],
        "people_moved": len(plan.people),
        "participations_moved": len(plan.participations),
        "enrollments_moved": len(plan.enrollments),
        "enrollments_dropped": [clash.dropped.id for clash in plan.clashes],
        "fields_taken": sorted(taken_from_other),
    }
    for clash in plan.clashes:
        for assessment in list(clash.dropped.assessments):
            assessment.enrollment = clash.kept
        # The evidence of a dropped stage history stays, on the kept enrollment.
        for change in list(clash.dropped.stage_changes):
            hand_over(change, clash.kept)
            session.delete(change)
        hand_over(clash.dropped, clash.kept)
    hand_over(loser, survivor)
    session.flush()
    for clash in plan.clashes:
        session.delete(clash.dropped)
    for record in [
        *plan.people,
        *plan.users,
        *plan.enrollments,
        *plan.participations,
        *plan.testimonials,
    ]:
        record.municipality = survivor
    session.flush()
    session.delete(loser)
    session.flush()  # the loser's name is free before the survivor takes it
    copy_chosen(survivor, values, taken_from_other)
    session.flush()
    record_merge(session, "municipality", survivor.id, loser_id, details)
