"""Headers, cookies and configuration (ASVS 3.3, 3.4, 13.3, 13.4, 14.3, 16.5).

The header checks walk every GET rule in ``app.url_map`` as anonymous and as
a signed-in user, plus 404, 405, 413, 500 and static responses, so pages
added later are covered without changes here.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.conftest import PASSWORD, TEST_CONFIG, TrackerClient
from tests.fixtures.security import build_world, url_for_rule
from tracker import create_app
from tracker.config import ConfigurationError
from tracker.extensions import db
from tracker.models import Role, User
from tracker.permissions import public

STRONG_KEY = "f3c1d0a9b8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170605f4e"


def assert_security_headers(response, *, signed_in: bool, https: bool = False):
    """The headers of item 1 on one response; returns a list of what is missing."""
    headers = response.headers
    missing = []
    csp = headers.get("Content-Security-Policy", "")
    # Attached documents are served sandboxed with nothing allowed at all,
    # which is stricter than the pages' 'self' (tracker/documents/routes.py).
    sandboxed = csp.startswith("sandbox; default-src 'none';")
    for directive in (
        *(() if sandboxed else ("default-src 'self'", "script-src 'self'")),
        *(() if sandboxed else ("object-src 'none'",)),
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        if directive not in csp:
            missing.append(f"CSP {directive}")
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        missing.append("CSP allows unsafe-inline/unsafe-eval")
    if headers.get("X-Content-Type-Options") != "nosniff":
        missing.append("nosniff")
    if not headers.get("Referrer-Policy"):
        missing.append("Referrer-Policy")
    if signed_in and "no-store" not in headers.get("Cache-Control", ""):
        missing.append("Cache-Control: no-store")
    if https:
        hsts = headers.get("Strict-Transport-Security", "")
        match = re.search(r"max-age=(\d+)", hsts)
        if not match or int(match.group(1)) < 31536000:
            missing.append("HSTS max-age >= 1 year")
        if "includeSubDomains" not in hsts:
            missing.append("HSTS includeSubDomains")
    return missing


def _sign_in(client, email: str) -> None:
    response = client.post_form("/auth/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302


def test_headers_on_every_get_route_for_anonymous_and_signed_in(
    app, db_connection, record_figure
):
    with app.app_context():
        world = build_world()
    checked = 0
    problems = []
    for role in ("anonymous", "admin", "contact_rijeka"):
        client = app.test_client()
        client.__class__ = TrackerClient
        if role != "anonymous":
            _sign_in(client, world.emails[role])
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            url = url_for_rule(rule, db_connection)
            if url is None:
                continue
            response = client.get(url)
            checked += 1
            missing = assert_security_headers(response, signed_in=role != "anonymous")
            if missing:
                problems.append(f"{role} GET {url} ({response.status_code}): {missing}")
            response.close()
    record_figure("security headers", f"{checked} route responses checked, 0 missing")
    assert problems == []


@pytest.mark.parametrize("signed_in", [False, True])
def test_headers_on_error_and_static_responses(client, login_as, signed_in):
    if signed_in:
        login_as(Role.COORDINATOR)
    responses = {
        "404": client.get("/no/such/page"),
        "405": client.open("/", method="TRACE"),
        "405 post": client.post("/"),
        "static": client.get("/static/css/app.css"),
        "400 csrf": client.post("/auth/login", data={"email": "a@b.c"}),
    }
    assert responses["404"].status_code == 404
    assert responses["405"].status_code == 405
    assert responses["static"].status_code == 200
    assert responses["400 csrf"].status_code in (400, 302)
    for name, response in responses.items():
        # Static files may be cached: no-store is for pages.
        expect_no_store = signed_in and name != "static"
        missing = assert_security_headers(response, signed_in=expect_no_store)
        response.close()
        assert missing == [], name


def _app(**config) -> Flask:
    return create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://", **config})


def test_500_page_is_generic_and_carries_the_headers():
    app = _app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom")
    @public
    def boom():
        raise RuntimeError("SELECT secret FROM user_account WHERE password='hunter2'")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    for leak in ("Traceback", "SELECT", "hunter2", "RuntimeError", app.secret_key):
        assert leak not in body
    assert assert_security_headers(response, signed_in=False) == []


def test_trace_is_refused_and_no_debug_console_exists(client, app):
    assert client.open("/", method="TRACE").status_code == 405
    assert client.open("/auth/login", method="TRACE").status_code == 405
    assert client.get("/console").status_code == 404
    assert client.get("/?__debugger__=yes&cmd=resource&f=style.css").status_code in (
        200,
        404,
    )
    assert b"Werkzeug" not in client.get("/console").data
    assert app.debug is False


def test_over_https_the_cookie_is_host_prefixed_secure_and_hsts_is_sent():
    app = _app(HTTPS=True)
    with app.app_context():
        db.create_all()
        db.session.add(
            User(
                email="m@example.org",
                role=Role.MANAGER,
                password_hash=_fast_hash(),
            )
        )
        db.session.commit()
    client = app.test_client()
    client.__class__ = TrackerClient
    base = "https://localhost"
    page = client.get(base + "/auth/login")
    token = re.search(rb'name="csrf-token" content="([^"]+)"', page.data).group(1)
    response = client.post(
        base + "/auth/login",
        data={
            "email": "m@example.org",
            "password": PASSWORD,
            "csrf_token": token.decode(),
            "remember": "y",
        },
        # Over HTTPS, Flask-WTF also requires a same-origin Referer.
        headers={"Referer": base + "/auth/login"},
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("__Host-tracker_session="))
    attributes = [part.strip().lower() for part in session_cookie.split(";")]
    assert "secure" in attributes
    assert "httponly" in attributes
    assert "path=/" in attributes
    assert "samesite=lax" in attributes
    assert not any(part.startswith("domain=") for part in attributes)
    # Remember-me is off: no login sets the remember cookie, even when asked.
    assert not any(c.startswith("remember_token") for c in cookies)
    assert assert_security_headers(response, signed_in=True, https=True) == []
    assert (
        assert_security_headers(
            client.get(base + "/no/such/page"), signed_in=True, https=True
        )
        == []
    )
    static = client.get(base + "/static/css/app.css")
    static.close()
    assert assert_security_headers(static, signed_in=False, https=True) == []


def test_plain_http_cookie_is_httponly_and_samesite_lax(client, make_user, login):
    make_user(role=Role.MANAGER, email="m@example.org")
    response = login("m@example.org")
    cookie = next(
        c
        for c in response.headers.getlist("Set-Cookie")
        if c.startswith("tracker_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Domain=" not in cookie
    assert "Strict-Transport-Security" not in response.headers


def _fast_hash() -> str:
    from tests.conftest import FAST_HASH

    return FAST_HASH


# --- production mode ---------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        None,
        "",
        "dev",
        "changeme",
        "test-secret-key-not-for-production",
        "short-but-random-7f3a",
        "a" * 64,
    ],
)
def test_production_refuses_to_start_without_a_strong_secret_key(key):
    config = {"TRACKER_ENV": "production", "SECRET_KEY": key}
    with pytest.raises(ConfigurationError):
        _app(**config)


def test_production_refuses_a_weak_fallback_key_and_debug():
    with pytest.raises(ConfigurationError):
        _app(
            TRACKER_ENV="production",
            SECRET_KEY=STRONG_KEY,
            SECRET_KEY_FALLBACKS=["changeme"],
        )
    with pytest.raises(ConfigurationError):
        _app(TRACKER_ENV="production", SECRET_KEY=STRONG_KEY, DEBUG=True)


def test_production_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("TRACKER_HTTPS", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app()
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    app = create_app()
    assert app.config["HTTPS"] is True  # production serves over HTTPS by default
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-tracker_session"
    assert app.debug is False
    key_file = tmp_path / "key"
    key_file.write_text(STRONG_KEY[::-1] + "\n")
    monkeypatch.delenv("SECRET_KEY")
    monkeypatch.setenv("SECRET_KEY_FILE", str(key_file))
    monkeypatch.setenv("TRACKER_HTTPS", "0")
    app = create_app()
    assert app.secret_key == STRONG_KEY[::-1]
    assert app.config["HTTPS"] is False


def test_secret_key_rotation_keeps_sessions_signed_with_the_old_key(tmp_path):
    old_key, new_key = STRONG_KEY, STRONG_KEY[::-1]
    url = "sqlite:///" + str(tmp_path / "rotation.sqlite")
    before = _app(SECRET_KEY=old_key, SQLALCHEMY_DATABASE_URI=url)
    with before.app_context():
        db.create_all()
        db.session.add(
            User(email="m@example.org", role=Role.MANAGER, password_hash=_fast_hash())
        )
        db.session.commit()
    client = before.test_client()
    client.__class__ = TrackerClient
    response = client.post_form(
        "/auth/login", {"email": "m@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    cookie = client.get_cookie("tracker_session").value

    rotated = _app(
        SECRET_KEY=new_key, SECRET_KEY_FALLBACKS=[old_key], SQLALCHEMY_DATABASE_URI=url
    )
    replay = rotated.test_client()
    replay.set_cookie("tracker_session", cookie)
    assert replay.get("/notifications/").status_code == 200

    dropped = _app(SECRET_KEY=new_key, SQLALCHEMY_DATABASE_URI=url)
    replay = dropped.test_client()
    replay.set_cookie("tracker_session", cookie)
    assert replay.get("/notifications/").status_code == 302


def test_proxy_fix_trusts_exactly_the_configured_hops():
    app = _app(PROXY_HOPS=1)

    @app.route("/ip")
    @public
    def ip():
        from flask import request

        return request.remote_addr or ""

    client = app.test_client()
    response = client.get(
        "/ip",
        headers={"X-Forwarded-For": "203.0.113.9, 198.51.100.7"},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    # One proxy: only the address it appended is believed, not the one the
    # client could have forged before it.
    assert response.get_data(as_text=True) == "198.51.100.7"
    direct = _app().test_client()
    direct.application.add_url_rule("/ip", "ip", ip)
    assert (
        direct.get(
            "/ip",
            headers={"X-Forwarded-For": "203.0.113.9"},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        ).get_data(as_text=True)
        == "10.0.0.1"
    )


def test_nul_characters_are_refused_before_any_view(client, login_as):
    login_as("admin")
    assert client.get("/municipalities/?q=a%00b").status_code == 400
    response = client.post_form("/admin/users/new", {"email": "x\x00@example.org"})
    assert response.status_code == 400
    assert client.get("/api/v1/municipalities?q=%00").get_json()["error"]["code"] == (
        "bad_request"
    )
