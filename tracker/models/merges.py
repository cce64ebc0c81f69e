"""Records merged into others: the loser's address leads to the survivor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base, UTCDateTime, utcnow


class MergedRecord(Base):
    """A person or municipality merged into another: ``old_id`` now means ``new_id``.

    No foreign keys: the old row is gone, and the survivor may itself be
    merged later (its redirects are then pointed at the next survivor).
    """

    __table_args__ = (UniqueConstraint("entity_type", "old_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(40))
    old_id: Mapped[int]
    new_id: Mapped[int] = mapped_column(index=True)
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<MergedRecord {self.entity_type} {self.old_id}->{self.new_id}>"
