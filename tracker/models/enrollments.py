"""Enrollments of municipalities in programs, their stage history and assessments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import (
    Base,
    Timestamped,
    UTCDateTime,
    Versioned,
    enum_type,
    utcnow,
)
from tracker.models.enums import AssessmentKind, StageKind
from tracker.models.programs import InvalidTransition
from tracker.translation import day, ngettext
from tracker.translation import gettext as _
from tracker.translation import lazy_gettext as _l

if TYPE_CHECKING:
    from tracker.models.accounts import User
    from tracker.models.places import Municipality
    from tracker.models.programs import Cohort, Program, Stage


class Enrollment(Versioned, Timestamped, Base):
    """A municipality taking part in a program; at most one per program."""

    __table_args__ = (UniqueConstraint("municipality_id", "program_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    program_id: Mapped[int] = mapped_column(
        ForeignKey("program.id", ondelete="RESTRICT"), index=True
    )
    cohort_id: Mapped[int | None] = mapped_column(
        ForeignKey("cohort.id", ondelete="RESTRICT"), index=True
    )
    # Mirrors the newest stage change so lists can filter on it with an index.
    current_stage_id: Mapped[int] = mapped_column(
        ForeignKey("stage.id", ondelete="RESTRICT"), index=True
    )
    applied_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")

    municipality: Mapped[Municipality] = relationship(back_populates="enrollments")
    program: Mapped[Program] = relationship(back_populates="enrollments")
    cohort: Mapped[Cohort | None] = relationship(back_populates="enrollments")
    current_stage: Mapped[Stage] = relationship()
    stage_changes: Mapped[list[StageChange]] = relationship(
        back_populates="enrollment",
        order_by="(StageChange.effective_on, StageChange.id)",
    )
    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="enrollment",
        order_by="(Assessment.assessed_on, Assessment.id)",
    )

    @classmethod
    def start(
        cls,
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
        """A new enrollment whose history opens at ``stage`` on ``on``."""
        today = today or date.today()
        if stage.program is not program:
            raise InvalidTransition(
                _(
                    "The stage “%(stage)s” is not a stage of %(program)s.",
                    stage=stage.name,
                    program=program.code,
                ),
                "stage_id",
            )
        if cohort is not None and cohort.program is not program:
            raise InvalidTransition(
                _(
                    "The cohort “%(cohort)s” is an intake of another program.",
                    cohort=cohort.name,
                ),
                "cohort_id",
            )
        if on > today:
            raise InvalidTransition(_future(today), "effective_on")
        enrollment = cls(
            municipality=municipality,
            program=program,
            cohort=cohort,
            current_stage=stage,
            applied_on=applied_on,
            notes=notes,
        )
        # Appended to the collection (not set via ``enrollment=``) so that the
        # change is saved with the enrollment: SQLAlchemy 2 does not cascade
        # along backrefs.
        enrollment.stage_changes.append(
            StageChange(
                from_stage=None,
                to_stage=stage,
                effective_on=on,
                recorded_by=by,
                note="Enrolled.",
            )
        )
        return enrollment

    @property
    def latest_change(self) -> StageChange | None:
        return self.stage_changes[-1] if self.stage_changes else None

    @property
    def current_since(self) -> date | None:
        """When the current stage began."""
        latest = self.latest_change
        return latest.effective_on if latest else None

    def transition_problem(
        self,
        stage: Stage | None,
        on: date | None,
        note: str = "",
        *,
        today: date | None = None,
    ) -> InvalidTransition | None:
        """The first program rule that moving to ``stage`` on ``on`` breaks, if any."""
        today = today or date.today()
        current = self.current_stage
        if stage is None:
            return InvalidTransition(_("Choose the stage to move to."), "stage_id")
        if stage.program is not self.program:
            return InvalidTransition(
                _("“%(stage)s” is a stage of another program.", stage=stage.name),
                "stage_id",
            )
        if stage is current:
            return InvalidTransition(
                _("The enrollment is already at “%(stage)s”.", stage=stage.name),
                "stage_id",
            )
        if on is None:
            return InvalidTransition(
                _("Give the date the change took effect."), "effective_on"
            )
        if on > today:
            return InvalidTransition(_future(today), "effective_on")
        latest = self.latest_change
        if latest is not None and on < latest.effective_on:
            return InvalidTransition(
                _(
                    "The date cannot be before the previous stage change "
                    "(%(day)s): history is never back-dated over newer changes.",
                    day=_day(latest.effective_on),
                ),
                "effective_on",
            )
        if stage.kind == StageKind.COMPLETED:
            last_working = self.program.last_working_stage
            if current is not last_working:
                if last_working is None:
                    message = _(
                        "An enrollment can only be completed from “its last "
                        "stage”, the program's last working stage; this one is "
                        "at “%(current)s”.",
                        current=current.name,
                    )
                else:
                    message = _(
                        "An enrollment can only be completed from “%(last)s”, "
                        "the program's last working stage; this one is at "
                        "“%(current)s”.",
                        last=last_working.name,
                        current=current.name,
                    )
                return InvalidTransition(message, "stage_id")
        if stage.rank < current.rank and not (note or "").strip():
            return InvalidTransition(
                _(
                    "Moving back from “%(current)s” to “%(stage)s” "
                    "needs a note saying why.",
                    current=current.name,
                    stage=stage.name,
                ),
                "note",
            )
        return None

    def move_to(
        self,
        stage: Stage,
        on: date,
        by: User | None,
        note: str = "",
        *,
        today: date | None = None,
    ) -> StageChange:
        """Record a stage change; raise ``InvalidTransition`` if a rule forbids it."""
        problem = self.transition_problem(stage, on, note, today=today)
        if problem is not None:
            raise problem
        change = StageChange(
            from_stage=self.current_stage,
            to_stage=stage,
            effective_on=on,
            recorded_by=by,
            note=(note or "").strip(),
        )
        self.stage_changes.append(change)
        self.current_stage = stage
        return change

    def undo_last_change(self) -> StageChange:
        """Take back the newest stage change (a mistake); returns it for deletion."""
        if len(self.stage_changes) < 2:
            raise InvalidTransition(
                _(
                    "The first stage of an enrollment cannot be taken back; "
                    "delete the enrollment instead."
                ),
                "stage_id",
            )
        last = self.stage_changes.pop()
        self.current_stage = self.stage_changes[-1].to_stage
        return last

    def timeline(self, today: date | None = None) -> list[TimelineEntry]:
        """The stage history, oldest first, with the time spent in each stage."""
        today = today or date.today()
        changes = self.stage_changes
        entries = []
        for index, change in enumerate(changes):
            is_current = index == len(changes) - 1
            ends_on = None if is_current else changes[index + 1].effective_on
            if ends_on is not None:
                days: int | None = (ends_on - change.effective_on).days
            elif change.to_stage.is_working:
                days = max((today - change.effective_on).days, 0)
            else:
                days = None  # completed or withdrawn: an end, not a stay
            entries.append(TimelineEntry(change, ends_on, days, is_current))
        return entries

    @property
    def baseline(self) -> Assessment | None:
        return next(
            (a for a in self.assessments if a.kind == AssessmentKind.BASELINE), None
        )

    @property
    def latest_follow_up(self) -> Assessment | None:
        follow_ups = [a for a in self.assessments if a.kind == AssessmentKind.FOLLOW_UP]
        return follow_ups[-1] if follow_ups else None

    def comparison(self) -> list[AreaComparison]:
        """Per area: the baseline, the latest follow-up and the change (empty if
        either is missing). A negative change means less dysfunction."""
        baseline, follow_up = self.baseline, self.latest_follow_up
        if baseline is None or follow_up is None:
            return []
        return [
            AreaComparison(
                area,
                label,
                getattr(baseline, area),
                getattr(follow_up, area),
            )
            for area, label in ASSESSMENT_AREAS.items()
        ]

    def assessment_problem(
        self,
        kind: AssessmentKind | str | None,
        on: date | None,
        *,
        assessment: Assessment | None = None,
        today: date | None = None,
    ) -> InvalidTransition | None:
        """Rules for recording (or changing) ``assessment`` as ``kind`` on ``on``."""
        today = today or date.today()
        if on is None:
            return InvalidTransition(
                _("Give the date of the assessment."), "assessed_on"
            )
        if on > today:
            return InvalidTransition(_future(today), "assessed_on")
        others = [a for a in self.assessments if a is not assessment]
        baselines = [a for a in others if a.kind == AssessmentKind.BASELINE]
        follow_ups = [a for a in others if a.kind == AssessmentKind.FOLLOW_UP]
        if kind == AssessmentKind.BASELINE:
            if baselines:
                return InvalidTransition(
                    _(
                        "This enrollment already has a baseline assessment "
                        "(%(day)s); record a follow-up instead.",
                        day=_day(baselines[0].assessed_on),
                    ),
                    "kind",
                )
            if follow_ups and min(a.assessed_on for a in follow_ups) < on:
                return InvalidTransition(
                    _(
                        "The baseline cannot be dated after a follow-up (%(day)s).",
                        day=_day(min(a.assessed_on for a in follow_ups)),
                    ),
                    "assessed_on",
                )
        elif kind == AssessmentKind.FOLLOW_UP:
            if not baselines:
                return InvalidTransition(
                    _("Record the baseline assessment before any follow-up."), "kind"
                )
            if on < baselines[0].assessed_on:
                return InvalidTransition(
                    _(
                        "A follow-up cannot be dated before the baseline (%(day)s).",
                        day=_day(baselines[0].assessed_on),
                    ),
                    "assessed_on",
                )
        return None

    def can_view(self, user: User) -> bool:
        """Staff see every enrollment; a contact only their municipality's."""
        return user.is_authenticated and (
            user.is_staff or user.municipality_id == self.municipality_id
        )

    def can_edit(self, user: User) -> bool:
        return user.is_authenticated and user.can_edit_records

    def __repr__(self) -> str:
        return f"<Enrollment {self.municipality_id} in {self.program_id}>"


