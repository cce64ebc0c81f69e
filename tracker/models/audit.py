"""The audit trail: append-only, hash-chained, written by one mechanism."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DDL, JSON, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base, UTCDateTime, utcnow

GENESIS_HASH = "0" * 64


class AuditEntry(Base):
    """Who did what to which record, with old and new values. Never changed."""

    __audited__ = False
    __table_args__ = (Index("ix_audit_entry_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_role: Mapped[str] = mapped_column(String(20), default="")
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    ip: Mapped[str] = mapped_column(String(45), default="")
    action: Mapped[str] = mapped_column(String(40), index=True)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column()
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    @staticmethod
    def compute_hash(prev_hash: str, fields: dict[str, Any]) -> str:
        """SHA-256 over the previous hash and this entry's content."""
        at = fields["at"].astimezone(UTC).isoformat()
        payload = json.dumps(
            [
                prev_hash,
                at,
                fields["actor_id"],
                fields["actor_role"],
                fields["actor_label"],
                fields["action"],
                fields["entity_type"],
                fields["entity_id"],
                fields["changes"],
            ],
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    def __repr__(self) -> str:
        return (
            f"<AuditEntry {self.id} {self.action} {self.entity_type}:{self.entity_id}>"
        )


# The database itself refuses to rewrite history, whoever asks.
APPEND_ONLY_SQLITE = [
    "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END",
    "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END",
]
APPEND_ONLY_POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN "
    "RAISE EXCEPTION 'audit entries are append-only'; END $$",
    "CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry "
    "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()",
    "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()",
]

for _statement in APPEND_ONLY_SQLITE:
    event.listen(
        AuditEntry.__table__,
        "after_create",
        DDL(_statement).execute_if(dialect="sqlite"),
    )
for _statement in APPEND_ONLY_POSTGRESQL:
    event.listen(
        AuditEntry.__table__,
        "after_create",
        DDL(_statement).execute_if(dialect="postgresql"),
    )
