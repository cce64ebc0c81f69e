"""Telling people what a change means for them: ``notify()`` and its channels.

``notify()`` writes the in-app notification in the caller's transaction, so it
commits or rolls back with the change that caused it. Other channels (e-mail)
register with ``add_channel``; each is called once the transaction has
committed, with the notifications it made, so a rolled-back change reaches
nobody and no caller changes when a channel is added.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import LazyString, force_locale
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from tracker.extensions import db
from tracker.i18n import DEFAULT_LOCALE
from tracker.models import Notification, Role, User

Channel = Callable[[list[Notification]], None]

_CHANNELS: list[Channel] = []
_PENDING = "tracker.notifications.pending"


def notify(
    users: list[User], message: str | LazyString, link: str = ""
) -> list[Notification]:
    """Add a notification for each of ``users`` (flushed with the caller's change).

    Pass ``message`` as ``lazy_gettext(...)``: each recipient's copy is written
    in their own language, not the language of whoever made the change.
    """
    made = []
    for user in users:
        with force_locale(user.locale or DEFAULT_LOCALE):
            text = str(message)
        made.append(Notification(user=user, message=text[:500], link=link))
    db.session.add_all(made)
    db.session.info.setdefault(_PENDING, []).extend(made)
    return made


def active_users(*roles: Role) -> list[User]:
    """The active accounts holding one of ``roles``: whom staff work concerns."""
    return list(
        db.session.scalars(
            select(User).where(User.is_active, User.role.in_(roles)).order_by(User.id)
        )
    )


def add_channel(channel: Channel) -> None:
    """Deliver every committed notification through ``channel`` too."""
    if channel not in _CHANNELS:
        _CHANNELS.append(channel)


def _after_commit(session: Session) -> None:
    # A savepoint rolled back inside the transaction took its notifications
    # with it: only the ones still stored are delivered.
    made = [n for n in session.info.pop(_PENDING, []) if inspect(n).persistent]
    if made:
        for channel in _CHANNELS:
            channel(made)


def _after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


def init_app(app: object) -> None:
    """Hand committed notifications to the channels (once per process)."""
    for name, listener in (
        ("after_commit", _after_commit),
        ("after_soft_rollback", _after_rollback),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