def _day(value: date) -> str:
    """A date as people read it: 26 Feb 2013 (in the reader's language)."""
    return day(value)


def _future(today: date) -> str:
    return _(
        "The date cannot be in the future (today is %(today)s).", today=_day(today)
    )


def describe_days(days: int) -> str:
    """A stay in a stage in words: "12 days", "5 months", "2 years 3 months"."""
    if days < 1:
        return _("less than a day")
    if days < 60:
        return ngettext("%(num)d day", "%(num)d days", days)
    months = round(days / 30.44)
    if months < 24:
        return ngettext("%(num)d month", "%(num)d months", months)
    years, months = divmod(months, 12)
    if not months:
        return ngettext("%(num)d year", "%(num)d years", years)
    # "2 years 3 months": both parts counted, joined in the language's order.
    return _(
        "%(years)s %(months)s",
        years=ngettext("%(num)d year", "%(num)d years", years),
        months=ngettext("%(num)d month", "%(num)d months", months),
    )


@dataclass(frozen=True)
class TimelineEntry:
    """One stage in an enrollment's history, with how long it lasted."""

    change: StageChange
    ends_on: date | None
    days: int | None
    is_current: bool

    @property
    def duration(self) -> str:
        return describe_days(self.days) if self.days is not None else ""


@dataclass(frozen=True)
class AreaComparison:
    area: str
    label: str
    baseline: int
    follow_up: int

    @property
    def change(self) -> int:
        """Follow-up minus baseline: below zero, dysfunction went down."""
        return self.follow_up - self.baseline


