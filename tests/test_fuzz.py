"""Bad-input battery (ASVS 2.2.1, 2.3.3, 3.5.1, 15.3.7, 16.5.3), with Hypothesis.

A generic engine, not a list of pages: for every POST rule in ``app.url_map``
it finds the form's fields by GETting the page the form lives on (as a user
the rule lets in), then posts generated junk: Unicode, NUL bytes, 100,000
character strings, negative and huge numbers, impossible dates, missing,
duplicated and forbidden extra fields, and a missing, wrong or foreign CSRF
token. Every GET rule gets junk query parameters too (list filters, API
parameters).

After every request:
- no 5xx;
- a request refused for its CSRF token changed nothing at all;
- a request that failed (4xx, or the form shown again with errors) wrote no
  row and no row-change audit entry;
- any request: for every audited table, rows added minus rows removed equals
  the ``create`` minus ``delete`` audit entries written (no unaudited or
  partial writes);
- a GET wrote nothing.

Each example runs inside a savepoint that is rolled back, so examples are
independent. Pages added by later branches are covered without changes.
``FUZZ_EXAMPLES`` / ``FUZZ_GET_EXAMPLES`` raise the counts for a long run.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select
from werkzeug.routing import Rule

from tests.conftest import PASSWORD, TrackerClient
from tests.fixtures.security import build_world, row_counts, url_for_rule
from tracker.auth.password_links import make_token
from tracker.extensions import db
from tracker.models import AuditEntry, Base, Role, User
from tracker.permissions import PUBLIC

# Tables the audit listener skips by design (the audit trail itself, and
# notifications, which follow from audited changes): row changes there are
# not compared with audit entries.
UNAUDITED_TABLES = {
    mapper.local_table.name
    for mapper in Base.registry.mappers
    if not getattr(mapper.class_, "__audited__", True)
}

POST_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
GET_EXAMPLES = int(os.environ.get("FUZZ_GET_EXAMPLES", "8"))

# Fields a form may not have but an attacker adds (mass assignment, 15.3.3).
FORBIDDEN_EXTRAS = [
    "id",
    "municipality_id",
    "role",
    "status",
    "version_id",
    "is_active",
    "user_id",
    "actor_id",
    "password_hash",
]
# Used when no page shows the form (POST-only rules such as delete buttons).
COMMON_FIELDS = [
    "name",
    "title",
    "email",
    "full_name",
    "description",
    "notes",
    "note",
    "quote",
    "reason",
    "code",
    "population",
    "year",
    "started_on",
    "starts_on",
    "ends_on",
    "effective_on",
    "program_id",
    "event_id",
    "person_id",
    "stage_id",
    "confirm",
]
COMMON_QUERY = [
    "page",
    "per_page",
    "q",
    "sort",
    "order",
    "direction",
    "country",
    "program",
    "status",
    "stage",
    "kind",
    "year",
    "municipality_id",
    "from",
    "to",
    "format",
]

BIG = "A" * 100_000
BIG_UNICODE = "żółć😀\u202e" * 15_000
BAD_DATES = [
    "2023-02-31",
    "2023-13-01",
    "0000-00-00",
    "9999-12-31",
    "10000-01-01",
    "-0001-01-01",
    "2023-2-3",
    "31/02/2023",
    "today",
    "1e10",
]
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\nSet-Cookie: evil=1",
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "' OR '1'='1' --",
    "1; DROP TABLE user_account",
    "../../../../etc/passwd",
    "%00",
    "{{ 7*7 }}",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e309",
    "0x10",
    "٣",  # an Arabic-Indic digit: int() accepts it
    "true",
    "[]",
    "{}",
    BIG,
    BIG_UNICODE,
]

junk_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40
) | st.sampled_from(NASTY)
junk_number = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["-1", "0", "2147483648", "9223372036854775808", "1.5", "-0"]),
)
junk_date = st.sampled_from(BAD_DATES) | st.dates().map(str)
junk = st.one_of(junk_text, junk_number, junk_date)


@dataclass
class Field:
    name: str
    kind: str = "text"  # input type, "select" or "textarea"
    options: list[str] = field(default_factory=list)
    value: str = ""


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, Field] = field(default_factory=dict)


class FormParser(HTMLParser):
    """Collect every form on a page with its named fields."""

    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self._select: Field | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            action = urljoin(self.page_url, attributes.get("action") or self.page_url)
            self.forms.append(
                Form(urlsplit(action).path, attributes.get("method", "get").lower())
            )
            return
        if not self.forms or "name" not in attributes:
            if tag == "option" and self._select is not None:
                self._select.options.append(attributes.get("value", ""))
            return
        name = attributes["name"]
        if tag == "input":
            kind = attributes.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            self.forms[-1].fields[name] = Field(
                name, kind, [], attributes.get("value", "")
            )
        elif tag == "textarea":
            self.forms[-1].fields[name] = Field(name, "textarea")
        elif tag == "select":
            self._select = Field(name, "select")
            self.forms[-1].fields[name] = self._select

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def forms_on(client, url: str) -> list[Form]:
    response = client.get(url)
    if response.status_code != 200 or "html" not in response.content_type:
        response.close()
        return []
    parser = FormParser(url)
    parser.feed(response.get_data(as_text=True))
    response.close()
    return parser.forms


def find_form(client, rule: Rule, url: str) -> Form | None:
    """The form that posts to ``url``: on its own page, or on the page above it."""
    candidates = [url] if "GET" in rule.methods else []
    parent = url.rstrip("/").rsplit("/", 1)[0] or "/"
    candidates += [parent, parent + "/", "/"]
    for page in candidates:
        for form in forms_on(client, page):
            if form.method == "post" and form.action.rstrip("/") == url.rstrip("/"):
                return form
    return None


def field_value(data, spec: Field) -> str:
    """Junk for one field, sometimes a valid choice so that deeper code runs."""
    if spec.kind == "select" and spec.options and data.draw(st.booleans()):
        return data.draw(st.sampled_from(spec.options))
    if spec.kind == "checkbox":
        return data.draw(st.sampled_from(["y", "on", "1", "", "false"]) | junk)
    if spec.kind == "hidden" and spec.value and data.draw(st.booleans()):
        return spec.value  # e.g. the version a form was opened on
    if spec.kind in ("number",):
        return data.draw(junk_number | junk)
    if spec.kind in ("date", "datetime-local"):
        return data.draw(junk_date | junk)
    return data.draw(junk)


@dataclass
class Session:
    cookie: str | None
    token: str


def signed_in_session(app: Flask, email: str | None) -> Session:
    client = app.test_client()
    client.__class__ = TrackerClient
    if email:
        response = client.post_form(
            "/auth/login", {"email": email, "password": PASSWORD}
        )
        assert response.status_code == 302, f"{email} could not sign in"
    token = client.csrf_token()
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return Session(cookie.value if cookie else None, token)


def role_for(app: Flask, rule: Rule) -> list[str]:
    """Who posts: anonymous for public rules, else a role the rule lets in."""
    view = app.view_functions[rule.endpoint]
    rule_roles = getattr(view, "access_rule", None)
    if rule_roles == PUBLIC:
        return ["anonymous"]
    order = [
        ("coordinator", Role.COORDINATOR),
        ("admin", Role.ADMIN),
        ("contact_rijeka", Role.CONTACT),
        ("manager", Role.MANAGER),
    ]
    return [name for name, role in order if rule_roles and role in rule_roles][:1]


class WriteCounter:
    """Counts INSERT/UPDATE/DELETE statements on the test's connection."""

    def __init__(self, connection):
        self.writes = 0
        self.connection = connection
        event.listen(connection, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            self.writes += 1

    def close(self):
        event.remove(self.connection, "before_cursor_execute", self._seen)


def _audit_since(connection, last_id: int) -> list[tuple[str, str]]:
    return list(
        connection.execute(
            select(AuditEntry.action, AuditEntry.entity_type).where(
                AuditEntry.id > last_id
            )
        )
    )


def _looks_failed(response) -> bool:
    if response.status_code >= 400:
        return True
    if response.status_code == 200 and "html" in response.content_type:
        body = response.get_data(as_text=True)
        return bool(re.search(r"invalid-feedback|alert-danger|is-invalid", body))
    return False


def _string_arguments(app: Flask, connection):
    def token(app_, rule):
        with app.app_context():
            user = db.session.scalar(
                select(User).where(User.email == "manager@example.org")
            )
            return make_token(user)

    return {"token": token}


def check_post(app, connection, session: Session, other_token: str, url, form, data):
    """One generated request and every invariant after it."""
    fields = dict(form.fields) if form else {}
    names = [name for name in fields if name != "csrf_token"] or (
        COMMON_FIELDS if form is None else []
    )
    body: dict[str, object] = {}
    for name in names:
        presence = data.draw(
            st.sampled_from(["value", "value", "value", "missing", "twice"])
        )
        spec = fields.get(name, Field(name))
        if presence == "value":
            body[name] = field_value(data, spec)
        elif presence == "twice":
            body[name] = [field_value(data, spec), field_value(data, spec)]
    for name in data.draw(st.lists(st.sampled_from(FORBIDDEN_EXTRAS), max_size=3)):
        body.setdefault(name, data.draw(junk))
    csrf = data.draw(st.sampled_from(["valid"] * 6 + ["missing", "wrong", "other"]))
    if csrf == "valid":
        body["csrf_token"] = session.token
    elif csrf == "wrong":
        body["csrf_token"] = data.draw(junk_text)
    elif csrf == "other":
        body["csrf_token"] = other_token

    savepoint = connection.begin_nested()
    try:
        counts_before = row_counts(connection)
        last_audit = connection.scalar(
            select(func.coalesce(func.max(AuditEntry.id), 0))
        )
        client = app.test_client()
        if session.cookie:
            client.set_cookie(app.config["SESSION_COOKIE_NAME"], session.cookie)
        response = client.post(url, data=body)
        status = response.status_code
        failed = _looks_failed(response)
        response.close()
        counts_after = row_counts(connection)
        audit = _audit_since(connection, last_audit)
    finally:
        savepoint.rollback()

    where = f"POST {url} csrf={csrf} -> {status}"
    assert status < 500, where
    deltas = {
        table: counts_after[table] - counts_before.get(table, 0)
        for table in counts_after
        if table not in UNAUDITED_TABLES
    }
    if csrf != "valid":
        assert status == 400, where
        assert not any(deltas.values()) and not audit, f"{where}: wrote {deltas}"
        return "csrf"
    row_changes = [(a, t) for a, t in audit if a in ("create", "update", "delete")]
    if failed:
        assert not any(deltas.values()), f"{where}: failed but wrote {deltas}"
        assert not row_changes, f"{where}: failed but audited {row_changes}"
    audited = Counter()
    for action, table in row_changes:
        audited[table] += {"create": 1, "delete": -1}.get(action, 0)
    for table, delta in deltas.items():
        assert delta == audited[table], (
            f"{where}: {table} changed by {delta}, audit says {audited[table]}"
        )
    return "failed" if failed else "accepted"


def _settings(examples: int, shrink: bool = True):
    phases = list(Phase) if shrink else [Phase.explicit, Phase.generate]
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
    )


