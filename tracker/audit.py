"""Writes the audit trail for every ORM change, and verifies its hash chain.

One listener sees every flush: views and services never write audit rows
themselves, so a change cannot forget to be audited. Bulk ``update()`` and
``delete()`` statements would bypass it and are not used on audited tables.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy import Connection, event, insert, inspect, select, text
from sqlalchemy.orm import Mapper, Session

from tracker.models.audit import GENESIS_HASH, AuditEntry
from tracker.models.base import utcnow

# Columns no diff needs: identity, optimistic-locking bookkeeping, and the
# search key (derived from the fields the diff already shows).
ALWAYS_EXCLUDED = frozenset({"id", "version_id", "created_at", "search_key"})
REDACTED = "[redacted]"
# Any constant works: it only names the lock that serialises chain writers.
CHAIN_LOCK_KEY = 720_417


@dataclass(frozen=True)
class Actor:
    id: int | None
    role: str
    label: str
    ip: str = ""


_cli_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar(
    "cli_actor", default=None
)
# While a person is erased, the old values of what changes are not written
# into the new audit entries (they are what is being erased).
_erasing: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "erasing", default=False
)
ERASED = "[erased]"
ERASE_ACTION = "privacy.erase"


@contextmanager
def erasing() -> Iterator[None]:
    """Audit the flushes inside without the old values they overwrite."""
    token = _erasing.set(True)
    try:
        yield
    finally:
        _erasing.reset(token)


@contextmanager
def acting_as(label: str) -> Iterator[None]:
    """Attribute changes made outside a request (CLI, scripts) to ``label``."""
    token = _cli_actor.set(Actor(id=None, role="system", label=label))
    try:
        yield
    finally:
        _cli_actor.reset(token)


def current_actor() -> Actor:
    if has_request_context():
        # Read the user Flask-Login already loaded; loading it here, inside a
        # flush, would query the session while it is flushing.
        user = g.get("_login_user")
        ip = request.remote_addr or ""
        if user is not None and user.is_authenticated:
            return Actor(id=user.id, role=str(user.role), label=user.email, ip=ip)
        return Actor(id=None, role="anonymous", label="", ip=ip)
    return _cli_actor.get() or Actor(id=None, role="system", label="system")


def is_audited(obj: object) -> bool:
    return getattr(type(obj), "__audited__", True)


def _plain(value: Any) -> Any:
    """A JSON-safe form of a column value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _audited_columns(obj: object) -> Iterator[str]:
    mapper = inspect(obj).mapper
    excluded = ALWAYS_EXCLUDED | getattr(type(obj), "__audit_exclude__", frozenset())
    for attr in mapper.column_attrs:
        if attr.key not in excluded:
            yield attr.key


def _shown(obj: object, key: str, value: Any) -> Any:
    if key in getattr(type(obj), "__audit_redact__", frozenset()):
        return None if value is None else REDACTED
    return _plain(value)


def _diff(obj: object, action: str) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for key in _audited_columns(obj):
        if action == "create":
            value = state.attrs[key].loaded_value
            if value is not None and value != "":
                changes[key] = [None, _shown(obj, key, value)]
        elif action == "delete":
            value = state.attrs[key].loaded_value
            changes[key] = [_shown(obj, key, value), None]
        else:
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                shown_old = ERASED if _erasing.get() else _shown(obj, key, old)
                changes[key] = [shown_old, _shown(obj, key, new)]
    return changes


def _entity_id(obj: object) -> int | None:
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return key[0] if key else None


def _keep_old_value(target, value, oldvalue, initiator):
    return value


def _track_old_values(mapper: Mapper, class_: type) -> None:
    """Load a column's old value before it is overwritten, so diffs show it.

    Without this, setting an attribute that expired at the last commit
    records no old value at all.
    """
    if not getattr(class_, "__audited__", True):
        return
    for attr in mapper.column_attrs:
        event.listen(
            getattr(class_, attr.key),
            "set",
            _keep_old_value,
            active_history=True,
            retval=True,
        )


def _audit_flush(session: Session, flush_context) -> None:
    """Turn what this flush wrote into audit entries, in the same transaction."""
    entries = []
    for action, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            if not is_audited(obj):
                continue
            if action == "update" and not session.is_modified(
                obj, include_collections=False
            ):
                continue
            changes = _diff(obj, action)
            if action == "update" and not changes:
                continue
            entries.append(
                {
                    "action": action,
                    "entity_type": type(obj).__tablename__,
                    "entity_id": _entity_id(obj),
                    "changes": changes,
                }
            )
    if entries:
        _append(session.connection(), entries)


