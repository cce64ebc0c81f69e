"""Deny by default, proven: every endpoint declares a rule, and the access
matrix (tests/access/) holds for all six roles."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import MethodNotAllowed, NotFound

from tests.access import (
    admin,
    api,
    certificates,
    core,
    dashboards,
    documents,
    events,
    exports,
    outbox,
    places,
    privacy,
    programs,
    testimonials,
)
from tests.access.matrix import DENIED, HIDDEN, LOGIN, ROLES, classify
from tests.access.world import World, build_base
from tests.conftest import PASSWORD, TEST_CONFIG, TrackerClient
from tracker import create_app
from tracker.extensions import db
from tracker.models import ApiToken, AuditEntry, User

DOMAINS = [
    core,
    places,
    programs,
    events,
    documents,
    testimonials,
    admin,
    dashboards,
    api,
    exports,
    outbox,
    certificates,
    privacy,
]
CHECKED_METHODS = ("GET", "POST")


@pytest.fixture
def world(app) -> World:
    world = World()
    with app.app_context():
        build_base(world)
        for domain in DOMAINS:
            domain.build(world)
        db.session.commit()
    return world


def test_every_endpoint_declares_an_access_rule(app):
    undeclared = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        and getattr(app.view_functions[rule.endpoint], "access_rule", None) is None
    ]
    assert undeclared == []


def test_an_endpoint_without_a_rule_is_refused():
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})

    @app.route("/undeclared")
    def undeclared():
        return "should never be served"

    assert app.test_client().get("/undeclared").status_code == 403


def _signed_in_state(app, role: str, emails: dict[str, str]) -> tuple[str | None, str]:
    """A session cookie and CSRF token for ``role``, taken once and replayed."""
    client = app.test_client(use_cookies=True)
    client.__class__ = TrackerClient
    if role != "anonymous":
        token = client.csrf_token()
        response = client.post(
            "/auth/login",
            data={"email": emails[role], "password": PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 302, f"{role} could not sign in"
    token = client.csrf_token()
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return (cookie.value if cookie else None), token


def _endpoint_of(adapter, path: str, method: str) -> str | None:
    try:
        endpoint, _ = adapter.match(path.split("?")[0], method=method)
    except (NotFound, MethodNotAllowed):
        return None
    return endpoint


def _api_tokens(app, world: World) -> dict[str, str]:
    """A bearer token for each signed-in role (tokens carry their user's role)."""
    secrets = {}
    with app.app_context():
        for role in ROLES[1:]:
            token, secret = ApiToken.issue(
                db.session.get(User, world[f"user_{role}"]), "access matrix"
            )
            db.session.add(token)
            secrets[role] = secret
        db.session.commit()
    return secrets


def _send(app, db_connection, row, url, *, cookie=None, csrf=None, bearer=None):
    """One cell: the request in a savepoint rolled back afterwards.

    Returns the outcome, the status and whether a refused request left an
    audit entry behind (it must not).
    """
    savepoint = db_connection.begin_nested()
    try:
        audit_before = db_connection.scalar(select(func.count(AuditEntry.id)))
        client = app.test_client()
        if cookie:
            client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        data = {**row.data, "csrf_token": csrf} if row.method == "POST" else None
        response = client.open(url, method=row.method, data=data, headers=headers)
        outcome = classify(response, api=url.startswith("/api/"))
        response.close()
        side_effect = (
            outcome in (LOGIN, DENIED, HIDDEN)
            and db_connection.scalar(select(func.count(AuditEntry.id))) != audit_before
        )
    finally:
        savepoint.rollback()
    return outcome, response.status_code, side_effect


def test_access_matrix(app, world, db_connection, record_figure):
    rows = [row for domain in DOMAINS for row in domain.ROWS]
    states = {role: _signed_in_state(app, role, world.emails) for role in ROLES}
    tokens = _api_tokens(app, world)
    adapter = app.url_map.bind("localhost")
    covered: set[tuple[str, str]] = set()
    mismatches: list[str] = []
    side_effects: list[str] = []
    cells = token_cells = 0
    for row in rows:
        url = row.url.format(**world)
        endpoint = _endpoint_of(adapter, url, row.method)
        if endpoint is None:
            mismatches.append(f"{row.method} {url}: matches no route")
            continue
        covered.add((endpoint, row.method))
        for role in ROLES:
            cookie, csrf = states[role]
            attempts = [("cookie", {"cookie": cookie, "csrf": csrf})]
            if url.startswith("/api/") and role in tokens:
                attempts.append(("token", {"bearer": tokens[role]}))
            for how, credentials in attempts:
                outcome, status, side_effect = _send(
                    app, db_connection, row, url, **credentials
                )
                cells += 1
                token_cells += how == "token"
                if side_effect:
                    side_effects.append(f"{row.method} {url} as {role} ({how})")
                if outcome != row.expected[role]:
                    mismatches.append(
                        f"{row.method} {url} as {role} ({how}): expected "
                        f"{row.expected[role]}, got {outcome} ({status})"
                    )
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods & set(CHECKED_METHODS)
    }
    unlisted = sorted(routes - covered)
    record_figure(
        "access matrix",
        f"{len(rows)} rows over {len(routes)} endpoint-methods x {len(ROLES)} roles"
        f" (API rows also with a bearer token per role) = {cells} cells"
        f" ({token_cells} by token), {len(mismatches)} mismatches,"
        f" {len(unlisted)} unlisted, {len(side_effects)} side effects on denied"
        " requests",
    )
    assert unlisted == [], "routes without a row in tests/access/"
    assert mismatches == []
    assert side_effects == []


def test_matrix_urls_use_known_placeholders(world):
    for domain in DOMAINS:
        for row in domain.ROWS:
            for name in re.findall(r"{(\w+)}", row.url):
                assert name in world, f"{row.url}: unknown placeholder {name}"
