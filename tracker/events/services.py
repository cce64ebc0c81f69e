"""Writes that touch several records: adding people to events, proposals,
bulk attendance, deleting an event with its agenda.

Plain functions taking objects and the acting user. They flush, never
commit; a refused change raises ``ParticipationError`` (or ``EventInUse``)
which the view turns into a message.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import exists, func, select

from tracker.extensions import db
from tracker.models import (
    Attendance,
    Event,
    Participation,
    ParticipationRole,
    Person,
    Role,
    Testimonial,
    User,
)
from tracker.translation import day, ngettext
from tracker.translation import gettext as _

# Attendance that can only be recorded once the event has begun.
AFTER_START = (Attendance.ATTENDED, Attendance.ABSENT)


class ParticipationError(Exception):
    """A participation change that breaks a rule; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class EventInUse(Exception):
    """The event still has records that depend on it."""


def is_participant(event: Event, person: Person) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Participation.event_id == event.id,
                    Participation.person_id == person.id,
                )
            )
        )
    )


def check_attendance(event: Event, attendance: Attendance, today: date) -> None:
    if attendance in AFTER_START and event.starts_on > today:
        if attendance == Attendance.ATTENDED:
            message = _(
                "Nobody can be marked attended before the event starts (%(day)s).",
                day=day(event.starts_on),
            )
        else:
            message = _(
                "Nobody can be marked absent before the event starts (%(day)s).",
                day=day(event.starts_on),
            )
        raise ParticipationError(message, "attendance")


def create_person(
    *,
    full_name: str,
    position: str = "",
    organisation: str = "",
    municipality_id: int | None = None,
    email: str | None = None,
    phone: str = "",
) -> Person:
    """A new person; refuses an e-mail address someone else already has."""
    if email and db.session.scalar(
        select(exists().where(func.lower(Person.email) == email.lower()))
    ):
        raise ParticipationError(
            _(
                "Someone with this e-mail address is already recorded: "
                "search for them instead."
            ),
            "email",
        )
    person = Person(
        full_name=full_name,
        position=position,
        organisation=organisation,
        municipality_id=municipality_id,
        email=email,
        phone=phone,
    )
    db.session.add(person)
    db.session.flush()
    return person


def add_participation(
    event: Event,
    person: Person,
    *,
    role: ParticipationRole,
    attendance: Attendance,
    presentation_title: str = "",
    municipality_id: int | None = None,
    proposed_by: User | None = None,
    today: date | None = None,
) -> Participation:
    """Record ``person`` at ``event``.

    The represented municipality is the one given, or else the person's
    municipality now; it is copied, so a later move leaves it as it was.
    """
    if is_participant(event, person):
        raise ParticipationError(
            _(
                "%(name)s is already a participant of this event.",
                name=person.full_name,
            ),
            "person_id",
        )
    check_attendance(event, attendance, today or date.today())
    participation = Participation(
        event=event,
        person=person,
        municipality_id=(
            municipality_id if municipality_id is not None else person.municipality_id
        ),
        role=role,
        attendance=attendance,
        presentation_title=presentation_title,
        proposed_by=proposed_by,
    )
    db.session.add(participation)
    db.session.flush()
    return participation


def propose_participation(
    event: Event,
    person: Person,
    proposer: User,
    *,
    role: ParticipationRole,
    presentation_title: str = "",
    today: date | None = None,
) -> Participation:
    """A contact proposes someone of their own municipality for an upcoming event."""
    today = today or date.today()
    if proposer.role != Role.CONTACT or proposer.municipality_id is None:
        raise ParticipationError(_("Only municipal contacts propose participants."))
    if not event.is_upcoming(today):
        raise ParticipationError(
            _("Proposals are closed: the event has already started.")
        )
    if person.municipality_id != proposer.municipality_id:
        raise ParticipationError(
            _("You can only propose people of your own municipality."), "person_id"
        )
    return add_participation(
        event,
        person,
        role=role,
        attendance=Attendance.PROPOSED,
        presentation_title=presentation_title,
        municipality_id=proposer.municipality_id,
        proposed_by=proposer,
        today=today,
    )


def confirm_proposal(participation: Participation) -> None:
    """A coordinator accepts a proposal: the person is registered."""
    if not participation.is_proposed:
        raise ParticipationError(_("Only a proposed participant can be confirmed."))
    participation.attendance = Attendance.REGISTERED
    db.session.flush()


def decline_proposal(participation: Participation) -> None:
    """A coordinator turns a proposal down; it stays on record as cancelled."""
    if not participation.is_proposed:
        raise ParticipationError(_("Only a proposed participant can be declined."))
    participation.attendance = Attendance.CANCELLED
    db.session.flush()


def set_attendance(
    event: Event,
    participation_ids: Iterable[int],
    attendance: Attendance,
    today: date | None = None,
) -> list[Participation]:
    """Mark many participants at once: every one of them, or none.

    Refused whole when an id is not a participant of ``event``, when someone
    is still only proposed or was cancelled, or when attendance is marked
    before the event starts.
    """
    wanted = set(participation_ids)
    if not wanted:
        raise ParticipationError(_("Select at least one participant."))
    check_attendance(event, attendance, today or date.today())
    found = list(
        db.session.scalars(
            select(Participation).where(
                Participation.id.in_(wanted), Participation.event_id == event.id
            )
        )
    )
    if len(found) != len(wanted):
        raise ParticipationError(
            _(
                "Some of the selected people are not participants of this event. "
                "Nothing was changed."
            )
        )
    undecided = sorted(
        p.person.full_name
        for p in found
        if p.attendance in (Attendance.PROPOSED, Attendance.CANCELLED)
    )
    if undecided:
        raise ParticipationError(
            _(
                "Proposed or cancelled participants cannot be marked: "
                "%(names)s. Nothing was changed.",
                names=", ".join(undecided),
            )
        )
    for participation in found:
        participation.attendance = attendance
    db.session.flush()
    return found


def delete_event(event: Event) -> None:
    """Delete an event and its agenda; refused while people or testimonials
    refer to it."""
    participants = db.session.scalar(
        select(func.count(Participation.id)).where(Participation.event_id == event.id)
    )
    if participants:
        # English reads "participant(s)" whatever the count; other languages
        # have their plural forms.
        raise EventInUse(
            ngettext(
                "This event has %(num)d participant(s): "
                "remove them before deleting the event.",
                "This event has %(num)d participant(s): "
                "remove them before deleting the event.",
                participants,
            )
        )
    testimonials = db.session.scalar(
        select(func.count(Testimonial.id)).where(Testimonial.event_id == event.id)
    )
    if testimonials:
        raise EventInUse(
            ngettext(
                "%(num)d testimonial(s) speak about this event: it cannot be deleted.",
                "%(num)d testimonial(s) speak about this event: it cannot be deleted.",
                testimonials,
            )
        )
    for session in list(event.sessions):
        db.session.delete(session)
    db.session.flush()
    db.session.delete(event)
    db.session.flush()
