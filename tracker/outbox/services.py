"""Queueing e-mail in the caller's transaction, and who wants which kind.

``queue()`` renders one message for one recipient, in their language and
time zone, and adds the outbox row to the session: it commits with the
change that caused it or not at all, and never commits itself. Nothing is
queued for an address that turned the kind off; an address that is not
valid is queued as failed, so that administrators see it on the outbox page.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import make_msgid, parseaddr
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_request_context, request
from flask_babel import LazyString
from itsdangerous import BadSignature
from sqlalchemy import select

from tracker.extensions import db
from tracker.i18n import DEFAULT_LOCALE, as_reader, supported
from tracker.models import (
    MailKind,
    MailOptOut,
    MailStatus,
    Notification,
    OutboxMessage,
    Role,
    User,
    utcnow,
)
from tracker.notifications.services import Delivery
from tracker.routing import path_for
from tracker.signing import serializer

UNSUBSCRIBE_SALT = "tracker.unsubscribe"
SUBJECT_LENGTH = 300
NAME_LENGTH = 200

# The kinds each role can receive: what its profile page offers to turn off.
KINDS_BY_ROLE: dict[Role, tuple[MailKind, ...]] = {
    Role.CONTACT: (
        MailKind.TESTIMONIAL_OUTCOME,
        MailKind.PROPOSAL_OUTCOME,
        MailKind.STAGE_CHANGE,
        MailKind.EVENT_INVITATION,
        MailKind.EVENT_REMINDER,
        MailKind.PASSWORD_LINK,
    ),
    Role.COORDINATOR: (
        MailKind.TESTIMONIAL_REVIEW,
        MailKind.TESTIMONIAL_OUTCOME,
        MailKind.PROPOSAL_RECEIVED,
        MailKind.EVENT_INVITATION,
        MailKind.EVENT_REMINDER,
        MailKind.PASSWORD_LINK,
    ),
    Role.MANAGER: (
        MailKind.WEEKLY_DIGEST,
        MailKind.EVENT_INVITATION,
        MailKind.EVENT_REMINDER,
        MailKind.PASSWORD_LINK,
    ),
    Role.ADMIN: (
        MailKind.TESTIMONIAL_REVIEW,
        MailKind.TESTIMONIAL_OUTCOME,
        MailKind.EVENT_INVITATION,
        MailKind.EVENT_REMINDER,
        MailKind.PASSWORD_LINK,
    ),
}


@dataclass(frozen=True)
class Recipient:
    """Whom one message goes to, and the language and zone it is written in."""

    address: str
    name: str = ""
    locale: str | None = None
    timezone: str | None = None

    @classmethod
    def of_user(cls, user: User) -> Recipient:
        return cls(user.email, user.full_name, user.locale, user.timezone)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "text/calendar; method=PUBLISH"
    text: str


def mail_configured() -> bool:
    """Is there an SMTP server to send through? Without one, mail stays queued."""
    return bool(current_app.config.get("MAIL_SERVER"))


def normalise_address(address: str | None) -> str | None:
    """The address in its normal form (lower case), or None if it is not one."""
    if not address:
        return None
    try:
        valid = validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return None
    return valid.normalized.lower()


def one_line(text: str, limit: int) -> str:
    """Header text on one line: line breaks and other control characters
    become spaces, so no name or subject can start a header of its own."""
    cleaned = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    return " ".join(cleaned.split())[:limit]


def absolute_url(path: str) -> str:
    """``path`` on the address users reach the app at (``BASE_URL``)."""
    base = current_app.config.get("BASE_URL") or (
        request.host_url if has_request_context() else "http://localhost:5000/"
    )
    return base.rstrip("/") + path


def mail_domain() -> str:
    address = parseaddr(current_app.config["MAIL_FROM"])[1]
    return address.rpartition("@")[2] or "localhost"


def render_mail(template: str, values: Mapping[str, Any]) -> str:
    """A template of ``templates/outbox/mail/`` with only ``values``: no
    request, no signed-in user, no context processors (the reader is the
    recipient, not whoever made the change)."""
    return current_app.jinja_env.get_template(f"outbox/mail/{template}").render(values)


# -- preferences and unsubscribe links -----------------------------------


def opted_out_kinds(address: str) -> set[MailKind]:
    """The kinds ``address`` does not want."""
    normal = normalise_address(address) or address.lower()
    return set(
        db.session.scalars(select(MailOptOut.kind).where(MailOptOut.address == normal))
    )


def set_preferences(address: str, wanted: Mapping[MailKind, bool]) -> None:
    """Turn each kind on or off for ``address`` (flushes, never commits)."""
    normal = normalise_address(address) or address.lower()
    existing = {
        opt_out.kind: opt_out
        for opt_out in db.session.scalars(
            select(MailOptOut).where(MailOptOut.address == normal)
        )
    }
    for kind, is_wanted in wanted.items():
        if is_wanted and kind in existing:
            db.session.delete(existing[kind])
        elif not is_wanted and kind not in existing:
            db.session.add(MailOptOut(address=normal, kind=kind))
    db.session.flush()


def unsubscribe_token(address: str, kind: MailKind) -> str:
    """The signed part of an unsubscribe link: this address, this kind."""
    return str(serializer(UNSUBSCRIBE_SALT).dumps([address, kind.value]))


def read_unsubscribe_token(token: str) -> tuple[str, MailKind] | None:
    try:
        payload = serializer(UNSUBSCRIBE_SALT).loads(token)
    except BadSignature:
        return None
    if not (isinstance(payload, list) and len(payload) == 2):
        return None
    address, kind = payload
    if not isinstance(address, str) or kind not in set(MailKind):
        return None
    return address, MailKind(kind)


# -- queueing ---------------------------------------------------------------


def queue(
    kind: MailKind,
    recipient: Recipient,
    *,
    subject: str | LazyString,
    template: str,
    context: Mapping[str, Any] | None = None,
    link: str = "",
    topic: str = "",
    dedup_key: str | None = None,
    attachment: Attachment | None = None,
) -> OutboxMessage | None:
    """Add one message to the session, rendered for ``recipient``.

    ``template`` names ``templates/outbox/mail/<template>.txt`` and ``.html``;
    they get ``context`` (lazy strings in it are written in the recipient's
    language), the absolute ``link`` back to the record and the unsubscribe
    link. Returns None when nothing is queued: the address turned ``kind``
    off, or ``dedup_key`` was queued before.
    """
    address = normalise_address(recipient.address)
    if address is not None and kind in opted_out_kinds(address):
        return None
    if dedup_key is not None and db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.dedup_key == dedup_key)
    ):
        return None
    locale = supported(recipient.locale) or DEFAULT_LOCALE
    unsubscribe_url = (
        absolute_url(
            path_for("outbox.unsubscribe", token=unsubscribe_token(address, kind))
        )
        if address
        else ""
    )
    with as_reader(locale, recipient.timezone):
        subject_line = one_line(str(subject), SUBJECT_LENGTH)
        values = {
            **(context or {}),
            "subject": subject_line,
            "recipient_name": one_line(recipient.name, NAME_LENGTH),
            "link": absolute_url(link) if link else "",
            "unsubscribe_url": unsubscribe_url,
            "preferences_url": absolute_url(path_for("auth.profile")),
            "kind_label": kind.label,
            "written_at": utcnow(),
        }
        body_text = render_mail(f"{template}.txt", values)
        body_html = render_mail(f"{template}.html", values)
    message = OutboxMessage(
        kind=kind,
        to_address=address or one_line(recipient.address, 254),
        to_name=one_line(recipient.name, NAME_LENGTH),
        locale=locale,
        subject=subject_line,
        body_text=body_text,
        body_html=body_html,
        message_id=make_msgid(domain=mail_domain()),
        unsubscribe_url=unsubscribe_url,
        topic=topic,
        dedup_key=dedup_key,
    )
    if attachment is not None:
        message.attachment_name = attachment.filename
        message.attachment_type = attachment.content_type
        message.attachment = attachment.text
    if address is None:
        message.status = MailStatus.DEAD
        message.last_error = "The recipient's address is not a valid e-mail address."
    db.session.add(message)
    return message


def mail_channel(notifications: list[Notification], delivery: Delivery) -> None:
    """The e-mail channel of ``notify()``: each notification as a message."""
    for notification in notifications:
        queue(
            delivery.kind,
            Recipient.of_user(notification.user),
            subject=delivery.subject,
            template="notification",
            context={"message": delivery.message},
            link=notification.link,
        )
