"""Shared fixtures: one app and schema per run, one rolled-back transaction per test.

``TEST_DATABASE_URL`` selects the database (PostgreSQL in CI); the default
is a SQLite file in a temporary folder. Domain fixtures (factories) live in
``tests/fixtures/<domain>.py``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from tracker import create_app
from tracker.extensions import db
from tracker.models import User

pytest_plugins = [
    "tests.fixtures.places",
    "tests.fixtures.programs",
    "tests.fixtures.events",
    "tests.fixtures.testimonials",
    "tests.fixtures.outbox",
    "tests.fixtures.privacy",
]

PASSWORD = "correct horse battery staple"
# One cheap hash, computed once: factories reuse it so tests stay fast.
# Production strength is checked by the password tests.
FAST_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-not-for-production",
    "RATELIMIT_ENABLED": False,
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 1024,
    "ARGON2_PARALLELISM": 1,
}

FIGURES: list[tuple[str, str]] = []


CHROMIUM = Path("/usr/bin/chromium")


def pytest_collection_modifyitems(config, items) -> None:
    """Browser tests need Debian's Chromium; without it they skip, saying why.

    The deploy tests (tests/deploy/) start nginx, two gunicorn instances and a
    database of their own: they run only when asked for by marker
    (``make test-deploy``: ``-m deploy``), never as part of the suite.
    """
    if "deploy" not in (config.option.markexpr or ""):
        deploy = [item for item in items if "tests/deploy/" in item.nodeid]
        if deploy:
            config.hook.pytest_deselected(items=deploy)
            items[:] = [item for item in items if item not in deploy]
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(
                    pytest.mark.skip(
                        reason="Chromium is not installed at /usr/bin/chromium "
                        "(apt-get install -y chromium); CI installs it"
                    )
                )


def pytest_terminal_summary(terminalreporter) -> None:
    """Print the figures tests measured (matrix sizes, counts) after the run."""
    if FIGURES:
        terminalreporter.section("figures")
        for name, value in FIGURES:
            terminalreporter.write_line(f"{name}: {value}")


@pytest.fixture
def record_figure():
    """Let a test report a figure in the run's summary."""

    def record(name: str, value: Any) -> None:
        FIGURES.append((name, str(value)))

    return record


def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")


def reset_schema() -> None:
    """Drop everything and build the schema from the models (with its triggers)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    db.create_all()


@pytest.fixture(scope="session")
def app(tmp_path_factory) -> Iterator[Flask]:
    app = create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": database_url(tmp_path_factory),
            # Attachments go to a temporary folder, never to instance/.
            "DOCUMENTS_PATH": str(tmp_path_factory.mktemp("documents")),
        }
    )
    with app.app_context():
        reset_schema()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _rolled_back(request, app: Flask) -> Iterator[Any]:
    """Run the test inside one transaction and roll it back afterwards.

    Every session the app opens (one per request or app context) binds to
    this connection and turns its commits into savepoints.
    """
    if "no_db_isolation" in request.keywords:
        yield
        return
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
    try:
        yield connection
    finally:
        with app.app_context():
            db.session.remove()
            engines[None] = engine
            outer.rollback()
            connection.close()


@pytest.fixture
def pages_rendered_afresh(app: Flask) -> Iterator[None]:
    """Every request renders its page (``tracker.cache.cached_page`` off), for
    tests that count what rendering a page costs."""
    app.config["PAGE_CACHE"] = False
    try:
        yield
    finally:
        app.config["PAGE_CACHE"] = True


@pytest.fixture
def db_connection(_rolled_back):
    """The connection the test's outer transaction runs on (for savepoints)."""
    return _rolled_back


class TrackerClient(FlaskClient):
    """A test client that sends forms with a valid CSRF token, as a browser does."""

    def csrf_token(self) -> str:
        page = self.get("/auth/login" if not self._signed_in() else "/")
        match = re.search(rb'name="csrf-token" content="([^"]+)"', page.data)
        assert match, "no CSRF token on the page"
        return match.group(1).decode()

    def _signed_in(self) -> bool:
        with self.session_transaction() as session:
            return "_user_id" in session

    def post_form(self, url: str, data: dict[str, Any] | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


@pytest.fixture
def client(app: Flask) -> TrackerClient:
    app.test_client_class = TrackerClient
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def login(client: TrackerClient):
    """Sign ``client`` in through the real form: ``login(email)``."""

    def sign_in(email: str, password: str = PASSWORD, **kwargs):
        return client.post_form(
            "/auth/login", {"email": email, "password": password}, **kwargs
        )

    return sign_in


@pytest.fixture
def login_as(app: Flask, make_user, login):
    """Create a user with ``role`` and sign the client in as them; returns the id."""

    def sign_in(role: str, **fields: Any) -> int:
        user_id = make_user(role=role, **fields)
        with app.app_context():
            email = db.session.get(User, user_id).email
        response = login(email)
        assert response.status_code == 302, response.data[:500]
        return user_id

    return sign_in
