"""Concurrent edits on PostgreSQL: two app processes, one database.

50 concurrent attempts to edit the same municipality and 50 to change the
same enrollment's stage. Every attempt either succeeds (302) or gets a
clear conflict (409); the final state equals the last successful write;
the audit trail has exactly one entry per successful write and stays one
unbroken hash chain.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import FAST_HASH, PASSWORD, TEST_CONFIG
from tracker import create_app
from tracker.audit import verify_chain
from tracker.extensions import db
from tracker.models import (
    AuditEntry,
    Country,
    Enrollment,
    Municipality,
    Program,
    Role,
    Stage,
    StageChange,
    StageKind,
    User,
)

ROOT = Path(__file__).resolve().parents[1]
ATTEMPTS = 50
SECRET = "concurrency-test-secret-key-0123456789"
TEST_URL = os.environ.get("TEST_DATABASE_URL", "")

pytestmark = pytest.mark.skipif(
    not TEST_URL.startswith("postgresql"),
    reason="the concurrency battery runs on PostgreSQL (set TEST_DATABASE_URL)",
)


def _admin_connection():
    import psycopg

    server = TEST_URL.replace("postgresql+psycopg", "postgresql").rsplit("/", 1)[0]
    return psycopg.connect(server + "/postgres", autocommit=True)


@pytest.fixture(scope="module")
def shared_database():
    """A committed database the two server processes share."""
    name = TEST_URL.rsplit("/", 1)[1] + "_concurrency"
    url = TEST_URL.rsplit("/", 1)[0] + "/" + name
    with _admin_connection() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        croatia = Country(code="HR", name="Croatia", is_program_country=True)
        rijeka = Municipality(name="Rijeka", country=croatia, population=100_000)
        program = Program(code="ACP", name="Cities without Corruption")
        stages = [
            Stage(
                program=program,
                code=code,
                name=code.replace("_", " ").title(),
                position=position,
                kind=kind,
            )
            for position, (code, kind) in enumerate(
                [
                    ("ready_to_join", StageKind.WORKING),
                    ("diagnosis", StageKind.WORKING),
                    ("completed", StageKind.COMPLETED),
                    ("withdrawn", StageKind.WITHDRAWN),
                ]
            )
        ]
        coordinator = User(
            email="coordinator@example.org",
            role=Role.COORDINATOR,
            password_hash=FAST_HASH,
        )
        enrollment = Enrollment(
            municipality=rijeka, program=program, current_stage=stages[0]
        )
        db.session.add_all([croatia, rijeka, program, *stages, coordinator, enrollment])
        db.session.flush()
        db.session.add(
            StageChange(
                enrollment=enrollment, to_stage=stages[0], effective_on=date(2012, 3, 1)
            )
        )
        db.session.commit()
        ids = {
            "municipality": rijeka.id,
            "country": croatia.id,
            "enrollment": enrollment.id,
            "ready": stages[0].id,
            "diagnosis": stages[1].id,
        }
    yield app, url, ids
    with app.app_context():
        db.engine.dispose()
    with _admin_connection() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def two_servers(shared_database):
    """Two gunicorn processes (4 threads each) serving the shared database."""
    _, url, _ = shared_database
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET}
    processes, ports = [], []
    for _ in range(2):
        port = _free_port()
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-w",
                    "1",
                    "--threads",
                    "4",
                    "-b",
                    f"127.0.0.1:{port}",
                    "--log-level",
                    "warning",
                    "wsgi:app",
                ],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )
        )
        ports.append(port)
    try:
        for port in ports:
            for _ in range(150):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
        yield ports
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)


class Browser:
    """A minimal cookie-keeping HTTP client for one signed-in session."""

    def __init__(self, port: int, cookie: str = "") -> None:
        self.port = port
        self.cookie = cookie

    def request(self, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read().decode()
        if set_cookie := response.getheader("Set-Cookie"):
            self.cookie = set_cookie.split(";")[0]
        connection.close()
        return response.status, data

    def token(self, page: str) -> str:
        return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def sign_in(self) -> None:
        _, page = self.request("GET", "/auth/login")
        status, _ = self.request(
            "POST",
            "/auth/login",
            {
                "email": "coordinator@example.org",
                "password": PASSWORD,
                "csrf_token": self.token(page),
            },
        )
        assert status == 302, "could not sign in"


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', page
    )
    assert match, f"no {name} field on the page"
    return match.group(1)


def _run(attempt, count: int) -> list[tuple[int, str, object]]:
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(attempt, range(count)))


def test_concurrent_municipality_edits_lose_nothing(
    shared_database, two_servers, record_figure
):
    app, _, ids = shared_database
    signed_in = Browser(two_servers[0])
    signed_in.sign_in()
    path = f"/municipalities/{ids['municipality']}/edit"

    def attempt(i: int):
        time.sleep(i * 0.01)  # spread over half a second: overlapping, not identical
        browser = Browser(two_servers[i % 2], signed_in.cookie)
        _, page = browser.request("GET", path)
        population = 200_000 + i
        status, body = browser.request(
            "POST",
            path,
            {
                "csrf_token": browser.token(page),
                "version_id": _hidden(page, "version_id"),
                "name": "Rijeka",
                "country_id": str(ids["country"]),
                "region": f"Attempt {i}",
                "population": str(population),
                "website": "",
                "address": "",
                "email": "",
                "phone": "",
                "notes": "",
            },
        )
        return status, body, population

    results = _run(attempt, ATTEMPTS)
    statuses = [status for status, _, _ in results]
    assert set(statuses) <= {302, 409}, statuses
    assert all(
        "changed this record" in body for status, body, _ in results if status == 409
    )
    winners = {population for status, _, population in results if status == 302}
    with app.app_context():
        final = db.session.get(Municipality, ids["municipality"])
        entries = db.session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.entity_type == "municipality",
                AuditEntry.entity_id == ids["municipality"],
                AuditEntry.action == "update",
            )
            .order_by(AuditEntry.id)
        ).all()
        assert len(entries) == len(winners) >= 1
        assert {entry.changes["population"][1] for entry in entries} == winners
        assert final.population == entries[-1].changes["population"][1]
        assert verify_chain(db.session) is None
    record_figure(
        "concurrent municipality edits",
        f"{ATTEMPTS} attempts over 2 processes: {len(winners)} saved, "
        f"{statuses.count(409)} conflicts, 0 lost updates, 0 5xx",
    )


def test_concurrent_stage_changes_lose_nothing(
    shared_database, two_servers, record_figure
):
    app, _, ids = shared_database
    signed_in = Browser(two_servers[1])
    signed_in.sign_in()
    detail = f"/enrollments/{ids['enrollment']}"

    def attempt(i: int):
        time.sleep(i * 0.01)
        browser = Browser(two_servers[i % 2], signed_in.cookie)
        _, page = browser.request("GET", detail)
        version = _hidden(page, "version_id")
        on_diagnosis = 'data-current-stage="diagnosis"' in page
        target = ids["ready"] if on_diagnosis else ids["diagnosis"]
        status, body = browser.request(
            "POST",
            f"{detail}/stage",
            {
                "csrf_token": browser.token(page),
                "version_id": version,
                "stage_id": str(target),
                "effective_on": date.today().isoformat(),
                "note": f"Concurrent attempt {i}",
            },
        )
        return status, body, target

    results = _run(attempt, ATTEMPTS)
    statuses = [status for status, _, _ in results]
    assert set(statuses) <= {302, 409}, [
        (status, body[:300]) for status, body, _ in results if status not in (302, 409)
    ]
    successes = statuses.count(302)
    with app.app_context():
        enrollment = db.session.get(Enrollment, ids["enrollment"])
        changes = db.session.scalars(
            select(StageChange)
            .where(StageChange.enrollment_id == ids["enrollment"])
            .order_by(StageChange.id)
        ).all()
        assert len(changes) == 1 + successes
        assert enrollment.current_stage_id == changes[-1].to_stage_id
        audited = db.session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.entity_type == "stage_change",
                AuditEntry.action == "create",
                AuditEntry.actor_role == "coordinator",  # not the fixture's own
            )
        )
        assert audited == successes
        assert verify_chain(db.session) is None
    record_figure(
        "concurrent stage changes",
        f"{ATTEMPTS} attempts over 2 processes: {successes} saved, "
        f"{statuses.count(409)} conflicts, 0 lost updates, 0 5xx",
    )
