"""Writes about enrollments that touch several rows, shared by views, CLI and seed.

Every function flushes and never commits: the caller (a view, the seed
command, a test) owns the transaction, so a failure part-way leaves nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import LazyString, gettext
from sqlalchemy import select

from tracker.extensions import db
from tracker.i18n import format_day
from tracker.models import (
    Cohort,
    Enrollment,
    MailKind,
    Municipality,
    Program,
    Stage,
    StageChange,
    User,
)
from tracker.models.programs import InvalidTransition
from tracker.notifications.services import active_contacts, notify
from tracker.routing import path_for
from tracker.translation import N_, ngettext
from tracker.translation import gettext as _

# English (tests compare it): shown through gettext.
STALE_ROW = N_("It was changed by someone else after the preview; preview again.")


class DuplicateEnrollment(InvalidTransition):
    """The municipality already takes part in the program."""

    def __init__(
        self,
        municipality: Municipality,
        program: Program,
        enrollment_id: int | None = None,
    ) -> None:
        self.enrollment_id = enrollment_id  # the enrollment it already has
        super().__init__(
            _(
                "%(municipality)s is already enrolled in %(program)s: "
                "open its enrollment instead of creating another.",
                municipality=municipality.name,
                program=program.code,
            ),
            "municipality_id",
        )


def find_enrollment(municipality: Municipality, program: Program) -> int | None:
    """The id of the municipality's enrollment in ``program``, if it has one."""
    return db.session.scalar(
        select(Enrollment.id).where(
            Enrollment.municipality_id == municipality.id,
            Enrollment.program_id == program.id,
        )
    )


def enroll(
    municipality: Municipality,
    program: Program,
    stage: Stage,
    on: date,
    by: User | None,
    *,
    cohort: Cohort | None = None,
    applied_on: date | None = None,
    notes: str = "",
    today: date | None = None,
) -> Enrollment:
    """Enroll ``municipality`` in ``program`` at ``stage``, opening its history.

    The unique constraint on (municipality, program) remains the backstop
    for two coordinators enrolling the same municipality at once.
    """
    if (existing := find_enrollment(municipality, program)) is not None:
        raise DuplicateEnrollment(municipality, program, existing)
    enrollment = Enrollment.start(
        municipality,
        program,
        stage,
        on,
        by,
        cohort=cohort,
        applied_on=applied_on,
        notes=notes,
        today=today,
    )
    db.session.add(enrollment)
    db.session.flush()
    return enrollment


def move(
    enrollment: Enrollment,
    stage: Stage,
    on: date,
    by: User | None,
    note: str = "",
    *,
    today: date | None = None,
) -> StageChange:
    """Move an enrollment to ``stage`` and tell its municipality's contacts."""
    change = enrollment.move_to(stage, on, by, note, today=today)
    tell_contacts(enrollment, change)
    return change


def tell_contacts(enrollment: Enrollment, change: StageChange) -> None:
    """The municipality's contacts hear of a stage change, in the app and by
    e-mail (the change's date in each one's language)."""
    municipality = enrollment.municipality
    program = enrollment.program
    stage_name = change.to_stage.name
    # No autoflush: the move is flushed at commit, where a stale version is
    # answered as a conflict (commit_or_stale), not here as an error.
    with db.session.no_autoflush:
        contacts = active_contacts(municipality.id)
    notify(
        contacts,
        LazyString(
            lambda: gettext(
                "%(municipality)s moved to “%(stage)s” in %(program)s on %(date)s.",
                municipality=municipality.name,
                stage=stage_name,
                program=program.code,
                date=format_day(change.effective_on),
            )
        ),
        path_for("enrollments.detail", enrollment_id=enrollment.id),
        kind=MailKind.STAGE_CHANGE,
        subject=LazyString(
            lambda: gettext(
                "%(program)s: %(municipality)s moved to “%(stage)s”",
                program=program.code,
                municipality=municipality.name,
                stage=stage_name,
            )
        ),
    )


@dataclass(frozen=True)
class BulkRow:
    """One enrollment of a bulk move and what the move would do to it."""

    enrollment: Enrollment
    problem: str | None

    @property
    def is_ok(self) -> bool:
        return self.problem is None


class BulkMoveRefused(Exception):
    """At least one row breaks a rule, so no enrollment was moved."""

    def __init__(self, rows: list[BulkRow]) -> None:
        refused = [row for row in rows if not row.is_ok]
        if rows:
            message = ngettext(
                "Nothing was moved: %(refused)d of %(num)d selected "
                "enrollment break a rule.",
                "Nothing was moved: %(refused)d of %(num)d selected "
                "enrollments break a rule.",
                len(rows),
                refused=len(refused),
            )
        else:
            message = _("Nothing was moved: select at least one enrollment.")
        super().__init__(message)
        self.message = message
        self.rows = rows
        self.refused = refused


def preview_bulk_move(
    enrollments: Sequence[Enrollment],
    stage: Stage,
    on: date | None,
    note: str = "",
    *,
    expected_versions: Mapping[int, int] | None = None,
    today: date | None = None,
) -> list[BulkRow]:
    """What moving every enrollment to ``stage`` would do, row by row; changes nothing.

    ``expected_versions`` (enrollment id -> version_id seen in the preview)
    refuses rows that someone changed since.
    """
    rows = []
    for enrollment in enrollments:
        problem = None
        if (
            expected_versions is not None
            and expected_versions.get(enrollment.id) != enrollment.version_id
        ):
            problem = _(STALE_ROW)
        else:
            refusal = enrollment.transition_problem(stage, on, note, today=today)
            problem = refusal.message if refusal else None
        rows.append(BulkRow(enrollment, problem))
    return rows


def bulk_move(
    enrollments: Sequence[Enrollment],
    stage: Stage,
    on: date,
    by: User | None,
    note: str = "",
    *,
    expected_versions: Mapping[int, int] | None = None,
    today: date | None = None,
) -> list[StageChange]:
    """Move every enrollment to ``stage``, or none of them.

    Raises ``BulkMoveRefused`` (having changed nothing) when any row breaks
    a rule; otherwise flushes the changes and leaves the commit to the caller.
    """
    if not enrollments:
        raise BulkMoveRefused([])
    rows = preview_bulk_move(
        enrollments,
        stage,
        on,
        note,
        expected_versions=expected_versions,
        today=today,
    )
    if any(not row.is_ok for row in rows):
        raise BulkMoveRefused(rows)
    changes = [
        move(enrollment, stage, on, by, note, today=today) for enrollment in enrollments
    ]
    db.session.flush()
    return changes
