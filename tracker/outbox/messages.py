"""The messages that do not come from ``notify()``: invitations and reminders
for event participants (people, who may have no account), the managers'
weekly digest, and password-set links. Each queues in the caller's
transaction and returns the outbox row, or None when nothing is queued.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import LazyString, gettext
from sqlalchemy import or_, select

from tracker.dashboards.digest import Figure
from tracker.events.calendar import CONTENT_TYPE, event_calendar, place_of
from tracker.extensions import db
from tracker.i18n import format_day
from tracker.models import Event, MailKind, OutboxMessage, Participation, User
from tracker.outbox.services import (
    Attachment,
    Recipient,
    absolute_url,
    mail_domain,
    queue,
)
from tracker.public.open_data import scrub
from tracker.routing import path_for
from tracker.translation import lazy_gettext as _l


def invitation_topic(participation_id: int) -> str:
    return f"invitation:participation:{participation_id}"


def day_range(event: Event) -> str:
    """ "4 Sep 2017 – 8 Sep 2017" in the reader's language (one day: one date)."""
    if event.ends_on == event.starts_on:
        return format_day(event.starts_on)
    return f"{format_day(event.starts_on)} – {format_day(event.ends_on)}"


def _recipient_of(participation: Participation) -> Recipient:
    """The participant, in their account's language when they have one."""
    person = participation.person
    user = db.session.scalar(
        select(User)
        .where(
            User.is_active,
            or_(User.person_id == person.id, User.email == (person.email or "")),
        )
        .limit(1)
    )
    return Recipient(
        person.email or "",
        person.full_name,
        user.locale if user else None,
        user.timezone if user else None,
    )


def _event_link(event: Event) -> str:
    if event.is_public:
        return path_for("events.public_detail", event_id=event.id)
    return path_for("events.detail", event_id=event.id)


def _event_context(participation: Participation) -> dict:
    event = participation.event
    return {
        "event": event,
        "place": place_of(event),
        "description": scrub(event.description),
        "role": participation.role,
        "presentation_title": participation.presentation_title,
        "dates": LazyString(day_range, event),
    }


def invite(participation: Participation) -> OutboxMessage | None:
    """Invite a participant to their event, with the event's calendar file."""
    event = participation.event
    link = _event_link(event)
    return queue(
        MailKind.EVENT_INVITATION,
        _recipient_of(participation),
        subject=LazyString(
            lambda: gettext(
                "Invitation: %(title)s, %(dates)s",
                title=event.title,
                dates=day_range(event),
            )
        ),
        template="invitation",
        context=_event_context(participation),
        link=link,
        topic=invitation_topic(participation.id),
        attachment=Attachment(
            "invitation.ics",
            CONTENT_TYPE,
            event_calendar(event, domain=mail_domain(), url=absolute_url(link)),
        ),
    )


def remind(participation: Participation, today: date) -> OutboxMessage | None:
    """Remind a participant of their event, once per participation and start
    date (an event moved to another date gets a new reminder)."""
    event = participation.event
    days_left = (event.starts_on - today).days
    return queue(
        MailKind.EVENT_REMINDER,
        _recipient_of(participation),
        subject=LazyString(
            lambda: gettext(
                "Reminder: %(title)s starts on %(date)s",
                title=event.title,
                date=format_day(event.starts_on),
            )
        ),
        template="reminder",
        context={**_event_context(participation), "days_left": days_left},
        link=_event_link(event),
        topic=f"reminder:participation:{participation.id}",
        dedup_key=f"reminder:{participation.id}:{event.starts_on.isoformat()}",
    )


def digest(user: User, figures: list[Figure], until: datetime) -> OutboxMessage | None:
    """A manager's weekly digest, once per ISO week."""
    year, week, _ = until.isocalendar()
    since = until - timedelta(days=7)
    return queue(
        MailKind.WEEKLY_DIGEST,
        Recipient.of_user(user),
        subject=_l("UPP Tracker: what changed this week"),
        template="digest",
        context={"figures": figures, "since": since, "until": until},
        link=path_for("dashboards.index"),
        topic=f"digest:user:{user.id}",
        dedup_key=f"digest:{user.id}:{year}-W{week:02d}",
    )


def password_link(user: User, link: str, hours: int) -> OutboxMessage | None:
    """Send a password-set link to its user (instead of showing it to the admin)."""
    return queue(
        MailKind.PASSWORD_LINK,
        Recipient.of_user(user),
        subject=_l("Set your UPP Tracker password"),
        template="password_link",
        context={"password_link": link, "hours": hours},
        topic=f"password_link:user:{user.id}",
    )