def fuzz_post(app, connection, session, other, url, form, outcomes, shrink=True):
    """A Hypothesis test for one POST route (bound here, not by defaults)."""

    @_settings(POST_EXAMPLES, shrink)
    @given(data=st.data())
    def fuzz(data):
        outcome = check_post(app, connection, session, other, url, form, data)
        outcomes[outcome] += 1

    return fuzz


def test_every_post_route_survives_junk(app, db_connection, record_figure):
    with app.app_context():
        world = build_world()
    strings = _string_arguments(app, db_connection)
    sessions = {
        role: signed_in_session(app, world.emails.get(role))
        for role in ("anonymous", "coordinator", "admin", "contact_rijeka", "manager")
    }
    other = signed_in_session(app, None).token  # another browser's token
    outcomes: Counter[str] = Counter()
    routes = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "POST" not in rule.methods or rule.endpoint == "static":
            continue
        url = url_for_rule(rule, db_connection, strings, app)
        if url is None:
            continue
        for role in role_for(app, rule):
            session = sessions[role]
            browser = app.test_client()
            if session.cookie:
                browser.set_cookie(app.config["SESSION_COOKIE_NAME"], session.cookie)
            form = find_form(browser, rule, url)
            routes.append((url, role, sorted(form.fields) if form else "common"))

            fuzz_post(app, db_connection, session, other, url, form, outcomes)()
    total = sum(outcomes.values())
    discovered = sum(1 for _, _, fields in routes if fields != "common")
    record_figure(
        "bad-input battery (POST)",
        f"{len(routes)} POST routes ({discovered} with fields read from their page)"
        f" x {POST_EXAMPLES} = {total} generated requests "
        f"({outcomes['csrf']} bad CSRF, {outcomes['failed']} refused, "
        f"{outcomes['accepted']} accepted): 0 5xx, 0 partial or unaudited writes",
    )
    assert total >= len(routes) * POST_EXAMPLES


