"""The audit trail: append-only, hash-chained, written by one mechanism.

Since the privacy migration (version 2 of the hash) each entry's hash covers
its metadata and a SHA-256 *digest* of its payload (the actor's label and
the changed values), not the payload itself. Erasing a person replaces the
payload, keeps the digest and stamps ``erased_at``/``erased_by``, so the
chain still verifies and shows where and when something was erased. Entries
written before that migration keep their version-1 hash over the payload;
an erasure seals each of them (see ``tracker.audit``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DDL, JSON, Index, String, event, text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base, UTCDateTime, utcnow

GENESIS_HASH = "0" * 64
HASH_VERSION = 2


def _canonical(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


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
    payload_digest: Mapped[str] = mapped_column(
        String(64), default="", server_default=""
    )
    hash_version: Mapped[int] = mapped_column(
        default=HASH_VERSION, server_default=text(str(HASH_VERSION))
    )
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erased_by: Mapped[str] = mapped_column(String(254), default="", server_default="")

    @staticmethod
    def digest_payload(fields: dict[str, Any]) -> str:
        """SHA-256 of the part of an entry that erasure may replace."""
        payload = {"actor_label": fields["actor_label"], "changes": fields["changes"]}
        return hashlib.sha256(_canonical(payload)).hexdigest()

    @staticmethod
    def chain_hash(prev_hash: str, fields: dict[str, Any], digest: str) -> str:
        """Version 2: SHA-256 over the previous hash, the metadata and the digest."""
        return hashlib.sha256(
            _canonical(
                [
                    prev_hash,
                    fields["at"].astimezone(UTC).isoformat(),
                    fields["actor_id"],
                    fields["actor_role"],
                    fields["action"],
                    fields["entity_type"],
                    fields["entity_id"],
                    digest,
                ]
            )
        ).hexdigest()

    @staticmethod
    def legacy_hash(prev_hash: str, fields: dict[str, Any]) -> str:
        """Version 1 (entries written before the privacy migration)."""
        return hashlib.sha256(
            _canonical(
                [
                    prev_hash,
                    fields["at"].astimezone(UTC).isoformat(),
                    fields["actor_id"],
                    fields["actor_role"],
                    fields["actor_label"],
                    fields["action"],
                    fields["entity_type"],
                    fields["entity_id"],
                    fields["changes"],
                ]
            )
        ).hexdigest()

    @classmethod
    def compute_hash(cls, prev_hash: str, fields: dict[str, Any]) -> str:
        """The hash of an entry with these fields, in its version."""
        if fields.get("hash_version", HASH_VERSION) == 1:
            return cls.legacy_hash(prev_hash, fields)
        return cls.chain_hash(prev_hash, fields, cls.digest_payload(fields))

    @property
    def fields(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "actor_id": self.actor_id,
            "actor_role": self.actor_role,
            "actor_label": self.actor_label,
            "action": self.action,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "changes": self.changes,
        }

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def __repr__(self) -> str:
        return (
            f"<AuditEntry {self.id} {self.action} {self.entity_type}:{self.entity_id}>"
        )


# The database itself refuses to rewrite history, whoever asks. The one
# change it lets through is an erasure: the payload (actor label, IP,
# changes) replaced and the entry stamped erased, every hashed column as it
# was. verify_chain then checks the erasure against its chained record.
_ERASURE_ONLY = (
    "NEW.erased_at IS NOT NULL AND NEW.id = OLD.id AND NEW.at = OLD.at"
    " AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id"
    " AND NEW.actor_role = OLD.actor_role AND NEW.action = OLD.action"
    " AND NEW.entity_type = OLD.entity_type"
    " AND NEW.entity_id IS NOT DISTINCT FROM OLD.entity_id"
    " AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash"
    " AND NEW.payload_digest = OLD.payload_digest"
    " AND NEW.hash_version = OLD.hash_version"
)
APPEND_ONLY_SQLITE = [
    "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry "
    f"WHEN NOT ({_ERASURE_ONLY.replace('IS NOT DISTINCT FROM', 'IS')}) "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END",
    "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END",
]
APPEND_ONLY_POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP = 'UPDATE' AND {_ERASURE_ONLY} THEN RETURN NEW; END IF; "
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
