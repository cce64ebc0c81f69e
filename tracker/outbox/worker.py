"""Sending the outbox: claim due messages, send each, record what happened.

A claim marks a batch of due messages ``sending`` under a lease (a random
token and an expiry) and commits, so no other worker takes them. On
PostgreSQL the claim reads with ``FOR UPDATE SKIP LOCKED``: workers running
at once each take rows nobody else holds, without waiting for one another.
On SQLite the claim's transaction is a writer from its start (BEGIN
IMMEDIATE), so claims take turns; run one worker there.

Each message is then sent and marked ``sent`` in its own transaction. A
worker killed between the server's acceptance and that mark leaves the
message ``sending``; when its lease runs out another claim sends it again,
under the same Message-ID (at most one duplicate, recognisable as such).
A failed attempt comes back after an exponential back-off; after
``MAIL_MAX_ATTEMPTS`` (or at once when the server refuses for good, 5xx)
the message is dead, shown to administrators on the outbox page.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from tracker.extensions import as_writer, db
from tracker.models import MailKind, MailStatus, OutboxMessage, utcnow
from tracker.outbox.mail import (
    HeaderInjection,
    PermanentFailure,
    SmtpSender,
    TemporaryFailure,
    build_message,
)

log = logging.getLogger("tracker.outbox")

SCRUBBED = "[Removed once sent: it held a password-set link.]"


@dataclass
class Report:
    """What one run did; ``attempts`` counts every message handed to the server."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0
    deferred: int = 0
    attempts: int = 0

    def add(self, other: Report) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Claim:
    token: str
    messages: list[tuple[int, str, EmailMessage]] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """The wait after failed attempt number ``attempts``: doubling, capped."""
    config = current_app.config
    seconds = config["MAIL_RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config["MAIL_RETRY_MAX_SECONDS"]))


def _due(now: datetime):
    return or_(
        and_(
            OutboxMessage.status == MailStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
        ),
        and_(
            OutboxMessage.status == MailStatus.SENDING,
            OutboxMessage.leased_until < now,
        ),
    )


def _sent_last_hour(addresses: set[str], now: datetime) -> dict[str, int]:
    if not addresses:
        return {}
    rows = db.session.execute(
        select(OutboxMessage.to_address, func.count(OutboxMessage.id))
        .where(
            OutboxMessage.to_address.in_(addresses),
            OutboxMessage.status == MailStatus.SENT,
            OutboxMessage.sent_at > now - timedelta(hours=1),
        )
        .group_by(OutboxMessage.to_address)
    )
    return {address: count for address, count in rows}


def claim(report: Report, now: datetime | None = None) -> Claim:
    """Take a batch of due messages under a new lease (commits)."""
    now = now or utcnow()
    config = current_app.config
    result = Claim(secrets.token_hex(16))
    query = (
        select(OutboxMessage)
        .where(_due(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(config["MAIL_BATCH_SIZE"])
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    try:
        rows = db.session.scalars(query).all()
        sent = _sent_last_hour({row.to_address for row in rows}, now)
        for row in rows:
            report.claimed += 1
            if sent.get(row.to_address, 0) >= config["MAIL_RATE_PER_HOUR"]:
                # Over the recipient's hourly limit: wait, without using up
                # an attempt.
                row.status = MailStatus.PENDING
                row.lease_token = row.leased_until = None
                row.next_attempt_at = now + timedelta(minutes=10)
                report.deferred += 1
                continue
            sent[row.to_address] = sent.get(row.to_address, 0) + 1
            row.attempts += 1
            try:
                email = build_message(row, config["MAIL_FROM"])
            except HeaderInjection as error:
                _give_up(row, f"Refused to build the message: {error}")
                report.dead += 1
                continue
            row.status = MailStatus.SENDING
            row.lease_token = result.token
            row.leased_until = now + timedelta(seconds=config["MAIL_LEASE_SECONDS"])
            result.messages.append((row.id, row.to_address, email))
        db.session.commit()
    except (StaleDataError, OperationalError):
        # Another worker changed one of these rows first: try again later.
        db.session.rollback()
        return Claim(result.token)
    return result


def _give_up(row: OutboxMessage, error: str) -> None:
    row.status = MailStatus.DEAD
    row.last_error = error[:500]
    row.lease_token = row.leased_until = None
    log.warning("outbox message %s is dead: %s", row.id, error[:200])


def _record(message_id: int, token: str, report: Report, error=None) -> None:
    """Mark one message sent, or failed, if this worker still holds it."""
    try:
        row = db.session.get(OutboxMessage, message_id)
        if row is None or row.lease_token != token:
            db.session.rollback()
            return  # the lease ran out and another worker took it over
        row.lease_token = row.leased_until = None
        if error is None:
            row.status = MailStatus.SENT
            row.sent_at = utcnow()
            row.last_error = ""
            if row.kind == MailKind.PASSWORD_LINK:
                row.body_text = row.body_html = SCRUBBED
            report.sent += 1
        elif (
            isinstance(error, PermanentFailure)
            or row.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]
        ):
            _give_up(row, str(error))
            report.dead += 1
        else:
            row.status = MailStatus.PENDING
            row.last_error = str(error)[:500]
            row.next_attempt_at = utcnow() + backoff(row.attempts)
            report.retried += 1
        db.session.commit()
    except (StaleDataError, OperationalError):
        db.session.rollback()


def _release(message_id: int, token: str) -> None:
    """Give back a claimed message not tried (the worker is stopping)."""
    row = db.session.get(OutboxMessage, message_id)
    if row is not None and row.lease_token == token:
        row.status = MailStatus.PENDING
        row.attempts -= 1
        row.lease_token = row.leased_until = None
        db.session.commit()


def deliver_batch(sender: SmtpSender, stop: threading.Event | None = None) -> Report:
    """Claim one batch and send it."""
    report = Report()
    batch = claim(report)
    for position, (message_id, address, email) in enumerate(batch.messages):
        if stop is not None and stop.is_set():
            for remaining, _, _ in batch.messages[position:]:
                _release(remaining, batch.token)
            break
        report.attempts += 1
        try:
            sender.send(email, address)
        except (PermanentFailure, TemporaryFailure) as error:
            _record(message_id, batch.token, report, error)
        else:
            _record(message_id, batch.token, report)
    return report


def run(
    *,
    once: bool = False,
    stop: threading.Event | None = None,
    schedule=None,
) -> Report:
    """Send until stopped; with ``once``, until nothing is due.

    ``schedule`` (a function) runs before the first batch and then hourly:
    the reminders and the weekly digest, both queued at most once.
    """
    config = current_app.config
    sender = SmtpSender(config)
    total = Report()
    next_schedule = 0.0
    with as_writer():
        try:
            while not (stop is not None and stop.is_set()):
                if schedule is not None and time.monotonic() >= next_schedule:
                    schedule()
                    next_schedule = time.monotonic() + 3600
                report = deliver_batch(sender, stop)
                total.add(report)
                if report.claimed:
                    continue
                if once:
                    break
                sender.close()  # idle: hold no connection to the server
                if stop is not None:
                    stop.wait(config["MAIL_POLL_SECONDS"])
                else:
                    time.sleep(config["MAIL_POLL_SECONDS"])
        finally:
            sender.close()
            db.session.remove()
    return total


def queue_counts() -> dict[str, int]:
    """Messages by status (the outbox page, /metrics)."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(
            OutboxMessage.status
        )
    )
    counts = {status.value: 0 for status in MailStatus}
    for status, count in rows:
        counts[MailStatus(status).value] = count
    return counts
