"""Events, the sessions and site visits inside them, and who took part."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    exists,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from tracker.models.base import Base, Timestamped, Versioned, enum_type
from tracker.models.enums import (
    Attendance,
    EventKind,
    ParticipationRole,
    Role,
    SessionKind,
)
from tracker.search import Searchable, add_indexes

if TYPE_CHECKING:
    from tracker.models.accounts import User
    from tracker.models.places import Country, Municipality, Person
    from tracker.models.programs import Program


class Event(Searchable, Versioned, Timestamped, Base):
    __search_fields__ = ("title", "city", "venue", "organisers")
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

    def is_upcoming(self, today: date | None = None) -> bool:
        """Not started yet: the only events that take proposals."""
        return self.starts_on > (today or date.today())

    def is_over(self, today: date | None = None) -> bool:
        return self.ends_on < (today or date.today())

    def can_view(self, user: User) -> bool:
        """Who may open the event's page (the public pages show public ones only).

        Staff see every event. A contact sees public events, events that are
        not over (so that they can propose participants) and events their
        municipality took part in. Nobody else sees a non-public event.
        """
        if not user.is_authenticated:
            return self.is_public
        if user.is_staff or self.is_public:
            return True
        if user.municipality_id is None:
            return False
        if not self.is_over():
            return True
        session = object_session(self)
        return bool(
            session
            and session.scalar(
                select(
                    exists().where(
                        Participation.event_id == self.id,
                        Participation.municipality_id == user.municipality_id,
                    )
                )
            )
        )

    def can_edit(self, user: User) -> bool:
        return user.is_authenticated and user.can_edit_records

    def can_propose(self, user: User) -> bool:
        """A municipal contact may propose participants until the event starts."""
        return (
            user.is_authenticated
            and user.role == Role.CONTACT
            and user.municipality_id is not None
            and self.is_upcoming()
        )

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

    def can_view(self, user: User) -> bool:
        return self.event.can_view(user)

    def can_edit(self, user: User) -> bool:
        return self.event.can_edit(user)

    def __repr__(self) -> str:
        return f"<EventSession {self.title}>"


class Participation(Versioned, Timestamped, Base):
    """A person at an event, for the municipality they represented then."""

    __table_args__ = (
        # Also the index of a person's participations (person_id comes first).
        UniqueConstraint("person_id", "event_id"),
        # An event's participants by attendance: the event page, the counts
        # of the lists, "still registered" on the data-quality checks.
        Index("ix_participation_event_attendance", "event_id", "attendance"),
        # Who attended which event for which municipality, without reading a
        # row: the dashboard counts people, ILTP trainees and attendances per
        # country and year from this index alone.
        Index(
            "ix_participation_attendance_person",
            "attendance",
            "person_id",
            "event_id",
            "municipality_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="RESTRICT"))
    # Copied when the participation is recorded; later moves of the person
    # do not rewrite history.
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[ParticipationRole] = mapped_column(enum_type(ParticipationRole))
    presentation_title: Mapped[str] = mapped_column(String(300), default="")
    attendance: Mapped[Attendance] = mapped_column(enum_type(Attendance))
    proposed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )

    person: Mapped[Person] = relationship(back_populates="participations")
    event: Mapped[Event] = relationship(back_populates="participations")
    municipality: Mapped[Municipality | None] = relationship(
        back_populates="participations"
    )
    proposed_by: Mapped[User | None] = relationship()

    @property
    def is_proposed(self) -> bool:
        return self.attendance == Attendance.PROPOSED

    @property
    def is_publicly_listed(self) -> bool:
        """Shown on public pages and to other municipalities: confirmed people."""
        return self.attendance in PUBLICLY_LISTED

    def is_home_of(self, user: User) -> bool:
        """True when ``user`` acts for the municipality this person represented."""
        return (
            user.is_authenticated
            and self.municipality_id is not None
            and user.municipality_id == self.municipality_id
        )

    def can_view(self, user: User) -> bool:
        """Staff and the represented municipality see it in every state; others
        see it on a visible event once it is confirmed."""
        if user.is_authenticated and (user.is_staff or self.is_home_of(user)):
            return True
        return self.is_publicly_listed and self.event.can_view(user)

    def can_view_contact_details(self, user: User) -> bool:
        """E-mail and phone: staff, and the contacts of the represented municipality."""
        return user.is_authenticated and (user.is_staff or self.is_home_of(user))

    def can_view_event(self, user: User) -> bool:
        """Whether ``user`` may open this participation's event page.

        The participation itself proves a contact's municipality took part,
        so lists of a municipality's events need no query per row.
        """
        if user.is_authenticated and (user.is_staff or self.is_home_of(user)):
            return True
        return self.event.can_view(user)

    def can_edit(self, user: User) -> bool:
        return user.is_authenticated and user.can_edit_records

    def __repr__(self) -> str:
        return f"<Participation person {self.person_id} at event {self.event_id}>"


# The attendance states that appear on public pages and to other municipalities;
# proposals, cancellations and absences stay with staff and the municipality.
PUBLICLY_LISTED = (Attendance.REGISTERED, Attendance.ATTENDED)


add_indexes(Event)