def init_app(app: object) -> None:
    """Start auditing every flush (once per process, however many apps)."""
    listeners = (
        (Mapper, "mapper_configured", _track_old_values),
        (Session, "after_flush", _audit_flush),
    )
    for target, name, listener in listeners:
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)


def record_event(
    session: Session,
    action: str,
    entity_type: str,
    entity_id: int | None = None,
    details: dict[str, Any] | None = None,
    actor: Actor | None = None,
) -> None:
    """Audit something that is not a row change: a login, a failed login, a logout."""
    entry = {
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "changes": {key: _plain(value) for key, value in (details or {}).items()},
    }
    _append(session.connection(), [entry], actor)


def _append(
    connection: Connection, entries: list[dict[str, Any]], actor: Actor | None = None
) -> None:
    actor = actor or current_actor()
    if connection.dialect.name == "postgresql":
        # One writer at a time extends the chain; the lock ends with the
        # transaction, so concurrent requests keep one straight line.
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY}
        )
    prev_hash = connection.scalar(
        select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    )
    prev_hash = prev_hash or GENESIS_HASH
    rows = []
    for entry in entries:
        row = {
            "at": utcnow(),
            "actor_id": actor.id,
            "actor_role": actor.role,
            "actor_label": actor.label,
            "ip": actor.ip,
            **entry,
        }
        row["prev_hash"] = prev_hash
        row["payload_digest"] = AuditEntry.digest_payload(row)
        row["hash"] = AuditEntry.chain_hash(prev_hash, row, row["payload_digest"])
        rows.append(row)
        prev_hash = row["hash"]
    # One executemany for a flush's entries (an import writes thousands):
    # the rows go in list order, so ids follow the chain.
    connection.execute(insert(AuditEntry), rows)


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int
    reason: str


def verify_chain(session: Session) -> ChainProblem | None:
    """Walk the chain in id order; name the first entry that does not fit.

    An entry that was not erased must match its digest and its hash. An
    erased entry's payload is gone, so it is checked through what the chain
    still holds: its hash over the metadata and the digest (version 2), or
    the seal its erasure record wrote (version 1, hashed over the payload
    before the privacy migration). Every erased entry must be named by an
    erasure record later in the chain.
    """
    prev_hash = GENESIS_HASH
    erased: dict[int, AuditEntry | str] = {}
    seals: dict[int, str] = {}
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
    for entry in rows.yield_per(1000):
        if entry.prev_hash != prev_hash:
            return ChainProblem(
                entry.id,
                "does not follow the entry before it "
                "(an entry was deleted or inserted before this one)",
            )
        fields = entry.fields
        if entry.is_erased:
            erased[entry.id] = seal_of(entry)
            digest_ok = True
        else:
            digest_ok = entry.payload_digest in ("", AuditEntry.digest_payload(fields))
        if entry.hash_version == 1:
            hash_ok = entry.is_erased or AuditEntry.legacy_hash(prev_hash, fields) == (
                entry.hash
            )
        else:
            hash_ok = (
                AuditEntry.chain_hash(prev_hash, fields, entry.payload_digest)
                == entry.hash
            )
        if not (digest_ok and hash_ok):
            return ChainProblem(entry.id, "was changed after it was written")
        if entry.action == ERASE_ACTION and not entry.is_erased:
            for entry_id, seal in (entry.changes.get("audit_entries") or {}).items():
                seals[int(entry_id)] = seal
        prev_hash = entry.hash
    for entry_id, seal in sorted(erased.items()):
        if seals.get(entry_id) != seal:
            return ChainProblem(
                entry_id, "was marked erased without a matching erasure record"
            )
    return None


def seal_of(entry: AuditEntry) -> str:
    """What an erasure record keeps of an entry: its hash over everything but
    the payload (for version 1, computed when the entry is erased)."""
    return AuditEntry.chain_hash(entry.prev_hash, entry.fields, entry.payload_digest)


def history_for(session: Session, obj: object, limit: int = 50) -> list[AuditEntry]:
    """The newest audit entries about one record, for its History panel."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.entity_type == type(obj).__tablename__,
                AuditEntry.entity_id == _entity_id(obj),
            )
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )
