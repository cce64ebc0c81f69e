"""Backup and restore (item 9), and migrations that keep every row.

The backup is taken by ``flask --app tracker backup FILE`` while a writer
thread keeps committing, then restored the way README says into a new
database. The restored database must be a consistent snapshot: every table
equal, row for row (checksums), to the source's rows up to the moment of the
snapshot; integrity and foreign-key checks clean; the audit chain intact.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
import threading
import time
import uuid
import warnings
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from tests.conftest import FAST_HASH, TEST_CONFIG
from tests.fixtures.security import checksums, table_checksum, tables
from tracker import create_app
from tracker.audit import acting_as, verify_chain
from tracker.extensions import db
from tracker.models import Country, Municipality, Person, Role, User

SEED_ROWS = 3000

pytestmark = pytest.mark.no_db_isolation


def _postgres_url():
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        url = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    return make_url(url)


def _postgres_ready() -> bool:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        return False
    try:
        engine = create_engine(_postgres_url().set(database="postgres"))
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


class Databases:
    """Scratch databases for one test, dropped afterwards."""

    def __init__(self, backend: str, folder: Path):
        self.backend = backend
        self.folder = folder
        self.created: list[str] = []
        self.server = None
        if backend == "postgresql":
            self.server = create_engine(
                _postgres_url().set(database="postgres"), isolation_level="AUTOCOMMIT"
            )

    def new(self, name: str) -> str:
        if self.backend == "sqlite":
            return "sqlite:///" + str(self.folder / f"{name}.sqlite")
        database = f"tracker_sec_{name}_{uuid.uuid4().hex[:8]}"
        with self.server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{database}"'))
        self.created.append(database)
        return _postgres_url().set(database=database).render_as_string(False)

    def drop(self):
        if self.server is None:
            return
        with self.server.connect() as connection:
            for database in self.created:
                connection.execute(
                    text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
                )
        self.server.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request, tmp_path):
    if request.param == "postgresql" and not _postgres_ready():
        pytest.skip("PostgreSQL with pg_dump/pg_restore is not available")
    found = Databases(request.param, tmp_path)
    yield found
    found.drop()


def _app(url: str):
    return create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})


def _seed(app, rows: int) -> None:
    with app.app_context(), acting_as("test:seed"):
        croatia = Country(code="HR", name="Croatia", is_program_country=True)
        db.session.add(croatia)
        towns = [
            Municipality(name=f"Town {n}", country=croatia, population=n * 10)
            for n in range(rows)
        ]
        db.session.add_all(towns)
        db.session.flush()
        db.session.add_all(
            [
                Person(full_name=f"Person {n}", municipality=towns[n % len(towns)])
                for n in range(rows)
            ]
        )
        db.session.add(
            User(
                email="contact@example.org",
                role=Role.CONTACT,
                municipality=towns[0],
                password_hash=FAST_HASH,
            )
        )
        db.session.commit()


class Writer(threading.Thread):
    """Commits a new person (and its audit entry) again and again."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app = app
        self.stop = threading.Event()
        self.commits = 0
        self.error: BaseException | None = None

    def run(self):
        try:
            with self.app.app_context(), acting_as("test:writer"):
                while not self.stop.is_set():
                    db.session.add(Person(full_name=f"Writer {self.commits}"))
                    db.session.commit()
                    self.commits += 1
        except BaseException as error:  # reported by the test
            self.error = error


def _restore(backend: str, backup: Path, target_url: str) -> None:
    """The restore procedure README documents."""
    if backend == "sqlite":
        # With the app stopped, the backup file becomes the database file.
        shutil.copyfile(backup, make_url(target_url).database)
        return
    url = make_url(target_url)
    subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            "--host",
            url.host,
            "--port",
            str(url.port or 5432),
            "--username",
            url.username,
            "--dbname",
            url.database,
            str(backup),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )


def test_backup_while_writing_then_restore_gives_equal_tables(
    databases, tmp_path, record_figure
):
    source = _app(databases.new("backup_source"))
    with source.app_context():
        db.create_all()
    _seed(source, SEED_ROWS)
    writer = Writer(source)
    writer.start()
    try:
        while writer.commits < 5 and writer.error is None:
            time.sleep(0.01)
        backup = tmp_path / "tracker.backup"
        before = writer.commits
        with source.app_context():
            result = source.test_cli_runner().invoke(args=["backup", str(backup)])
        during = writer.commits - before
        time.sleep(0.05)
    finally:
        writer.stop.set()
        writer.join(timeout=30)
    assert writer.error is None, writer.error
    assert result.exit_code == 0, result.output
    assert "Backup written" in result.output

    restored_url = databases.new("backup_restored")
    _restore(databases.backend, backup, restored_url)
    restored = create_engine(restored_url)
    with source.app_context():
        live = db.engine.connect()
    compared = rows = 0
    try:
        with restored.connect() as copy:
            if databases.backend == "sqlite":
                assert copy.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
                assert copy.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert tables(copy) == tables(live)
            for name in tables(copy):
                copied = table_checksum(copy, name)
                top = copy.scalar(text(f"SELECT max(id) FROM {name}"))  # noqa: S608
                original = table_checksum(live, name, max_id=top)
                assert copied == original, f"{name}: restored rows differ"
                compared += 1
                rows += copied[0]
            persons = copy.scalar(select(func.count()).select_from(Person))
            assert persons >= SEED_ROWS  # the seed is all there
            from sqlalchemy.orm import Session

            with Session(copy) as session:
                assert verify_chain(session) is None
    finally:
        live.close()
        restored.dispose()
        with source.app_context():
            db.engine.dispose()
    record_figure(
        f"backup and restore ({databases.backend})",
        f"{compared} tables, {rows} rows compared by count and checksum, 0 differ; "
        f"{writer.commits} writer commits in all, {during} during the backup",
    )


def test_backup_refuses_to_overwrite_and_explains_a_missing_pg_dump(
    tmp_path, monkeypatch
):
    app = _app("sqlite:///" + str(tmp_path / "db.sqlite"))
    with app.app_context():
        db.create_all()
        target = tmp_path / "exists.backup"
        target.write_text("keep me")
        result = app.test_cli_runner().invoke(args=["backup", str(target)])
        assert result.exit_code != 0 and "--force" in result.output
        assert target.read_text() == "keep me"
        result = app.test_cli_runner().invoke(args=["backup", str(target), "--force"])
        assert result.exit_code == 0
        assert sqlite3.connect(target).execute("PRAGMA integrity_check").fetchone() == (
            "ok",
        )
    import tracker.cli

    monkeypatch.setattr(tracker.cli.shutil, "which", lambda name: None)
    pg_app = _app("postgresql+psycopg://postgres@127.0.0.1:5432/unused")
    with pg_app.app_context():
        result = pg_app.test_cli_runner().invoke(
            args=["backup", str(tmp_path / "pg.backup")]
        )
    assert result.exit_code != 0
    assert "pg_dump was not found" in result.output


# --- migrations: upgrade -> downgrade -> upgrade keeps every row --------------------

CYCLE_REVISION = '''"""Test-only revision: columns added, then dropped (batch).

Revision ID: zz_cycle_test
Revises: {head}
"""

import sqlalchemy as sa
from alembic import op

revision = "zz_cycle_test"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("municipality") as batch:
        batch.add_column(sa.Column("cycle_note", sa.String(20), nullable=True))
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("cycle_flag", sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table("person") as batch:
        batch.drop_column("cycle_flag")
    with op.batch_alter_table("municipality") as batch:
        batch.drop_column("cycle_note")
'''


def _migrations_with_cycle_revision(tmp_path: Path) -> Path:
    """A copy of migrations/ with one test revision on top of the real head.

    The project keeps a single initial migration until release (its
    downgrade drops everything by design), so the cycle runs over a
    revision that alters populated tables the way later migrations will.
    """
    from alembic.script import ScriptDirectory

    source = Path(__file__).resolve().parent.parent / "migrations"
    copy = tmp_path / "migrations"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__"))
    from alembic.config import Config

    config = Config(str(copy / "alembic.ini"))
    config.set_main_option("script_location", str(copy))
    head = ScriptDirectory.from_config(config).get_current_head()
    (copy / "versions" / "zz_cycle_test.py").write_text(
        CYCLE_REVISION.format(head=head)
    )
    return copy


def test_upgrade_downgrade_upgrade_on_a_populated_database_loses_no_row(
    tmp_path, record_figure, request
):
    app = _app("sqlite:///" + str(tmp_path / "cycle.sqlite"))
    directory = str(_migrations_with_cycle_revision(tmp_path))
    runner = app.test_cli_runner()

    # migrations/env.py runs logging.config.fileConfig, which disables every
    # logger that exists; give them back afterwards so later tests still log.
    loggers = [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.disabled
    ]
    request.addfinalizer(lambda: [setattr(lg, "disabled", False) for lg in loggers])

    def flask_db(*args):
        with app.app_context(), warnings.catch_warnings():
            # migrations/env.py (Flask-Migrate's template) still tries the
            # deprecated get_engine() first; harmless, but pytest makes
            # warnings errors.
            warnings.filterwarnings("ignore", message="'get_engine' is deprecated")
            result = runner.invoke(args=["db", "--directory", directory, *args])
        assert result.exit_code == 0, result.output + str(result.exception)

    flask_db("upgrade")
    _seed(app, 500)
    with app.app_context():
        with db.engine.connect() as connection:
            before = checksums(connection)
    flask_db("downgrade")  # one step: the test revision
    with app.app_context():
        with db.engine.connect() as connection:
            after_down = checksums(connection)
            fk_problems = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    flask_db("upgrade")
    with app.app_context():
        with db.engine.connect() as connection:
            after_up = checksums(connection)
            assert verify_chain_ok(connection)
        db.engine.dispose()
    assert after_down == before
    assert after_up == before
    assert fk_problems == []
    total = sum(count for count, _ in before.values())
    record_figure(
        "migration cycle",
        f"upgrade/downgrade/upgrade over {total} rows in {len(before)} tables: "
        "0 rows lost",
    )


def verify_chain_ok(connection) -> bool:
    from sqlalchemy.orm import Session

    with Session(connection) as session:
        return verify_chain(session) is None
