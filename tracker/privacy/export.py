"""A person's data, on request: everything stored about one person.

The same dictionary feeds the JSON download and the readable page. It holds
every row that names the person: their record, accounts, consents,
participations, the enrollments they appear in, testimonials, e-mail and
notifications to them, and the audit entries about them.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import inspect, or_, select

from tracker.audit import ERASE_ACTION
from tracker.extensions import db
from tracker.models import (
    Attachment,
    AuditEntry,
    Enrollment,
    Erasure,
    Event,
    EventSession,
    ListingConsent,
    Notification,
    OutboxMessage,
    Participation,
    Person,
    StageChange,
    Testimonial,
    User,
    utcnow,
)

# Never part of an export: secrets and bookkeeping that protect the account.
NEVER_EXPORTED = frozenset({"password_hash", "session_token", "search_key"})


def _value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def row_dict(obj: object) -> dict[str, Any]:
    """Every column of a row, JSON-safe, secrets left out."""
    return {
        attr.key: _value(getattr(obj, attr.key))
        for attr in inspect(obj).mapper.column_attrs
        if attr.key not in NEVER_EXPORTED
    }


def _mentions(value: Any, needles: list[str]) -> bool:
    if isinstance(value, str):
        return any(needle in value for needle in needles)
    if isinstance(value, list):
        return any(_mentions(item, needles) for item in value)
    if isinstance(value, dict):
        return any(_mentions(item, needles) for item in value.values())
    return False


def person_data(person: Person) -> dict[str, Any]:
    """Everything stored about ``person``, section by section."""
    users = list(
        db.session.scalars(
            select(User).where(
                or_(
                    User.person_id == person.id,
                    User.email == (person.email or "-").lower(),
                )
            )
        )
    )
    addresses = {a for a in [person.email, *(u.email for u in users)] if a}
    needles = sorted(
        {
            n
            for n in [person.full_name, person.email, person.phone]
            + [u.email for u in users]
            if n and len(n) >= 3
        }
    )
    participations = list(
        db.session.scalars(
            select(Participation)
            .where(Participation.person_id == person.id)
            .order_by(Participation.id)
        )
    )
    events = {
        e.id: e
        for e in db.session.scalars(
            select(Event).where(Event.id.in_({p.event_id for p in participations}))
        )
    }
    enrollments = _enrollments(person, participations, events, needles)
    testimonials = list(
        db.session.scalars(
            select(Testimonial)
            .where(
                or_(
                    Testimonial.person_id == person.id,
                    Testimonial.author_name == person.full_name,
                )
            )
            .order_by(Testimonial.id)
        )
    )
    consents = list(
        db.session.scalars(
            select(ListingConsent)
            .where(ListingConsent.person_id == person.id)
            .order_by(ListingConsent.id)
        )
    )
    messages = (
        list(
            db.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.to_address.in_(addresses))
                .order_by(OutboxMessage.id)
            )
        )
        if addresses
        else []
    )
    user_ids = [u.id for u in users]
    notifications = (
        list(
            db.session.scalars(
                select(Notification)
                .where(Notification.user_id.in_(user_ids))
                .order_by(Notification.id)
            )
        )
        if user_ids
        else []
    )
    stage_changes = (
        list(
            db.session.scalars(
                select(StageChange)
                .where(StageChange.recorded_by_id.in_(user_ids))
                .order_by(StageChange.id)
            )
        )
        if user_ids
        else []
    )
    documents = list(
        db.session.scalars(
            select(Attachment)
            .where(
                or_(
                    Attachment.participation_id.in_([p.id for p in participations]),
                    Attachment.uploaded_by_id.in_(user_ids),
                )
            )
            .order_by(Attachment.id)
        )
    )
    entities = {("person", person.id)}
    entities |= {("attachment", a.id) for a in documents}
    entities |= {("user_account", i) for i in user_ids}
    entities |= {("participation", p.id) for p in participations}
    entities |= {("testimonial", t.id) for t in testimonials}
    entities |= {("listing_consent", c.id) for c in consents}
    entities |= {("outbox_message", m.id) for m in messages}
    audit = []
    for entry in db.session.scalars(
        select(AuditEntry).order_by(AuditEntry.id)
    ).yield_per(1000):
        about = (entry.entity_type, entry.entity_id) in entities
        if (
            about
            or entry.actor_id in user_ids
            or (entry.action != ERASE_ACTION and _mentions(entry.changes, needles))
        ):
            audit.append(
                {
                    key: value
                    for key, value in row_dict(entry).items()
                    if key not in ("prev_hash", "hash", "payload_digest")
                }
            )
    erasure = db.session.scalar(select(Erasure).where(Erasure.person_id == person.id))
    agenda = mentioning(EventSession, ("title", "speakers", "description"), needles)
    events_mentioning = mentioning(
        Event, ("title", "organisers", "description"), needles
    )
    return {
        "generated_at": utcnow().isoformat(),
        "person": row_dict(person),
        "municipality": person.municipality.name if person.municipality else None,
        "accounts": [row_dict(u) for u in users],
        "consents": [row_dict(c) for c in consents],
        "participations": [
            {**row_dict(p), "event_title": events[p.event_id].title}
            for p in participations
        ],
        "enrollments": [
            {
                **row_dict(e),
                "program": e.program.code,
                "municipality_name": e.municipality.name,
            }
            for e in enrollments
        ],
        "stage_changes_recorded": [row_dict(s) for s in stage_changes],
        "testimonials": [row_dict(t) for t in testimonials],
        "outbox_messages": [
            {
                key: value
                for key, value in row_dict(m).items()
                if key not in ("lease_token", "attachment")
            }
            for m in messages
        ],
        "notifications": [row_dict(n) for n in notifications],
        # What is known about their documents; the files themselves are
        # downloaded from the record's documents page.
        "documents": [row_dict(a) for a in documents],
        "agenda_items": [row_dict(item) for item in agenda],
        "events_mentioning": [row_dict(event) for event in events_mentioning],
        "audit_entries": audit,
        "erasure": row_dict(erasure) if erasure else None,
    }


def mentioning(model, columns: tuple[str, ...], needles: list[str]) -> list:
    """Rows of ``model`` whose free text in ``columns`` holds one of ``needles``."""
    if not needles:
        return []
    conditions = [
        getattr(model, column).contains(needle, autoescape=True)
        for column in columns
        for needle in needles
    ]
    return list(
        db.session.scalars(select(model).where(or_(*conditions)).order_by(model.id))
    )


def _enrollments(
    person: Person,
    participations: list[Participation],
    events: dict[int, Event],
    needles: list[str],
) -> list[Enrollment]:
    """Enrollments they took part in (events of the program, for the
    enrolled municipality) or whose notes name them."""
    pairs = {
        (p.municipality_id or person.municipality_id, events[p.event_id].program_id)
        for p in participations
        if events[p.event_id].program_id is not None
    }
    found = []
    municipality_ids = {m for m, _ in pairs if m is not None}
    if municipality_ids:
        for enrollment in db.session.scalars(
            select(Enrollment).where(Enrollment.municipality_id.in_(municipality_ids))
        ):
            if (enrollment.municipality_id, enrollment.program_id) in pairs:
                found.append(enrollment)
    if needles:
        for enrollment in db.session.scalars(
            select(Enrollment).where(
                or_(*(Enrollment.notes.contains(n, autoescape=True) for n in needles))
            )
        ):
            if enrollment not in found:
                found.append(enrollment)
    return sorted(found, key=lambda e: e.id)


def as_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
