"""Probes, metrics and request logs: what an operator watches."""

from __future__ import annotations

import json
import logging

import pytest

from tests.conftest import PASSWORD, TEST_CONFIG
from tracker import create_app
from tracker.auth.password_links import make_token
from tracker.extensions import db
from tracker.models import Role, User


class Lines(logging.Handler):
    """Keeps the request log's lines, parsed."""

    def __init__(self) -> None:
        super().__init__()
        self.raw: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.raw.append(record.getMessage())

    @property
    def parsed(self) -> list[dict]:
        return [json.loads(line) for line in self.raw]


@pytest.fixture
def request_lines(monkeypatch):
    logger = logging.getLogger("tracker.requests")
    # Migrations (alembic's fileConfig) disable the loggers that exist by then.
    monkeypatch.setattr(logger, "disabled", False)
    handler = Lines()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def test_liveness_and_readiness_answer(client):
    assert client.get("/health/live").status_code == 200
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok"}}


def test_readiness_fails_when_the_database_does_not_answer(tmp_path):
    app = create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.sqlite",
        }
    )
    response = app.test_client().get("/health/ready")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"] == "unavailable"
    assert app.test_client().get("/health/live").status_code == 200


def test_readiness_checks_redis_when_the_rate_limits_count_there(tmp_path):
    def ready(storage: str):
        app = create_app(
            {
                **TEST_CONFIG,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/ready.sqlite",
                "RATELIMIT_STORAGE_URI": storage,
            }
        )
        return app.test_client().get("/health/ready")

    down = ready("redis://127.0.0.1:1")  # nothing listens on port 1
    assert down.status_code == 503
    assert down.get_json()["checks"] == {"database": "ok", "redis": "unavailable"}
    up = ready("redis://127.0.0.1:6379")
    assert up.status_code == 200, up.get_json()
    assert up.get_json()["checks"] == {"database": "ok", "redis": "ok"}


def test_metrics_count_requests_by_endpoint_and_status(client):
    client.get("/health")
    client.get("/no-such-page")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    text = response.get_data(as_text=True)
    assert (
        'tracker_http_requests_total{endpoint="public.health",method="GET",'
        'status="200"}' in text
    )
    assert 'endpoint="none",method="GET",status="404"' in text
    assert "tracker_http_request_duration_seconds_bucket{" in text
    assert "tracker_db_pool_checked_out" in text


def test_metrics_are_refused_outside_the_allow_list(app):
    client = app.test_client()
    inside = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert inside.status_code == 200
    outside = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert outside.status_code == 404
    assert b"tracker_http" not in outside.data


def test_the_allow_list_is_a_setting(tmp_path):
    app = create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/allow.sqlite",
            "METRICS_ALLOW_FROM": "10.0.0.0/8, 192.0.2.1",
        }
    )
    client = app.test_client()

    def status(address: str) -> int:
        return client.get("/metrics", environ_base={"REMOTE_ADDR": address}).status_code

    assert status("10.20.30.40") == 200
    assert status("192.0.2.1") == 200
    assert status("127.0.0.1") == 404
    assert status("192.0.2.2") == 404


def test_behind_a_proxy_the_forwarded_client_address_decides(tmp_path):
    app = create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/proxy.sqlite",
            "PROXY_HOPS": 1,
        }
    )
    client = app.test_client()
    # The proxy itself is on loopback; the client it forwards is not.
    outside = client.get(
        "/metrics",
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
        headers={"X-Forwarded-For": "203.0.113.7"},
    )
    assert outside.status_code == 404
    # A client cannot claim loopback: the proxy appends the address it saw.
    spoofed = client.get(
        "/metrics",
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
        headers={"X-Forwarded-For": "127.0.0.1, 203.0.113.7"},
    )
    assert spoofed.status_code == 404
    inside = client.get(
        "/metrics",
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
        headers={"X-Forwarded-For": "127.0.0.1"},
    )
    assert inside.status_code == 200


def test_one_json_line_per_request_with_the_request_id(client, request_lines):
    response = client.get(
        "/health?who=someone@example.org",
        headers={"X-Request-ID": "0123456789abcdef0123456789abcdef"},
    )
    assert response.headers["X-Request-ID"] == "0123456789abcdef0123456789abcdef"
    [line] = request_lines.parsed
    assert set(line) == {
        "time",
        "request_id",
        "method",
        "path",
        "status",
        "duration_ms",
        "endpoint",
    }
    assert line["request_id"] == "0123456789abcdef0123456789abcdef"
    assert line["path"] == "/health"  # without the query string
    assert (line["method"], line["status"], line["endpoint"]) == (
        "GET",
        200,
        "public.health",
    )
    assert line["time"].endswith("+00:00")


def test_a_malformed_request_id_is_replaced(client, request_lines):
    response = client.get("/health", headers={"X-Request-ID": 'x" status=200 forged'})
    generated = response.headers["X-Request-ID"]
    assert len(generated) == 32 and generated.isalnum()
    assert request_lines.parsed[0]["request_id"] == generated
    other = client.get("/health").headers["X-Request-ID"]
    assert other != generated


def test_refused_requests_are_logged_too(client, request_lines):
    client.get("/dashboard/")
    client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert [(line["status"], line["endpoint"]) for line in request_lines.parsed] == [
        (302, "dashboards.index"),
        (404, "public.metrics"),
    ]


def test_request_logs_hold_no_personal_data_or_secrets(
    app, client, make_user, login, request_lines
):
    user_id = make_user(role=Role.MANAGER, email="m.private@example.org")
    login("m.private@example.org", PASSWORD)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    client.get("/people/?q=Horvat%20m.private@example.org")
    with app.app_context():
        token = make_token(db.session.get(User, user_id))
    client.get(f"/auth/set-password/{token}")
    client.get("/api/v1/programs", headers={"Authorization": "Bearer secret-token-1"})
    text = "\n".join(request_lines.raw)
    for secret in (
        "m.private",
        "example.org",
        "Horvat",
        PASSWORD,
        token,
        cookie,
        "secret-token-1",
    ):
        assert secret not in text
    paths = [line["path"] for line in request_lines.parsed]
    assert "/auth/set-password/<token>" in paths
    assert "/people/" in paths
