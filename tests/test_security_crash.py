"""Crash safety (item 7, ASVS 2.3.3): a process killed mid-transaction changes nothing.

A child process opens the app, starts one long ORM transaction of many
writes (an operation from ``OPERATIONS``), tells the parent it is half-way
through, and waits. The parent kills it with SIGKILL: no rollback, no
cleanup, as when a server loses power or the OOM killer strikes. The
database must then equal its state before, table by table (checksums),
with integrity and foreign keys clean and the audit chain intact.

To cover a feature's bulk service, add a line to ``OPERATIONS`` naming a
function ``(session) -> None`` that calls it, e.g. for the bulk stage change:

    ("bulk stage change", "tests.test_security_crash:bulk_move_everything"),

with ``bulk_move_everything`` calling ``tracker.enrollments.services.bulk_move``.
An operation whose service does not exist yet is skipped, saying so.
"""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import textwrap
import uuid
from datetime import date

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tests.conftest import FAST_HASH, TEST_CONFIG
from tests.fixtures.security import checksums
from tracker import create_app
from tracker.audit import acting_as, verify_chain
from tracker.enrollments.services import enroll
from tracker.extensions import db
from tracker.models import (
    Country,
    Municipality,
    Person,
    Program,
    Role,
    Stage,
    StageKind,
    User,
)

pytestmark = pytest.mark.no_db_isolation


# --- operations: each writes many rows in the caller's transaction, no commit ----


def write_people(session) -> None:
    """Thousands of new people, flushed in batches (the import's shape)."""
    municipality = session.scalar(select(Municipality))
    for batch in range(20):
        session.add_all(
            Person(full_name=f"Crash {batch}-{n}", municipality=municipality)
            for n in range(100)
        )
        session.flush()


def edit_everything(session) -> None:
    """Every municipality and person changed (the bulk edit's shape)."""
    for municipality in session.scalars(select(Municipality)):
        municipality.population = (municipality.population or 0) + 1
    for person in session.scalars(select(Person)):
        person.full_name = person.full_name + " (moved)"
    session.flush()


def delete_people(session) -> None:
    """Rows removed (the clean-up's shape)."""
    for person in session.scalars(select(Person)):
        session.delete(person)
    session.flush()


def bulk_move_everything(session) -> None:
    """Every enrollment moved to diagnosis at once, through the programs service."""
    from tracker.enrollments.services import bulk_move
    from tracker.models import Enrollment, Program

    program = session.scalar(select(Program).where(Program.code == "ACP"))
    enrollments = list(session.scalars(select(Enrollment)))
    coordinator = session.scalar(select(User))
    bulk_move(
        enrollments,
        program.stage_by_code("diagnosis"),
        date.today(),
        coordinator,
        note="Crash test",
    )


def import_people(session) -> None:
    """A CSV import of 1,000 people, through the import service."""
    from tracker.dataio.engine import import_csv
    from tracker.dataio.registry import KINDS

    lines = [
        "full_name,position,organisation,municipality,municipality_country,email,phone"
    ]
    lines += [
        f"Imported {n},Clerk,,Town {n % 50},HR,imported{n}@example.org,"
        for n in range(1000)
    ]
    report = import_csv(session, KINDS["people"], "\n".join(lines), commit=True)
    assert report.ok and report.created == 1000, report.problems[:3]


OPERATIONS = [
    ("insert 2,000 people", "tests.test_security_crash:write_people"),
    ("edit every row", "tests.test_security_crash:edit_everything"),
    ("delete every person", "tests.test_security_crash:delete_people"),
    ("bulk stage change", "tests.test_security_crash:bulk_move_everything"),
    ("CSV import of 1,000 people", "tests.test_security_crash:import_people"),
]

CHILD = textwrap.dedent(
    """
    import importlib, sys, time
    from tests.conftest import TEST_CONFIG
    from tracker import create_app
    from tracker.audit import acting_as
    from tracker.extensions import db

    url, target = sys.argv[1], sys.argv[2]
    module, name = target.split(":")
    operation = getattr(importlib.import_module(module), name)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), acting_as("test:crash"):
        operation(db.session)
        db.session.flush()
        print("MIDWAY", flush=True)
        time.sleep(120)  # the parent kills us here, before any commit
        db.session.commit()
    print("COMMITTED", flush=True)
    """
)


def _postgres_url():
    url = os.environ.get("TEST_DATABASE_URL", "")
    return make_url(url) if url.startswith("postgresql") else None


@pytest.fixture
def database(tmp_path):
    """A scratch database of the suite's kind (SQLite file, or PostgreSQL)."""
    base = _postgres_url()
    if base is None:
        yield "sqlite:///" + str(tmp_path / "crash.sqlite")
        return
    name = f"tracker_sec_crash_{uuid.uuid4().hex[:8]}"
    server = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(False)
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def _seed(url: str) -> None:
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), acting_as("test:seed"):
        db.create_all()
        croatia = Country(code="HR", name="Croatia", is_program_country=True)
        towns = [
            Municipality(name=f"Town {n}", country=croatia, population=n)
            for n in range(50)
        ]
        db.session.add_all(towns)
        db.session.add_all(
            Person(full_name=f"Person {n}", municipality=towns[n % 50])
            for n in range(300)
        )
        coordinator = User(
            email="coordinator@example.org",
            role=Role.COORDINATOR,
            password_hash=FAST_HASH,
        )
        db.session.add(coordinator)
        program = Program(code="ACP", name="Cities without Corruption")
        ready, _ = (
            Stage(
                program=program,
                code=code,
                name=code.title(),
                position=position,
                kind=StageKind.WORKING,
            )
            for position, code in enumerate(("ready_to_join", "diagnosis"))
        )
        db.session.add(program)
        db.session.flush()
        for town in towns:
            enroll(town, program, ready, date(2012, 3, 1), coordinator)
        db.session.commit()
        db.engine.dispose()


def _state(url: str):
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                integrity = connection.exec_driver_sql(
                    "PRAGMA integrity_check"
                ).scalar()
                assert integrity == "ok"
                assert (
                    connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
                )
            with Session(connection) as session:
                assert verify_chain(session) is None
            return checksums(connection)
    finally:
        engine.dispose()


@pytest.mark.parametrize("label,target", OPERATIONS, ids=[o[0] for o in OPERATIONS])
def test_killed_mid_transaction_leaves_the_database_as_before(
    database, label, target, record_figure
):
    module, name = target.split(":")
    try:
        operation = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as missing:
        pytest.skip(f"{label}: its service does not exist yet ({missing})")
    if getattr(operation, "pending", False):
        pytest.skip(f"{label}: not wired to its service yet (see OPERATIONS)")
    assert callable(operation)
    _seed(database)
    before = _state(database)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, database, target],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    try:
        line = child.stdout.readline()
        assert line.strip() == "MIDWAY", child.stderr.read()[-3000:]
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        child.stderr.close()
    after = _state(database)
    assert after == before
    rows = sum(count for count, _ in before.values())
    record_figure(
        f"crash safety: {label}",
        f"killed mid-transaction; {len(before)} tables, {rows} rows equal to before",
    )
