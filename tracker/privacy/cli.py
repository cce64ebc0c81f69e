"""``flask retention run [--dry-run]``: anonymise people past the period."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.audit import acting_as
from tracker.extensions import db
from tracker.privacy.retention import (
    RETENTION_LABEL,
    due_people,
    retention_years,
    run_retention,
)

retention_cli = AppGroup("retention", help="The retention policy for people's data.")


@retention_cli.command("run")
@click.option(
    "--dry-run", is_flag=True, help="List who would be anonymised; change nothing."
)
def run_command(dry_run: bool) -> None:
    """Anonymise everyone whose last activity is older than the period.

    Safe to run daily (cron, systemd timer): people erased already are
    skipped, so a second run the same day changes nothing.
    """
    years = retention_years()
    if years is None:
        click.echo(
            "No retention period is set (TRACKER_RETENTION_YEARS): nothing to do."
        )
        return
    if dry_run:
        due = due_people()
        for item in due:
            click.echo(
                f"would anonymise person {item.person.id} {item.person.full_name} "
                f"(last active {item.last_active_on.isoformat()})"
            )
        click.echo(f"{len(due)} people are past the retention period of {years} years.")
        return
    with acting_as(RETENTION_LABEL):
        due = run_retention()
        db.session.commit()
    for item in due:
        click.echo(
            f"anonymised person {item.person.id} "
            f"(last active {item.last_active_on.isoformat()})"
        )
    click.echo(f"{len(due)} people anonymised (retention period {years} years).")
