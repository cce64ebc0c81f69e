"""The e-mail outbox: messages written in the transaction of the change that
causes them, and the kinds of message an address does not want."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import (
    Base,
    Timestamped,
    UTCDateTime,
    Versioned,
    enum_type,
    utcnow,
)
from tracker.models.enums import MailKind, MailStatus


class OutboxMessage(Versioned, Timestamped, Base):
    """One e-mail to one recipient, rendered in their language when queued.

    The worker (``tracker.outbox.worker``) claims pending rows, sends them and
    marks them sent; a failed attempt comes back later (exponential back-off)
    until ``MAIL_MAX_ATTEMPTS``, then the message is dead and waits for an
    administrator (retry or cancel). ``message_id`` is fixed when the row is
    written, so a message resent after a crash carries the same Message-ID.

    Not audited: each one follows from an audited change, and the worker
    updates it on every attempt.
    """

    __audited__ = False
    __table_args__ = (
        # The worker's claim: due messages in order.
        Index("ix_outbox_message_claim", "status", "next_attempt_at"),
        # The rate limit: what one address was sent lately.
        Index("ix_outbox_message_recipient", "to_address", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MailKind] = mapped_column(enum_type(MailKind))
    status: Mapped[MailStatus] = mapped_column(
        enum_type(MailStatus), default=MailStatus.PENDING
    )
    to_address: Mapped[str] = mapped_column(String(254))
    to_name: Mapped[str] = mapped_column(String(200), default="")
    # The recipient's language when the message was rendered (Content-Language).
    locale: Mapped[str] = mapped_column(String(16), default="en")
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # One optional text attachment (an invitation's calendar file).
    attachment_name: Mapped[str] = mapped_column(String(100), default="")
    attachment_type: Mapped[str] = mapped_column(String(100), default="")
    attachment: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    unsubscribe_url: Mapped[str] = mapped_column(String(1000), default="")
    # What the message is about ("invitation:participation:12"), so a page can
    # tell who was invited; dedup_key, when set, is queued at most once ever
    # (a reminder per participation and start date, a digest per week).
    topic: Mapped[str] = mapped_column(String(200), default="", index=True)
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A claim: the worker holding the message, and until when. A worker that
    # dies holding it leaves the lease to run out; another then resends.
    lease_token: Mapped[str | None] = mapped_column(String(32))
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(String(500), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def can_retry(self) -> bool:
        return self.status in (MailStatus.DEAD, MailStatus.CANCELLED)

    @property
    def can_cancel(self) -> bool:
        return self.status in (MailStatus.PENDING, MailStatus.DEAD)

    def retry(self) -> None:
        """Send again from scratch (an administrator's decision)."""
        self.status = MailStatus.PENDING
        self.attempts = 0
        self.next_attempt_at = utcnow()
        self.lease_token = None
        self.leased_until = None

    def cancel(self) -> None:
        """Never send (an administrator's decision)."""
        self.status = MailStatus.CANCELLED
        self.lease_token = None
        self.leased_until = None

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} ({self.status})>"


class MailOptOut(Timestamped, Base):
    """An address that receives no more e-mail of one kind (the profile page,
    or the one-click unsubscribe link in every message)."""

    __table_args__ = (UniqueConstraint("address", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(254))
    kind: Mapped[MailKind] = mapped_column(enum_type(MailKind))

    def __repr__(self) -> str:
        return f"<MailOptOut {self.address} {self.kind}>"
