"""``flask outbox run [--once]``, ``remind``, ``digest``: the worker and its
scheduled work, for systemd (deploy/systemd/upp-tracker-outbox.service) or
cron."""

from __future__ import annotations

import signal
import threading
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

from tracker.audit import acting_as
from tracker.extensions import as_writer, db
from tracker.outbox import scheduled, worker
from tracker.outbox.services import mail_configured

outbox_cli = AppGroup("outbox", help="Send queued e-mail; queue reminders and digests.")


@outbox_cli.command("run")
@click.option("--once", is_flag=True, help="Send what is due, then exit (cron).")
@click.option(
    "--no-schedule",
    is_flag=True,
    help="Do not queue reminders and digests hourly (cron runs remind and digest).",
)
def run_command(once: bool, no_schedule: bool) -> None:
    """Send queued messages until stopped (SIGTERM finishes the current one)."""
    if not mail_configured():
        raise click.ClickException(
            "MAIL_SERVER is not set: messages stay queued (none is lost) and "
            "are listed at /outbox/. Set MAIL_SERVER (README: E-mail) to send them."
        )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    schedule = None if (once or no_schedule) else scheduled.run_scheduled
    report = worker.run(once=once, stop=stop, schedule=schedule)
    click.echo(
        f"Sent {report.sent}, to be retried {report.retried}, failed for good "
        f"{report.dead}, waiting for the rate limit {report.deferred}."
    )


@outbox_cli.command("remind")
@click.option(
    "--days",
    type=click.IntRange(1, 365),
    default=None,
    help="Remind this many days ahead (default: MAIL_REMINDER_DAYS, 7).",
)
def remind_command(days: int | None) -> None:
    """Queue reminders for events starting within DAYS (each sent once)."""
    days = days or current_app.config["MAIL_REMINDER_DAYS"]
    with as_writer(), acting_as("cli:outbox-remind"):
        queued = scheduled.queue_reminders(days, date.today())
        db.session.commit()
    click.echo(f"{queued} reminder(s) queued for events in the next {days} day(s).")


@outbox_cli.command("digest")
def digest_command() -> None:
    """Queue this week's digest for every manager (each sent once a week)."""
    with as_writer(), acting_as("cli:outbox-digest"):
        queued = scheduled.queue_digests()
        db.session.commit()
    click.echo(f"{queued} digest(s) queued.")
