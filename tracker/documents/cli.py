"""``flask documents prune``: remove stored files no attachment refers to."""

import click
from flask.cli import AppGroup

from tracker.documents.services import prune_unreferenced
from tracker.documents.storage import storage

documents_cli = AppGroup("documents", help="Attached documents.")


@documents_cli.command("prune")
def prune_command() -> None:
    """Delete stored files left by rolled-back uploads or deleted records."""
    removed = prune_unreferenced(storage())
    click.echo(f"Removed {removed} unreferenced stored file(s).")
