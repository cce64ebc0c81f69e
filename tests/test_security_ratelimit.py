"""Brute force (ASVS 6.3.1, 2.4.1): per-IP rate limits and the account lockout.

The shared test config turns rate limiting off; these tests build their own
app with limits on. The ``limiter`` object is global (one per process, as in
production), so each test restores its state afterwards.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import uuid
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from tests.conftest import FAST_HASH, PASSWORD, TEST_CONFIG, TrackerClient
from tracker import create_app
from tracker.auth.password_links import make_token
from tracker.extensions import db, limiter
from tracker.models import ApiToken, AuditEntry, Role, User, utcnow
from tracker.permissions import public

REDIS_URI = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


@pytest.fixture
def limited_app(tmp_path):
    """Build apps with rate limits on; the global limiter is restored afterwards."""
    saved = dict(limiter.__dict__)

    def build(**config):
        app = create_app(
            {
                **TEST_CONFIG,
                "SQLALCHEMY_DATABASE_URI": "sqlite:///"
                + str(tmp_path / f"{uuid.uuid4().hex}.sqlite"),
                "RATELIMIT_ENABLED": True,
                "RATELIMIT_STORAGE_URI": "memory://",
                "RATELIMIT_KEY_PREFIX": "test-" + uuid.uuid4().hex,
                **config,
            }
        )
        with app.app_context():
            db.create_all()
            db.session.add(
                User(email="m@example.org", role=Role.MANAGER, password_hash=FAST_HASH)
            )
            db.session.commit()
        app.test_client_class = TrackerClient
        return app

    yield build
    limiter.__dict__.clear()
    limiter.__dict__.update(saved)


def _post_login(client, ip: str, password: str = "wrong password here"):
    return client.post_form(
        "/auth/login",
        {"email": "m@example.org", "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


def test_login_posts_are_limited_per_ip(limited_app, record_figure):
    app = limited_app(RATELIMIT_LOGIN="4 per minute")
    client = app.test_client()
    statuses = [_post_login(client, "192.0.2.10").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    refused = _post_login(client, "192.0.2.10", PASSWORD)
    assert refused.status_code == 429  # even the right password waits
    assert b"Too many requests" in refused.data
    assert "Retry-After" in refused.headers
    # Another address is counted on its own; reading the form is never limited.
    assert _post_login(client, "192.0.2.11", PASSWORD).status_code == 302
    assert client.get("/auth/login").status_code in (200, 302)
    record_figure("login rate limit", "429 on the 5th POST within the window (4/min)")


def test_default_login_limit_is_at_most_100_per_hour(app):
    from limits import parse_many

    limits = parse_many(app.config["RATELIMIT_LOGIN"])
    per_hour = min(item.amount * 3600 / item.get_expiry() for item in limits)
    assert per_hour <= 100 * 60  # the per-minute window caps bursts
    hourly = [item for item in limits if item.get_expiry() >= 3600]
    assert hourly and hourly[0].amount <= 100


def test_password_set_page_is_limited_per_ip(limited_app):
    app = limited_app(RATELIMIT_PASSWORD_SET="3 per minute")
    client = app.test_client()
    with app.app_context():
        token = make_token(db.session.scalar(select(User)))
    url = f"/auth/set-password/{token}"
    environ = {"REMOTE_ADDR": "192.0.2.20"}
    statuses = [client.get(url, environ_base=environ).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert client.get(url, environ_base=environ).status_code == 429
    # GET and POST share the count.
    assert client.post_form(url, {}, environ_base=environ).status_code == 429
    assert (
        client.get(url, environ_base={"REMOTE_ADDR": "192.0.2.21"}).status_code == 200
    )


def _api_url(app) -> str:
    """A public GET route of the API blueprint without arguments, or a stand-in."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and "GET" in rule.methods:
            view = app.view_functions[rule.endpoint]
            if not rule.arguments and getattr(view, "access_rule", None) == "public":
                return rule.rule

    @public
    def ping():
        return {"ok": True}

    # Endpoint names decide the blueprint, so this behaves as an API route.
    app.add_url_rule("/api/v1/_ping", endpoint="api._ping", view_func=ping)
    return "/api/v1/_ping"


