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
def import_csv_command(kind: str, file: Path, dry_run: bool) -> None:
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
        report = import_csv(db.session, KINDS[kind], data, commit=not dry_run)
        db.session.commit()
    for problem in report.problems:
        click.echo(
            f"line {problem.line}, {problem.column or 'row'}: {problem.reason}",
            err=True,
        )
    summary = (
        f"{report.rows} rows: {report.created} new, {report.matched} already present"
    )
    if not report.ok:
        raise click.ClickException(
            f"{len(report.problems)} bad rows; nothing was imported ({summary})."
        )
    click.echo(("Checked, nothing written: " if dry_run else "Imported: ") + summary)


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