def fuzz_get(app, counter, session, url, names) -> int:
    """Run the GET examples for one route; returns how many requests it sent."""
    sent = 0

    @_settings(GET_EXAMPLES)
    @given(
        query=st.lists(
            st.tuples(st.sampled_from(names), junk_text | junk_number), max_size=6
        )
    )
    def fuzz(query):
        nonlocal sent
        client = app.test_client()
        if session.cookie:
            client.set_cookie(app.config["SESSION_COOKIE_NAME"], session.cookie)
        before = counter.writes
        response = client.get(url, query_string=[(k, v[:8000]) for k, v in query])
        status = response.status_code
        response.close()
        sent += 1
        assert status < 500, f"GET {url} {query!r:.300} -> {status}"
        assert counter.writes == before, f"GET {url} wrote to the database"

    fuzz()
    return sent


def test_every_get_route_survives_junk_parameters(app, db_connection, record_figure):
    with app.app_context():
        build_world()
    strings = _string_arguments(app, db_connection)
    admin = signed_in_session(app, "admin@example.org")
    anonymous = signed_in_session(app, None)
    requests = 0
    routes = 0
    counter = WriteCounter(db_connection)
    try:
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            url = url_for_rule(rule, db_connection, strings, app)
            if url is None:
                continue
            public_rule = (
                getattr(app.view_functions[rule.endpoint], "access_rule", None)
                == PUBLIC
            )
            session = anonymous if public_rule else admin
            browser = app.test_client()
            if session.cookie:
                browser.set_cookie(app.config["SESSION_COOKIE_NAME"], session.cookie)
            names = set(COMMON_QUERY)
            for form in forms_on(browser, url):
                if form.method == "get":
                    names.update(form.fields)
            routes += 1

            requests += fuzz_get(app, counter, session, url, sorted(names))
    finally:
        counter.close()
    record_figure(
        "bad-input battery (GET)",
        f"{routes} GET routes, {requests} requests with junk parameters: "
        "0 5xx, 0 writes",
    )


