"""Privacy: consent to be named in public, the legal basis for naming an
event's presenters, and the record of each erasure."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, Timestamped, UTCDateTime, Versioned, enum_type
from tracker.models.enums import ConsentMethod, ListingBasis

if TYPE_CHECKING:
    from tracker.models.accounts import User
    from tracker.models.events import Event, Participation
    from tracker.models.places import Person


class ListingConsent(Versioned, Timestamped, Base):
    """A person's answer to "may we name you on public pages?".

    One row per answer, never overwritten: withdrawing stamps ``withdrawn_at``.
    Without ``participation_id`` the answer holds for every event; with it,
    it holds for that one participation and overrides the general answer
    (``is_given`` False there keeps one event private).
    """

    __table_args__ = (Index("ix_listing_consent_person", "person_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    participation_id: Mapped[int | None] = mapped_column(
        ForeignKey("participation.id", ondelete="RESTRICT"), index=True
    )
    is_given: Mapped[bool] = mapped_column(default=True)
    method: Mapped[ConsentMethod] = mapped_column(enum_type(ConsentMethod))
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Its own constraint name: two CHECKs of one table cannot share one.
    withdrawal_method: Mapped[ConsentMethod | None] = mapped_column(
        enum_type(ConsentMethod, name="withdrawalmethod")
    )

    person: Mapped[Person] = relationship()
    participation: Mapped[Participation | None] = relationship()
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    def __repr__(self) -> str:
        scope = (
            f"participation {self.participation_id}"
            if self.participation_id
            else "all events"
        )
        return f"<ListingConsent person {self.person_id} {scope} {self.is_given}>"


class PresenterListingBasis(Versioned, Timestamped, Base):
    """The legal basis a coordinator chose for naming an event's presenters."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="RESTRICT"), unique=True
    )
    basis: Mapped[ListingBasis] = mapped_column(enum_type(ListingBasis))
    explanation: Mapped[str] = mapped_column(Text, default="")
    chosen_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship()
    chosen_by: Mapped[User | None] = relationship()

    @property
    def names_presenters(self) -> bool:
        return self.basis != ListingBasis.CONSENT_ONLY

    def __repr__(self) -> str:
        return f"<PresenterListingBasis event {self.event_id} {self.basis}>"


class Erasure(Timestamped, Base):
    """That a person's data was erased: when, by whom and why. Names nobody."""

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), unique=True
    )
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The actor's label (an e-mail or "retention"), as the audit trail has it.
    erased_by: Mapped[str] = mapped_column(String(254), default="")
    reason: Mapped[str] = mapped_column(String(20))  # "request" or "retention"
    audit_entries: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<Erasure person {self.person_id} {self.reason}>"
