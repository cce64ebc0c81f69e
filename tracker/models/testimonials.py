"""Testimonials of municipal officials, and in-app notifications."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import (
    Base,
    Timestamped,
    UTCDateTime,
    Versioned,
    enum_type,
    utcnow,
)
from tracker.models.enums import Role, TestimonialStatus

if TYPE_CHECKING:
    from tracker.models.accounts import User
    from tracker.models.events import Event
    from tracker.models.places import Municipality, Person
    from tracker.models.programs import Program

QUOTE_MAX_LENGTH = 2000


class Testimonial(Versioned, Timestamped, Base):
    """What an official says; public only once a coordinator approves it."""

    __table_args__ = (
        CheckConstraint(
            f"length(quote) BETWEEN 1 AND {QUOTE_MAX_LENGTH}", name="quote_length"
        ),
        CheckConstraint(
            "status = 'draft' OR has_consent", name="consent_before_submission"
        ),
        CheckConstraint(
            "status <> 'rejected' OR length(review_note) > 0",
            name="rejection_has_note",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quote: Mapped[str] = mapped_column(Text)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    author_name: Mapped[str] = mapped_column(String(200))
    author_position: Mapped[str] = mapped_column(String(200), default="")
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    program_id: Mapped[int | None] = mapped_column(
        ForeignKey("program.id", ondelete="RESTRICT"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="RESTRICT"), index=True
    )
    has_consent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[TestimonialStatus] = mapped_column(
        enum_type(TestimonialStatus), default=TestimonialStatus.DRAFT, index=True
    )
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_note: Mapped[str] = mapped_column(Text, default="")
    is_featured: Mapped[bool] = mapped_column(default=False)

    person: Mapped[Person | None] = relationship()
    municipality: Mapped[Municipality] = relationship(back_populates="testimonials")
    program: Mapped[Program | None] = relationship()
    event: Mapped[Event | None] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    @property
    def is_published(self) -> bool:
        return self.status == TestimonialStatus.APPROVED

    def can_view(self, user: User) -> bool:
        """Approved ones are public; otherwise staff and the municipality's contacts."""
        if self.is_published:
            return True
        if not user.is_authenticated:
            return False
        return user.is_staff or user.municipality_id == self.municipality_id

    def can_edit(self, user: User) -> bool:
        """A contact edits the ones they wrote until reviewed; reviewers always."""
        if not user.is_authenticated:
            return False
        if user.has_role(Role.COORDINATOR, Role.ADMIN):
            return True
        return (
            user.role == Role.CONTACT
            and self.submitted_by_id == user.id
            and user.municipality_id == self.municipality_id
            and self.status in (TestimonialStatus.DRAFT, TestimonialStatus.SUBMITTED)
        )

    def can_review(self, user: User) -> bool:
        return user.is_authenticated and user.has_role(Role.COORDINATOR, Role.ADMIN)

    def __repr__(self) -> str:
        return f"<Testimonial {self.id} {self.status}>"


class Notification(Base):
    """A line in someone's in-app notification list.

    Not audited: each one follows from an audited change (a submission, a review).
    """

    __audited__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    message: Mapped[str] = mapped_column(String(500))
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, index=True
    )
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Notification for {self.user_id}>"
