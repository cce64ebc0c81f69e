"""Erasure that keeps the totals.

Erasing a person replaces every personal field wherever it is stored (the
person, their account, testimonials, free text naming them, e-mail to them,
the audit trail's stored values) and keeps every row that a count, chart or
open-data figure reads: participations stay, anonymous, with their event,
municipality, role and attendance, so every published total is the same
afterwards. The audit entries lose their payload but keep their digest, so
the chain still verifies; an erasure record in the chain names them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, select

from tracker.audit import ERASE_ACTION, ERASED, erasing, record_event, seal_of
from tracker.documents.services import attachments_of
from tracker.documents.services import delete as delete_attachment
from tracker.extensions import db
from tracker.models import (
    ApiToken,
    AuditEntry,
    Enrollment,
    Erasure,
    Event,
    EventSession,
    ListingConsent,
    MailOptOut,
    MailStatus,
    Notification,
    OutboxMessage,
    Participation,
    Person,
    Testimonial,
    User,
    utcnow,
)
from tracker.privacy.export import mentioning

ERASED_NAME = "[erased]"
ERASED_DOMAIN = "erased.invalid"
# Fields of a person's own records whose values are personal wholesale.
PERSONAL_KEYS = frozenset(
    {
        "full_name",
        "position",
        "email",
        "phone",
        "quote",
        "author_name",
        "author_position",
        "to_address",
        "to_name",
        "subject",
        "body_text",
        "body_html",
        "attachment",
        "unsubscribe_url",
        "address",
        "note",
        "message",
        "presentation_title",
    }
)
UNSENT = (MailStatus.PENDING, MailStatus.SENDING, MailStatus.DEAD)


class ErasureError(Exception):
    """An erasure that cannot be done (for example, the person is erased already)."""


def is_erased(person: Person) -> bool:
    return (
        db.session.scalar(select(Erasure.id).where(Erasure.person_id == person.id))
        is not None
    )


def _redact(text: str | None, needles: Iterable[str]) -> str | None:
    if not text:
        return text
    for needle in needles:
        if needle and needle in text:
            text = text.replace(needle, ERASED)
    return text


class _Footprint:
    """Everything stored about the people being erased, as ids and strings."""

    def __init__(self) -> None:
        self.needles: set[str] = set()
        self.entities: set[tuple[str, int]] = set()
        self.user_ids: set[int] = set()

    def add(self, table: str, ids: Iterable[int]) -> None:
        self.entities.update((table, i) for i in ids)

    def sorted_needles(self) -> list[str]:
        # Longest first, so that "Ana Demo-Perić" goes before "Ana".
        return sorted((n for n in self.needles if len(n) >= 3), key=len, reverse=True)


def erase_people(people: list[Person], by_label: str, reason: str) -> int:
    """Erase ``people``; return how many audit entries lost their payload.

    Flushes, never commits (the caller does, once, so an erasure is all or
    nothing). ``by_label`` is who erased, as the audit trail names actors.
    """
    footprint = _Footprint()
    now = utcnow()
    with erasing():
        for person in people:
            if is_erased(person):
                raise ErasureError(f"Person {person.id} is erased already.")
            _erase_person(person, footprint)
            db.session.add(
                Erasure(
                    person_id=person.id,
                    erased_at=now,
                    erased_by=by_label,
                    reason=reason,
                )
            )
        db.session.flush()
    sealed = _scrub_audit(footprint, by_label, now)
    for person in people:
        erasure = db.session.scalar(
            select(Erasure).where(Erasure.person_id == person.id)
        )
        erasure.audit_entries = len(sealed)
    db.session.flush()
    record_event(
        db.session,
        ERASE_ACTION,
        "person",
        people[0].id if len(people) == 1 else None,
        details={
            "people": [person.id for person in people],
            "reason": reason,
            "audit_entries": sealed,
        },
    )
    return len(sealed)


def _erase_person(person: Person, footprint: _Footprint) -> None:
    footprint.needles.update(
        value for value in (person.full_name, person.email, person.phone) if value
    )
    footprint.add("person", [person.id])
    users = list(
        db.session.scalars(
            select(User).where(
                or_(
                    User.person_id == person.id,
                    User.email == (person.email or "").lower(),
                )
            )
        )
    )
    addresses = {person.email.lower()} if person.email else set()
    for user in users:
        addresses.add(user.email)
        footprint.needles.update(v for v in (user.email, user.full_name) if v)
        footprint.user_ids.add(user.id)
        footprint.add("user_account", [user.id])
    needles = footprint.sorted_needles()

    participations = list(
        db.session.scalars(
            select(Participation).where(Participation.person_id == person.id)
        )
    )
    footprint.add("participation", [p.id for p in participations])
    for participation in participations:
        participation.presentation_title = _redact(
            participation.presentation_title, needles
        )
        # Their presentations are their own material: deleted (audited); the
        # stored files go at the next `flask documents prune`.
        for attachment in attachments_of(participation):
            footprint.add("attachment", [attachment.id])
            delete_attachment(attachment)
    # Free text anywhere that names them: the agenda's speakers, events.
    for item in mentioning(EventSession, ("title", "speakers", "description"), needles):
        footprint.add("event_session", [item.id])
        item.title = _redact(item.title, needles)
        item.speakers = _redact(item.speakers, needles)
        item.description = _redact(item.description, needles)
    for event in mentioning(Event, ("title", "organisers", "description"), needles):
        footprint.add("event", [event.id])
        event.title = _redact(event.title, needles)
        event.organisers = _redact(event.organisers, needles)
        event.description = _redact(event.description, needles)
    for enrollment in mentioning(Enrollment, ("notes",), needles):
        enrollment.notes = _redact(enrollment.notes, needles)

    testimonials = list(
        db.session.scalars(
            select(Testimonial).where(
                or_(
                    Testimonial.person_id == person.id,
                    Testimonial.author_name == person.full_name,
                )
            )
        )
    )
    footprint.add("testimonial", [t.id for t in testimonials])
    for testimonial in testimonials:
        testimonial.author_name = ERASED_NAME
        testimonial.author_position = ""
        testimonial.quote = ERASED_NAME

    if addresses:
        messages = list(
            db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.to_address.in_(addresses))
            )
        )
        footprint.add("outbox_message", [m.id for m in messages])
        for message in messages:
            message.to_address = f"erased-{message.id}@{ERASED_DOMAIN}"
            message.to_name = ""
            message.subject = ERASED_NAME
            message.body_text = ERASED_NAME
            message.body_html = ERASED_NAME
            message.attachment = None
            message.unsubscribe_url = ""
            if message.status in UNSENT:
                message.status = MailStatus.CANCELLED
        opt_outs = list(
            db.session.scalars(
                select(MailOptOut).where(MailOptOut.address.in_(addresses))
            )
        )
        footprint.add("mail_opt_out", [o.id for o in opt_outs])
        for opt_out in opt_outs:
            db.session.delete(opt_out)

    consents = list(
        db.session.scalars(
            select(ListingConsent).where(ListingConsent.person_id == person.id)
        )
    )
    footprint.add("listing_consent", [c.id for c in consents])
    for consent in consents:
        consent.note = ""
        if consent.withdrawn_at is None:
            consent.withdrawn_at = utcnow()

    for user in users:
        user.email = f"erased-{user.id}@{ERASED_DOMAIN}"
        user.full_name = ""
        user.person_id = None
        user.password_hash = None
        user.is_active = False
        user.end_sessions()
        for token in db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id)
        ):
            token.revoked_at = token.revoked_at or utcnow()
        notifications = list(
            db.session.scalars(
                select(Notification).where(Notification.user_id == user.id)
            )
        )
        footprint.add("notification", [n.id for n in notifications])
        for notification in notifications:
            notification.message = ERASED_NAME

    person.full_name = ERASED_NAME
    person.position = ""
    person.email = None
    person.phone = ""


def _scrubbed(value: Any, needles: list[str], wholesale: bool) -> Any:
    if isinstance(value, str):
        return ERASED if wholesale and value else _redact(value, needles)
    if isinstance(value, list):
        return [_scrubbed(item, needles, wholesale) for item in value]
    if isinstance(value, dict):
        return {
            key: _scrubbed(item, needles, wholesale or key in PERSONAL_KEYS)
            for key, item in value.items()
        }
    return value


def _scrub_audit(footprint: _Footprint, by_label: str, now) -> dict[str, str]:
    """Replace the personal payload of every audit entry that holds some.

    Returns the erased entries' seals, by id, for the erasure record.
    """
    needles = footprint.sorted_needles()
    changed: dict[int, tuple[str, dict[str, Any], bool]] = {}
    rows = db.session.execute(
        select(
            AuditEntry.id,
            AuditEntry.action,
            AuditEntry.entity_type,
            AuditEntry.entity_id,
            AuditEntry.actor_id,
            AuditEntry.actor_label,
            AuditEntry.changes,
        ).order_by(AuditEntry.id)
    )
    for row in rows.yield_per(1000):
        if row.action == ERASE_ACTION:
            continue
        own = (row.entity_type, row.entity_id) in footprint.entities
        changes = {
            key: _scrubbed(value, needles, own and key in PERSONAL_KEYS)
            for key, value in (row.changes or {}).items()
        }
        by_them = row.actor_id in footprint.user_ids
        label = ERASED if by_them else (_redact(row.actor_label, needles) or "")
        if changes != (row.changes or {}) or label != row.actor_label or by_them:
            changed[row.id] = (label, changes, by_them)
    sealed: dict[str, str] = {}
    ids = sorted(changed)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for entry in db.session.scalars(
            select(AuditEntry).where(AuditEntry.id.in_(chunk))
        ):
            label, changes, by_them = changed[entry.id]
            sealed[str(entry.id)] = seal_of(entry)
            entry.actor_label = label
            entry.changes = changes
            if by_them:
                entry.ip = ""
            entry.erased_at = now
            entry.erased_by = by_label
    db.session.flush()
    return sealed