def test_api_requests_with_a_bearer_token_are_limited_per_token(limited_app):
    app = limited_app(RATELIMIT_API_TOKEN="3 per minute", RATELIMIT_API_IP="50/minute")
    with app.app_context():
        user = db.session.scalar(select(User))
        first, first_secret = ApiToken.issue(user, "one")
        second, second_secret = ApiToken.issue(user, "two")
        db.session.add_all([first, second])
        db.session.commit()
    url = _api_url(app)
    client = app.test_client()

    def call(secret: str | None, ip: str = "192.0.2.30"):
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        response = client.get(url, headers=headers, environ_base={"REMOTE_ADDR": ip})
        return response.status_code

    assert [call(first_secret) for _ in range(3)] == [200, 200, 200]
    limited = client.get(
        url,
        headers={"Authorization": f"Bearer {first_secret}"},
        environ_base={"REMOTE_ADDR": "192.0.2.30"},
    )
    assert limited.status_code == 429
    assert limited.is_json and limited.json["error"]["code"] == "rate_limited"
    # The same token from another address is the same client: still limited.
    assert call(first_secret, ip="192.0.2.31") == 429
    assert call(second_secret) == 200
    # Requests without a token (sessions, anonymous) are not counted here.
    assert {call(None) for _ in range(5)} == {200}


def test_guessing_bearer_tokens_is_limited_per_ip(limited_app):
    app = limited_app(RATELIMIT_API_TOKEN="100 per minute", RATELIMIT_API_IP="5/minute")
    url = _api_url(app)
    client = app.test_client()
    statuses = [
        client.get(
            url,
            headers={"Authorization": f"Bearer upp_guess{n}"},
            environ_base={"REMOTE_ADDR": "192.0.2.40"},
        ).status_code
        for n in range(6)
    ]
    assert statuses[-1] == 429
    assert 429 not in statuses[:5]


# --- several processes share counts through Redis ------------------------------

CHILD = textwrap.dedent(
    """
    import json, sys, tempfile
    from tests.conftest import TEST_CONFIG
    from tracker import create_app
    from tracker.extensions import db

    storage, prefix, posts = sys.argv[1], sys.argv[2], int(sys.argv[3])
    folder = tempfile.mkdtemp()
    app = create_app({
        **TEST_CONFIG,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/child.sqlite",
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": storage,
        "RATELIMIT_KEY_PREFIX": prefix,
        "RATELIMIT_LOGIN": "3 per minute",
        "WTF_CSRF_ENABLED": False,
    })
    with app.app_context():
        db.create_all()
    client = app.test_client()
    statuses = [
        client.post(
            "/auth/login",
            data={"email": "nobody@example.org", "password": "wrong password"},
            environ_base={"REMOTE_ADDR": "192.0.2.50"},
        ).status_code
        for _ in range(posts)
    ]
    print(json.dumps(statuses))
    """
)


def _child(storage: str, prefix: str, posts: int) -> list[int]:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, storage, prefix, str(posts)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URI, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(
    not _redis_available(), reason=f"Redis is not reachable at {REDIS_URI}"
)
def test_two_app_processes_share_counts_through_redis(record_figure):
    prefix = "tracker-test-" + uuid.uuid4().hex
    # Process A uses the whole allowance; process B, a separate interpreter
    # with its own app, is refused at once because the count lives in Redis.
    assert _child(REDIS_URI, prefix, 3) == [200, 200, 200]
    assert _child(REDIS_URI, prefix, 1) == [429]
    # Control: with per-process memory storage the second process starts at 0.
    assert _child("memory://", prefix, 3) == [200, 200, 200]
    assert _child("memory://", prefix, 1) == [200]
    record_figure("rate limit via Redis", "2 processes, shared count: 4th POST 429")


# --- the account lockout --------------------------------------------------------


class CountingHasher:
    """Records every argon2 verification and the hash it was made against."""

    def __init__(self, monkeypatch):
        self.hashes: list[str] = []
        original = PasswordHasher.verify

        def verify(hasher, hash_, password):
            self.hashes.append(hash_ if isinstance(hash_, str) else hash_.decode())
            return original(hasher, hash_, password)

        monkeypatch.setattr(PasswordHasher, "verify", verify)

    def against(self, password_hash: str) -> int:
        return sum(1 for h in self.hashes if h == password_hash)


def _strip_token(html: bytes) -> bytes:
    return re.sub(rb'(name="csrf[-_]token"[^>]*(content|value)=")[^"]+', rb"\1", html)


