"""Telling people what a change means for them: ``notify()`` and its channels.

``notify()`` writes the in-app notification in the caller's transaction, so it
commits or rolls back with the change that caused it. Other channels (e-mail)
register with ``add_channel``; ``notify()`` hands each of them the
notifications it made, in the same transaction, so what a channel writes (an
outbox row) commits with the change or not at all: a rolled-back change
reaches nobody, a committed one is never forgotten, and no caller changes
when a channel is added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import LazyString
from sqlalchemy import select

from tracker.extensions import db
from tracker.i18n import as_reader
from tracker.models import MailKind, Notification, Role, User


@dataclass(frozen=True)
class Delivery:
    """What the other channels need beyond the in-app line: the kind (which
    recipients may turn off), a subject, and the untruncated message."""

    kind: MailKind
    message: str | LazyString
    subject: str | LazyString


Channel = Callable[[list[Notification], Delivery], None]

_CHANNELS: list[Channel] = []


def notify(
    users: list[User],
    message: str | LazyString,
    link: str = "",
    *,
    kind: MailKind | None = None,
    subject: str | LazyString | None = None,
) -> list[Notification]:
    """Add a notification for each of ``users`` (flushed with the caller's change).

    Pass ``message`` as ``lazy_gettext(...)``: each recipient's copy is written
    in their own language, not the language of whoever made the change. With
    a ``kind`` the channels (e-mail) deliver it too, under ``subject``.
    """
    made = []
    for user in users:
        with as_reader(user.locale, user.timezone):
            text = str(message)
        made.append(Notification(user=user, message=text[:500], link=link))
    db.session.add_all(made)
    if kind is not None and made:
        delivery = Delivery(kind, message, subject if subject is not None else message)
        for channel in _CHANNELS:
            channel(made, delivery)
    return made


def active_users(*roles: Role) -> list[User]:
    """The active accounts holding one of ``roles``: whom staff work concerns."""
    return list(
        db.session.scalars(
            select(User).where(User.is_active, User.role.in_(roles)).order_by(User.id)
        )
    )


def active_contacts(municipality_id: int) -> list[User]:
    """The active contacts of one municipality: whom its record concerns."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.is_active,
                User.role == Role.CONTACT,
                User.municipality_id == municipality_id,
            )
            .order_by(User.id)
        )
    )


def add_channel(channel: Channel) -> None:
    """Deliver every notification made with a ``kind`` through ``channel`` too."""
    if channel not in _CHANNELS:
        _CHANNELS.append(channel)
