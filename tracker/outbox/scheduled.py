"""The outbox's scheduled work: event reminders and the weekly digest.

``flask outbox remind`` and ``flask outbox digest`` run them (from cron), and
the worker runs both hourly. Both are idempotent: a reminder is queued once
per participation and start date, a digest once per manager and ISO week.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app

from tracker.audit import acting_as
from tracker.dashboards.digest import weekly_figures
from tracker.events.queries import participations_to_remind
from tracker.extensions import db
from tracker.models import Role, utcnow
from tracker.notifications.services import active_users
from tracker.outbox import messages


def queue_reminders(days: int, today: date | None = None) -> int:
    """Queue a reminder for each participant of an event starting within
    ``days`` days (not today) who is still waiting for confirmation."""
    today = today or date.today()
    queued = 0
    for participation in participations_to_remind(
        today + timedelta(days=1), today + timedelta(days=days)
    ):
        queued += messages.remind(participation, today) is not None
    return queued


def queue_digests(until: datetime | None = None) -> int:
    """Queue this week's digest for each active manager (nothing changed: none)."""
    until = until or utcnow()
    figures = weekly_figures(until - timedelta(days=7), until)
    if not figures:
        return 0
    return sum(
        messages.digest(manager, figures, until) is not None
        for manager in active_users(Role.MANAGER)
    )


def run_scheduled() -> None:
    """Reminders, then the digest; each committed on its own."""
    with acting_as("cli:outbox"):
        queue_reminders(current_app.config["MAIL_REMINDER_DAYS"])
        db.session.commit()
        queue_digests()
        db.session.commit()
