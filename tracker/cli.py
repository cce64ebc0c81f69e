"""Command-line tasks: ``flask --app tracker <command>``."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import func, select
from sqlalchemy.engine import URL

from tracker.audit import acting_as, verify_chain
from tracker.auth.passwords import context_words, hash_password, password_problems
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
    click.echo(demo_logins_hint())


def demo_logins_hint() -> str:
    """Who can sign in to the demo, for the person who just seeded it."""
    from tracker.admin.seed import DEMO_PASSWORD, DEMO_USERS

    lines = [f"Demo sign-ins (demonstration only), password {DEMO_PASSWORD}:"]
    for email, role, _name, municipality in DEMO_USERS:
        where = f" of {municipality}" if municipality else ""
        lines.append(f"  {email:<30} {role}{where}")
    return "\n".join(lines)


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
    if problems := password_problems(password, email, context_words()):
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

    from tracker.admin.seed import DEMO_PASSWORD
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


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def backup_command(path: Path, force: bool) -> None:
    """Write a consistent copy of the database to PATH while the app serves.

    SQLite: the online backup API (a snapshot, never a file copy).
    PostgreSQL: ``pg_dump -Fc`` (restore with ``pg_restore``; see README).
    """
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists; add --force to overwrite it.")
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        _backup_sqlite(path)
    elif url.get_backend_name() == "postgresql":
        _backup_postgresql(url, path)
    else:
        raise click.ClickException(f"No backup method for {url.get_backend_name()}.")
    click.echo(f"Backup written to {path} ({path.stat().st_size} bytes).")


def _backup_sqlite(path: Path) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    source = db.engine.raw_connection()
    try:
        target = sqlite3.connect(partial)
        try:
            # One step: the copy is a snapshot of one moment, even while
            # other connections keep committing (WAL).
            source.driver_connection.backup(target)
            status = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
    finally:
        source.close()
    if status != "ok":
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"The backup failed its integrity check: {status}")
    partial.replace(path)


def _libpq_arguments(url: URL) -> tuple[list[str], dict[str, str]]:
    arguments = []
    if url.host:
        arguments += ["--host", url.host]
    if url.port:
        arguments += ["--port", str(url.port)]
    if url.username:
        arguments += ["--username", url.username]
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    return arguments, environment


def _backup_postgresql(url: URL, path: Path) -> None:
    """pg_dump -Fc, run as an argument list without a shell."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise click.ClickException(
            "pg_dump was not found. Install the PostgreSQL client tools of the "
            "server's major version (Debian: apt-get install postgresql-client) "
            "and run the backup again."
        )
    arguments, environment = _libpq_arguments(url)
    partial = path.with_name(path.name + ".partial")
    command = [pg_dump, "--format=custom", "--file", str(partial), *arguments]
    command += ["--dbname", str(url.database)]
    # A fixed program found on PATH, an argument list, no shell.
    result = subprocess.run(  # nosec B603
        command, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"pg_dump failed: {result.stderr.strip()}")
    partial.replace(path)


ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@click.command("grant-app-role")
@with_appcontext
@click.argument("role")
@click.option("--password-stdin", is_flag=True, help="Read a password from stdin.")
def grant_app_role_command(role: str, password_stdin: bool) -> None:
    """PostgreSQL: create or update ROLE, the login the app serves with.

    Run it as the owner of the tables (the role that runs migrations), after
    every migration. ROLE may read and write every table but may only read
    and append to audit_entry: no DELETE or TRUNCATE, and UPDATE only of
    the payload columns an erasure replaces (the trigger lets nothing else
    through), so not even a compromised app can rewrite the chain. It owns
    nothing and cannot turn the append-only triggers off.
    """
    if db.engine.dialect.name != "postgresql":
        raise click.ClickException(
            "grant-app-role is for PostgreSQL. On SQLite, triggers keep the "
            "audit trail append-only and there are no roles."
        )
    if not ROLE_NAME.match(role):
        raise click.ClickException("Use a role name of lowercase letters, digits, _.")
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    from psycopg import sql

    raw = db.engine.raw_connection()
    try:
        cursor = raw.driver_connection.cursor()
        name = sql.Identifier(role)
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (role,))
        existing = cursor.fetchone()
        if existing is None:
            cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(name))
        elif existing[0]:
            raise click.ClickException(f"{role} is a superuser; use a plain role.")
        cursor.execute(
            "SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename = 'audit_entry'"
        )
        owner = cursor.fetchone()
        if owner is None:
            raise click.ClickException("No audit_entry table: run db upgrade first.")
        if owner[0] == role:
            raise click.ClickException(
                f"{role} owns the tables; the app must log in as another role."
            )
        if password:
            cursor.execute(
                sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(
                    name, sql.Literal(password)
                )
            )
        statements = [
            "GRANT CONNECT ON DATABASE {database} TO {role}",
            "GRANT USAGE ON SCHEMA public TO {role}",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public"
            " TO {role}",
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
            "REVOKE UPDATE, DELETE, TRUNCATE ON audit_entry FROM {role}",
            # Erasure replaces an entry's payload; the trigger refuses any
            # other change, and the hashed columns stay out of reach.
            "GRANT UPDATE (actor_label, ip, changes, erased_at, erased_by)"
            " ON audit_entry TO {role}",
            "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {role}",
        ]
        database = sql.Identifier(str(db.engine.url.database))
        for statement in statements:
            if "alembic_version" in statement and not _has_table(
                cursor, "alembic_version"
            ):
                continue
            cursor.execute(sql.SQL(statement).format(role=name, database=database))
        raw.commit()
    finally:
        raw.close()
    click.echo(
        f"Role {role} may use every table, and only read and append audit "
        "entries. Run this again after each migration."
    )


def _has_table(cursor, table: str) -> bool:
    cursor.execute(
        "SELECT 1 FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename = %s",
        (table,),
    )
    return cursor.fetchone() is not None


def register(app: Flask) -> None:
    from tracker.dataio.cli import export_csv_command, import_csv_command
    from tracker.documents.cli import documents_cli
    from tracker.outbox.cli import outbox_cli
    from tracker.privacy.cli import retention_cli

    for command in (
        import_csv_command,
        export_csv_command,
        seed_demo_command,
        create_user_command,
        audit_verify_command,
        seed_scale_command,
        backup_command,
        grant_app_role_command,
        outbox_cli,
        retention_cli,
        documents_cli,
    ):
        app.cli.add_command(command)
