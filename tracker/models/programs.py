"""Programs and their stages, cohorts, enrollments, stage history, assessments."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import (
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import (
    Base,
    Timestamped,
    Versioned,
    enum_type,
)
from tracker.models.enums import Role, StageKind

if TYPE_CHECKING:
    from tracker.models.accounts import User
    from tracker.models.enrollments import Enrollment
    from tracker.models.events import Event


class InvalidTransition(Exception):
    """A stage change (or assessment) that breaks a program rule.

    ``field`` names the form field the message belongs beside.
    """

    def __init__(self, message: str, field: str = "stage_id") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


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

    @property
    def first_stage(self) -> Stage | None:
        """Where a new enrollment starts (for ACP: ready to join)."""
        return self.stages[0] if self.stages else None

    @property
    def working_stages(self) -> list[Stage]:
        return [stage for stage in self.stages if stage.kind == StageKind.WORKING]

    @property
    def last_working_stage(self) -> Stage | None:
        """The only stage from which an enrollment may be completed."""
        working = self.working_stages
        return working[-1] if working else None

    def stage_by_code(self, code: str) -> Stage | None:
        return next((stage for stage in self.stages if stage.code == code), None)

    @property
    def tracks_training(self) -> bool:
        """True for programs (ILTP) whose people count as trained after N trainings."""
        return bool(self.required_trainings)

    def can_edit(self, user: User) -> bool:
        """Program texts and stages are the administrators' to change."""
        return user.is_authenticated and user.role == Role.ADMIN

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

    @property
    def is_working(self) -> bool:
        return self.kind == StageKind.WORKING

    @property
    def rank(self) -> tuple[int, int]:
        """Order for "forwards" and "backwards": working stages by position,
        then the final ones (completed, withdrawn) after all of them."""
        return (0, self.position) if self.is_working else (1, 0)

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

    @property
    def label(self) -> str:
        """The name, with the year unless the name already gives it
        ("ACP cohort I (2012)", not "ACP cohort I (2012) (2012)")."""
        if str(self.year) in self.name:
            return self.name
        return f"{self.name} ({self.year})"

    def can_edit(self, user: User) -> bool:
        return user.is_authenticated and user.can_edit_records

    def __repr__(self) -> str:
        return f"<Cohort {self.name}>"