class StageChange(Base):
    """One row of an enrollment's stage history: from, to, when, who, why."""

    __table_args__ = (
        # An enrollment's history in order: the page's timeline and the stays
        # (each change paired with the next) read it without sorting.
        Index("ix_stage_change_history", "enrollment_id", "effective_on", "id"),
        # The newest changes first (a program page's recent changes).
        Index("ix_stage_change_recent", "effective_on", "recorded_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed first in ix_stage_change_history.
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="RESTRICT")
    )
    from_stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("stage.id", ondelete="RESTRICT")
    )
    to_stage_id: Mapped[int] = mapped_column(
        ForeignKey("stage.id", ondelete="RESTRICT"), index=True
    )
    # Indexed first in ix_stage_change_recent.
    effective_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    note: Mapped[str] = mapped_column(Text, default="")

    enrollment: Mapped[Enrollment] = relationship(back_populates="stage_changes")
    from_stage: Mapped[Stage | None] = relationship(foreign_keys=[from_stage_id])
    to_stage: Mapped[Stage] = relationship(foreign_keys=[to_stage_id])
    recorded_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<StageChange {self.from_stage_id}->{self.to_stage_id}>"


# Area (column) -> its label, lazy: shown in the reader's language.
ASSESSMENT_AREAS: dict[str, str] = {
    "financial_management": _l("Financial management"),
    "procurement": _l("Procurement"),
    "urban_planning": _l("Urban planning and permits"),
    "human_resources": _l("Human resources"),
    "service_delivery": _l("Service delivery"),
    "transparency": _l("Transparency and citizen participation"),
}


def _score_check(area: str) -> CheckConstraint:
    return CheckConstraint(f"{area} BETWEEN 0 AND 100", name=f"{area}_range")


class Assessment(Versioned, Timestamped, Base):
    """A scored diagnosis of vulnerability to corruption; higher = more dysfunction."""

    __table_args__ = tuple(_score_check(area) for area in ASSESSMENT_AREAS)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="RESTRICT"), index=True
    )
    assessed_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[AssessmentKind] = mapped_column(enum_type(AssessmentKind))
    financial_management: Mapped[int] = mapped_column()
    procurement: Mapped[int] = mapped_column()
    urban_planning: Mapped[int] = mapped_column()
    human_resources: Mapped[int] = mapped_column()
    service_delivery: Mapped[int] = mapped_column()
    transparency: Mapped[int] = mapped_column()
    notes: Mapped[str] = mapped_column(Text, default="")

    enrollment: Mapped[Enrollment] = relationship(back_populates="assessments")

    @property
    def scores(self) -> dict[str, int]:
        return {area: getattr(self, area) for area in ASSESSMENT_AREAS}

    @property
    def labelled_scores(self) -> list[tuple[str, int]]:
        """(area label, score) in the areas' fixed order."""
        return [
            (label, getattr(self, area)) for area, label in ASSESSMENT_AREAS.items()
        ]

    @property
    def average(self) -> float:
        values = list(self.scores.values())
        return sum(values) / len(values)

    def can_view(self, user: User) -> bool:
        return self.enrollment.can_view(user)

    def can_edit(self, user: User) -> bool:
        return self.enrollment.can_edit(user)

    def __repr__(self) -> str:
        return f"<Assessment {self.kind} of enrollment {self.enrollment_id}>"
