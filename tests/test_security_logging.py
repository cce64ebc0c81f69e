"""Security logging, CSRF on every POST, and smaller controls
(ASVS 3.5.1, 5.2.1, 6.3.2, 15.1.2, 16.2.5, 16.3.x, 16.4.1)."""

from __future__ import annotations

import logging
import re
import tomllib
from pathlib import Path

from sqlalchemy import func, select

from tests.conftest import PASSWORD, TEST_CONFIG, TrackerClient
from tests.fixtures.security import build_world, row_counts, url_for_rule
from tracker import create_app
from tracker.auth.password_links import make_token
from tracker.extensions import db
from tracker.models import AuditEntry, Role, User
from tracker.security import one_line

ROOT = Path(__file__).resolve().parent.parent


def test_denied_requests_are_logged_with_who_what_and_where(
    client, login_as, make_user, caplog, monkeypatch
):
    # Anything that ran logging.config.fileConfig before would have disabled it.
    monkeypatch.setattr(logging.getLogger("tracker.security"), "disabled", False)
    target = make_user(role=Role.MANAGER)
    user_id = login_as(Role.COORDINATOR)
    with caplog.at_level(logging.WARNING, logger="tracker.security"):
        response = client.post_form(f"/admin/users/{target}/password-link")
    assert response.status_code == 403
    lines = [r.getMessage() for r in caplog.records if r.name == "tracker.security"]
    assert lines == [
        f"denied status=403 user={user_id} role=coordinator method=POST "
        f"path=/admin/users/{target}/password-link ip=127.0.0.1"
    ]


def test_log_lines_cannot_be_forged_with_line_breaks():
    assert one_line("/x\r\n2026-01-01 INFO login ok user=admin") == (
        "/x??2026-01-01 INFO login ok user=admin"
    )
    assert "\n" not in one_line("a\nb\x1b[31m")


def test_passwords_tokens_and_cookies_stay_out_of_logs_and_audit(
    client, app, make_user, login, caplog
):
    user_id = make_user(role=Role.MANAGER, email="m@example.org")
    wrong = "my secret guess 123"
    with caplog.at_level(logging.DEBUG):
        login("m@example.org", wrong)
        login("m@example.org\r\n2026-01-01 login ok admin@example.org", wrong)
        login("m@example.org", PASSWORD)
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
        client.post("/auth/password", data={"current_password": PASSWORD})  # no CSRF
        with app.app_context():
            token = make_token(db.session.get(User, user_id))
        client.get(f"/auth/set-password/{token}")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry)).all()
        audited = "\n".join(
            f"{e.actor_label} {e.action} {e.changes} {e.ip}" for e in entries
        )
        labels = [e.actor_label for e in entries]
    for secret in (wrong, PASSWORD, cookie, token):
        assert secret not in logged
        assert secret not in audited
    # The forged e-mail is kept on one line in the audit trail.
    assert all("\r" not in label and "\n" not in label for label in labels)
    assert any(label.startswith("m@example.org2026-01-01") for label in labels)


def test_every_post_route_refuses_missing_wrong_and_foreign_csrf_tokens(
    app, db_connection, record_figure
):
    with app.app_context():
        world = build_world()

    def token(app_, rule):
        with app.app_context():
            return make_token(db.session.scalar(select(User)))

    other = app.test_client()
    other.__class__ = TrackerClient
    foreign = other.csrf_token()
    client = app.test_client()
    client.__class__ = TrackerClient
    response = client.post_form(
        "/auth/login", {"email": world.emails["admin"], "password": PASSWORD}
    )
    assert response.status_code == 302
    routes = accepted = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint == "static":
            continue
        url = url_for_rule(rule, db_connection, {"token": token}, app)
        if url is None:
            continue
        routes += 1
        for bad in (None, "not-a-token", foreign):
            savepoint = db_connection.begin_nested()
            try:
                before = row_counts(db_connection)
                data = {} if bad is None else {"csrf_token": bad}
                status = client.post(url, data=data).status_code
                after = row_counts(db_connection)
            finally:
                savepoint.rollback()
            if status != 400 or after != before:
                accepted += 1
    record_figure(
        "CSRF",
        f"{routes} POST routes x 3 bad tokens: {accepted} accepted, 0 DB changes",
    )
    assert accepted == 0


def test_a_body_over_the_limit_gives_413(client):
    response = client.post(
        "/auth/login", data={"email": "x", "password": "y" * (6 * 1024 * 1024)}
    )
    assert response.status_code == 413
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_default_accounts_the_first_admin_comes_from_the_cli(tmp_path):
    app = create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "new.sqlite"),
        }
    )
    with app.app_context():
        db.create_all()
        assert db.session.scalar(select(func.count(User.id))) == 0
        result = app.test_cli_runner().invoke(
            args=[
                "create-user",
                "First.Admin@example.org",
                "--role",
                "admin",
                "--password-stdin",
            ],
            input="lantern orchard velvet quarry\n",
        )
        assert result.exit_code == 0, result.output
        admin = db.session.scalar(select(User))
        assert admin.email == "first.admin@example.org"
        assert admin.password_hash.startswith("$argon2id$")
        db.engine.dispose()


def test_every_dependency_is_pinned():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["dev"]
    pins = {
        re.split(r"==", line)[0].strip().lower().replace("_", "-")
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    names = {
        re.split(r"[<>=!~\[ ;]", requirement)[0].lower().replace("_", "-")
        for requirement in wanted
    }
    assert names - pins == set()
