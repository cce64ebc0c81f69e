"""Programs and their stages, cohorts, enrollments, stage history, assessments."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
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

if TYPE_CHECKING:
    from tracker.models.accounts import User
    from tracker.models.events import Event
    from tracker.models.places import Municipality


class Program(Versioned, Timestamped, Base):
    """ACP (anticorruption), ILTP (integrity leadership) or MFSA (finance tool)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    started_on: Mapped[date | None] = mapped_column(Date)
    # ILTP: how many training events a person must attend to count as trained.
    required_trainings: Mapped[int | None] = mapped_column()

    stages: Mapped[list[Stage]] = relationship(
        back_populates="program", order_by="Stage.position"
    )
    cohorts: Mapped[list[Cohort]] = relationship(
        back_populates="program", order_by="Cohort.year"
    )
    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="program")
    events: Mapped[list[Event]] = relationship(back_populates="program")

    def __repr__(self) -> str:
        return f"<Program {self.code}>"


class Stage(Versioned, Base):
    """One step of a program; order and meaning are data, not code."""

    __table_args__ = (
        UniqueConstraint("program_id", "code"),
        UniqueConstraint("program_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("program.id", ondelete="RESTRICT")
    )
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column()
    kind: Mapped[StageKind] = mapped_column(enum_type(StageKind))
    description: Mapped[str] = mapped_column(Text, default="")

    program: Mapped[Program] = relationship(back_populates="stages")

    def __repr__(self) -> str:
        return f"<Stage {self.code} of program {self.program_id}>"


class Cohort(Versioned, Base):
    """A program's intake, such as "ACP cohort I (2012)"."""

    __table_args__ = (UniqueConstraint("program_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("program.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(index=True)

    program: Mapped[Program] = relationship(back_populates="cohorts")
    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="cohort")

    def __repr__(self) -> str:
        return f"<Cohort {self.name}>"


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

    def can_view(self, user: User) -> bool:
        """Staff see every enrollment; a contact only their municipality's."""
        return user.is_authenticated and (
            user.is_staff or user.municipality_id == self.municipality_id
        )

    def can_edit(self, user: User) -> bool:
        return user.is_authenticated and user.can_edit_records

    def __repr__(self) -> str:
        return f"<Enrollment {self.municipality_id} in {self.program_id}>"


class StageChange(Base):
    """One row of an enrollment's stage history: from, to, when, who, why."""

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="RESTRICT"), index=True
    )
    from_stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("stage.id", ondelete="RESTRICT")
    )
    to_stage_id: Mapped[int] = mapped_column(
        ForeignKey("stage.id", ondelete="RESTRICT"), index=True
    )
    effective_on: Mapped[date] = mapped_column(Date, index=True)
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


ASSESSMENT_AREAS: dict[str, str] = {
    "financial_management": "Financial management",
    "procurement": "Procurement",
    "urban_planning": "Urban planning and permits",
    "human_resources": "Human resources",
    "service_delivery": "Service delivery",
    "transparency": "Transparency and citizen participation",
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
    def average(self) -> float:
        values = list(self.scores.values())
        return sum(values) / len(values)

    def __repr__(self) -> str:
        return f"<Assessment {self.kind} of enrollment {self.enrollment_id}>"
