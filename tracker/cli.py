"""Command-line tasks: ``flask --app tracker <command>``."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import func, select

from tracker.audit import acting_as, verify_chain
from tracker.auth.passwords import hash_password, password_problems
from tracker.extensions import db
from tracker.models import AuditEntry, Municipality, Role, User


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Only seed a database with no users.")
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo data (idempotent: running it twice adds nothing)."""
    from tracker.seed import seed_demo

    if if_empty and db.session.scalar(select(func.count(User.id))):
        click.echo("The database already has data; demo data not loaded.")
        return
    with acting_as("cli:seed-demo"):
        seed_demo(db.session)
        db.session.commit()
    click.echo("Demo data is loaded.")


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--municipality", help="Name of the municipality (contacts only).")
@click.option("--name", "full_name", default="", help="The user's full name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
def create_user_command(
    email: str,
    role: str,
    municipality: str | None,
    full_name: str,
    password_stdin: bool,
) -> None:
    """Create a user account; asks for its password unless --password-stdin."""
    if db.session.scalar(select(User).where(User.email == email.strip().lower())):
        raise click.ClickException(f"A user with the e-mail {email} already exists.")
    home = None
    if role == Role.CONTACT:
        if not municipality:
            raise click.ClickException("A contact needs --municipality.")
        matches = db.session.scalars(
            select(Municipality).where(Municipality.name == municipality)
        ).all()
        if len(matches) != 1:
            raise click.ClickException(
                f"No single municipality is named {municipality!r}."
            )
        home = matches[0]
    elif municipality:
        raise click.ClickException("Only contacts belong to a municipality.")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if problems := password_problems(password, email):
        raise click.ClickException(" ".join(problems))
    with acting_as("cli:create-user"):
        db.session.add(
            User(
                email=email,
                full_name=full_name,
                role=Role(role),
                municipality=home,
                password_hash=hash_password(password),
            )
        )
        db.session.commit()
    click.echo(f"User {email.strip().lower()} ({role}) is created.")


@click.command("audit-verify")
@with_appcontext
def audit_verify_command() -> None:
    """Check the audit trail's hash chain; name the first entry that breaks it."""
    problem = verify_chain(db.session)
    if problem is None:
        count = db.session.scalar(select(func.count(AuditEntry.id)))
        click.echo(f"The audit trail is intact: {count} entries verified.")
        return
    raise click.ClickException(f"Audit entry {problem.entry_id} {problem.reason}.")


@click.command("seed-scale")
@with_appcontext
@click.option(
    "--scale",
    type=float,
    default=1.0,
    show_default=True,
    help="1 = 2,000 municipalities, 250,000 participations, ...",
)
def seed_scale_command(scale: float) -> None:
    """Fill an EMPTY database with deterministic synthetic data for benchmarks."""
    import time

    from tracker.seed.accounts import DEMO_PASSWORD
    from tracker.seed.scale import seed_scale

    if not 0 < scale <= 10:
        raise click.BadParameter(
            "must be above 0 and at most 10.", param_hint="--scale"
        )
    started = time.perf_counter()
    with db.engine.begin() as connection:
        try:
            written = seed_scale(connection, scale, hash_password(DEMO_PASSWORD))
        except ValueError as error:
            raise click.ClickException(str(error)) from None
    elapsed = time.perf_counter() - started
    for table, count in written.items():
        click.echo(f"{table:>16}: {count:>9,}")
    click.echo(f"Scale {scale} written in {elapsed:.1f} s.")


def register(app: Flask) -> None:
    from tracker.dataio.cli import export_csv_command, import_csv_command

    for command in (
        import_csv_command,
        export_csv_command,
        seed_demo_command,
        create_user_command,
        audit_verify_command,
        seed_scale_command,
    ):
        app.cli.add_command(command)