def test_sixth_attempt_is_refused_without_checking_the_password(
    client, make_user, login, app, monkeypatch, record_figure
):
    user_id = make_user(role=Role.MANAGER, email="m@example.org")
    counter = CountingHasher(monkeypatch)
    wrong = [login("m@example.org", f"wrong password {n}") for n in range(5)]
    assert all(b"Wrong e-mail or password." in r.data for r in wrong)
    assert counter.against(FAST_HASH) == 5

    sixth = login("m@example.org", PASSWORD)  # the right password
    assert sixth.status_code == 200
    assert b"Wrong e-mail or password." in sixth.data
    # Had the password been checked, the user's hash would have been used.
    assert counter.against(FAST_HASH) == 5
    # One throw-away verification keeps the timing of a real check.
    assert len(counter.hashes) == 6
    assert client.get("/notifications/").status_code == 302
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity_id == user_id)
            .order_by(AuditEntry.id)
        ).all()
    assert actions[-2:] == ["account_locked", "login_refused_locked"]
    record_figure(
        "lockout", "5 failures lock; 6th (right password) refused, 0 hash checks"
    )


def test_locked_unknown_inactive_and_wrong_answers_look_the_same(
    client, make_user, login, app, monkeypatch
):
    """No answer tells whether an e-mail has an account (ASVS 6.3.8)."""
    locked_id = make_user(role=Role.MANAGER, email="locked@example.org")
    make_user(role=Role.MANAGER, email="known@example.org")
    make_user(role=Role.MANAGER, email="gone@example.org", is_active=False)
    with app.app_context():
        db.session.get(User, locked_id).locked_until = utcnow() + timedelta(minutes=9)
        db.session.commit()
    counter = CountingHasher(monkeypatch)
    attempts = {
        "known@example.org": "not the password",
        "nobody@example.org": "not the password",
        "gone@example.org": PASSWORD,
        "locked@example.org": PASSWORD,
    }
    # The form shows back the e-mail typed; everything else must be equal.
    pages = {
        email: _strip_token(login(email, password).data).replace(email.encode(), b"@")
        for email, password in attempts.items()
    }
    assert len(set(pages.values())) == 1, "the answers differ"
    # Every case costs exactly one argon2 verification, so timing is equal too.
    assert len(counter.hashes) == 4


def test_lockout_allows_at_most_100_checked_failures_per_hour(
    client, make_user, login, monkeypatch, record_figure
):
    import time_machine

    make_user(role=Role.MANAGER, email="m@example.org")
    counter = CountingHasher(monkeypatch)
    attempts = 0
    with time_machine.travel(utcnow(), tick=False) as traveller:
        for _ in range(120):  # one guess every 30 seconds for an hour
            login("m@example.org", "still not the password")
            attempts += 1
            traveller.shift(timedelta(seconds=30))
    checked = counter.against(FAST_HASH)
    assert checked <= 100
    assert checked == 20  # 5 per 15-minute lock cycle
    record_figure(
        "lockout per hour",
        f"{attempts} guesses in 1 h against one account, {checked} checked (<= 100)",
    )


def test_testimonial_posts_are_limited_per_account(limited_app, record_figure):
    from tracker.models import Country, Municipality

    app = limited_app(RATELIMIT_TESTIMONIAL="3 per minute")
    with app.app_context():
        rijeka = Municipality(name="Rijeka", country=Country(code="HR", name="Croatia"))
        db.session.add_all(
            [
                User(
                    email=f"c{i}@example.org",
                    role=Role.CONTACT,
                    municipality=rijeka,
                    password_hash=FAST_HASH,
                )
                for i in (1, 2)
            ]
        )
        db.session.commit()

    def attempts(email: str) -> list[int]:
        client = app.test_client()
        client.post_form("/auth/login", {"email": email, "password": PASSWORD})
        return [
            client.post_form("/testimonials/new", {"quote": ""}).status_code
            for _ in range(4)
        ]

    assert attempts("c1@example.org") == [200, 200, 200, 429]
    # Counted per account: a colleague at the same office address is not held up.
    assert attempts("c2@example.org")[0] == 200
    record_figure(
        "testimonial submit limit", "429 on the 4th POST in the window (3/min)"
    )
