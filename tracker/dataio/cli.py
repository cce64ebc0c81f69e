"""``flask import-csv KIND FILE`` and ``flask export-csv KIND FILE``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.audit import acting_as
from tracker.dataio.engine import FileRefused, decode_csv, export_rows, import_csv
from tracker.dataio.registry import KINDS
from tracker.extensions import db
from tracker.tabular import csv_chunks

KIND_CHOICE = click.Choice(sorted(KINDS))


@click.command("import-csv")
@with_appcontext
@click.argument("kind", type=KIND_CHOICE)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row; write nothing.")
@click.option(
    "--confirm-duplicates",
    is_flag=True,
    help="Import rows whose names fold like existing records' too.",
)
def import_csv_command(
    kind: str, file: Path, dry_run: bool, confirm_duplicates: bool
) -> None:
    """Import KIND (municipalities, people, participations) from a CSV file.

    All or nothing: if any row is bad, nothing is written and every bad row
    is listed with its line, column and reason.
    """
    try:
        # Bytes, decoded as the web page decodes an upload: the same refusals
        # (NUL bytes, not UTF-8) and the same line endings (CR-only too).
        data = decode_csv(file.read_bytes())
    except FileRefused as refused:
        raise click.ClickException(str(refused)) from None
    with acting_as(f"cli:import-csv {kind}"):
        report = import_csv(
            db.session,
            KINDS[kind],
            data,
            commit=not dry_run,
            confirm_duplicates=confirm_duplicates,
        )
        db.session.commit()
    for problem in report.problems:
        click.echo(
            f"line {problem.line}, {problem.column or 'row'}: {problem.reason}",
            err=True,
        )
    for update in report.updates:
        changes = "; ".join(
            f"{change.column} {_shown(change.old)} -> {_shown(change.new)}"
            for change in update.changes
        )
        click.echo(f"line {update.line}, update {update.label}: {changes}")
    for duplicate in report.duplicates:
        click.echo(
            f"line {duplicate.line}, likely duplicate: {duplicate.label} "
            f"({duplicate.existing} already exists)"
        )
    summary = (
        f"{report.rows} rows: {report.created} new, {report.updated} updated, "
        f"{report.matched} already present"
    )
    if not report.ok:
        raise click.ClickException(
            f"{len(report.problems)} bad rows; nothing was imported ({summary})."
        )
    if report.needs_confirmation:
        raise click.ClickException(
            f"{len(report.duplicates)} rows look like existing records; nothing was "
            f"imported ({summary}). Check them, then add --confirm-duplicates."
        )
    click.echo(("Checked, nothing written: " if dry_run else "Imported: ") + summary)


def _shown(value: object) -> str:
    """A value as the command line prints it (English, like its other output)."""
    if value is None or value == "":
        return "(empty)"
    return f"{value:,}" if isinstance(value, int) else str(value)


@click.command("export-csv")
@with_appcontext
@click.argument("kind", type=KIND_CHOICE)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export_csv_command(kind: str, file: Path) -> None:
    """Export every KIND row to a CSV file (UTF-8 with BOM)."""
    chosen = KINDS[kind]
    count = 0

    def counted():
        nonlocal count
        for row in export_rows(db.session, chosen):
            count += 1
            yield row

    with file.open("w", encoding="utf-8", newline="") as handle:
        for chunk in csv_chunks(chosen.columns, counted()):
            handle.write(chunk)
    click.echo(f"{count} {kind} written to {file}.")