def test_the_battery_catches_500s_and_partial_or_unaudited_writes():
    """The engine itself is tested: each broken route below must fail it."""
    import pytest
    from flask import abort, redirect, request
    from sqlalchemy import insert

    from tests.conftest import TEST_CONFIG
    from tracker import create_app
    from tracker.models import Country
    from tracker.permissions import public

    app = create_app(
        {**TEST_CONFIG, "TESTING": False, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )

    @app.route("/crash", methods=["POST"])
    @public
    def crash():
        return str(int(request.form.get("name", "")))  # ValueError -> 500

    @app.route("/unaudited", methods=["POST"])
    @public
    def unaudited():
        db.session.execute(insert(Country).values(code="ZZ", name="Nowhere"))
        db.session.commit()
        return redirect("/")

    @app.route("/partial", methods=["POST"])
    @public
    def partial():
        db.session.add(Country(code="ZY", name="Half-way"))
        db.session.commit()
        abort(400)

    with app.app_context():
        db.create_all()
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        engines[None] = connection
    try:
        session = signed_in_session(app, None)
        for url in ("/crash", "/unaudited", "/partial"):
            with pytest.raises(AssertionError):
                fuzz_post(
                    app, connection, session, "x", url, None, Counter(), shrink=False
                )()
    finally:
        with app.app_context():
            db.session.remove()
            engines[None] = engine
        connection.close()
