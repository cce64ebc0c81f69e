"""Events, the sessions and site visits inside them, and who took part."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, Timestamped, Versioned, enum_type
from tracker.models.enums import Attendance, EventKind, ParticipationRole, SessionKind

if TYPE_CHECKING:
    from tracker.models.accounts import User
    from tracker.models.places import Country, Municipality, Person
    from tracker.models.programs import Program


class Event(Versioned, Timestamped, Base):
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[EventKind] = mapped_column(enum_type(EventKind), index=True)
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date] = mapped_column(Date)
    city: Mapped[str] = mapped_column(String(120), default="")
    country_id: Mapped[int | None] = mapped_column(
        ForeignKey("country.id", ondelete="RESTRICT"), index=True
    )
    venue: Mapped[str] = mapped_column(String(200), default="")
    organisers: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    program_id: Mapped[int | None] = mapped_column(
        ForeignKey("program.id", ondelete="RESTRICT"), index=True
    )
    is_public: Mapped[bool] = mapped_column(default=False, index=True)

    country: Mapped[Country | None] = relationship()
    program: Mapped[Program | None] = relationship(back_populates="events")
    sessions: Mapped[list[EventSession]] = relationship(
        back_populates="event",
        order_by="(EventSession.held_on, EventSession.position)",
    )
    participations: Mapped[list[Participation]] = relationship(back_populates="event")

    def is_upcoming(self, today: date) -> bool:
        return self.starts_on > today

    def __repr__(self) -> str:
        return f"<Event {self.title}>"


class EventSession(Versioned, Base):
    """An agenda item or site visit within an event."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="RESTRICT"), index=True
    )
    held_on: Mapped[date] = mapped_column(Date)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[SessionKind] = mapped_column(enum_type(SessionKind))
    title: Mapped[str] = mapped_column(String(200))
    speakers: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")

    event: Mapped[Event] = relationship(back_populates="sessions")

    def __repr__(self) -> str:
        return f"<EventSession {self.title}>"


class Participation(Versioned, Timestamped, Base):
    """A person at an event, for the municipality they represented then."""

    __table_args__ = (UniqueConstraint("person_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="RESTRICT"), index=True
    )
    # Copied when the participation is recorded; later moves of the person
    # do not rewrite history.
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[ParticipationRole] = mapped_column(enum_type(ParticipationRole))
    presentation_title: Mapped[str] = mapped_column(String(300), default="")
    attendance: Mapped[Attendance] = mapped_column(enum_type(Attendance), index=True)
    proposed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )

    person: Mapped[Person] = relationship(back_populates="participations")
    event: Mapped[Event] = relationship(back_populates="participations")
    municipality: Mapped[Municipality | None] = relationship(
        back_populates="participations"
    )
    proposed_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Participation person {self.person_id} at event {self.event_id}>"
