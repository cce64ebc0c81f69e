"""Signing in and out, lockout, sessions that really end."""

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import PASSWORD
from tracker.extensions import db
from tracker.models import AuditEntry, Role, User, utcnow


def _user(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id)


def test_login_with_right_password_signs_in(client, make_user, login, app):
    user_id = make_user(role=Role.MANAGER, email="m@example.org")
    response = login("M@Example.org")
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert _user(app, user_id).last_login_at is not None
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_id == user_id)
        ).all()
    assert "login" in actions


def test_wrong_password_gives_generic_message_and_is_audited(
    client, make_user, login, app
):
    make_user(role=Role.MANAGER, email="m@example.org")
    response = login("m@example.org", "not the password at all")
    assert response.status_code == 200
    assert b"Wrong e-mail or password." in response.data
    unknown = login("nobody@example.org", "not the password at all")
    assert b"Wrong e-mail or password." in unknown.data
    with app.app_context():
        failures = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "login_failed")
        ).all()
    assert len(failures) == 2


def test_inactive_user_cannot_sign_in(client, make_user, login):
    make_user(role=Role.MANAGER, email="gone@example.org", is_active=False)
    response = login("gone@example.org")
    assert response.status_code == 200
    assert b"Wrong e-mail or password." in response.data


def test_five_failures_lock_the_account_even_for_the_right_password(
    client, make_user, login, app
):
    user_id = make_user(role=Role.MANAGER, email="m@example.org")
    for _ in range(5):
        login("m@example.org", "wrong password here")
    locked = _user(app, user_id)
    assert locked.locked_until is not None
    response = login("m@example.org", PASSWORD)
    assert response.status_code == 200
    assert b"Wrong e-mail or password." in response.data
    with app.app_context():
        user = db.session.get(User, user_id)
        user.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert login("m@example.org", PASSWORD).status_code == 302


def test_next_redirect_stays_on_site(client, make_user, app):
    make_user(role=Role.MANAGER, email="m@example.org")
    for target in (
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "/%2F%2Fevil",
        " //evil.example",
    ):
        response = client.post_form(
            "/auth/login?next=" + target,
            {"email": "m@example.org", "password": PASSWORD},
        )
        assert response.status_code == 302
        assert response.headers["Location"] in ("/home/", "/%2F%2Fevil")
        client.post_form("/auth/logout")
    response = client.post_form(
        "/auth/login?next=/notifications/",
        {"email": "m@example.org", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/notifications/"


def _session_cookie(client, app):
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def test_cookie_copied_before_logout_is_refused_after(client, app, make_user, login):
    make_user(role=Role.MANAGER, email="m@example.org")
    login("m@example.org")
    copied = _session_cookie(client, app)
    client.post_form("/auth/logout")
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], copied)
    response = replay.get("/notifications/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_cookie_copied_before_password_change_is_refused_after(
    client, app, make_user, login
):
    make_user(role=Role.MANAGER, email="m@example.org")
    login("m@example.org")
    copied = _session_cookie(client, app)
    response = client.post_form(
        "/auth/password",
        {
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    assert client.get("/notifications/").status_code == 200  # this browser stays in
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], copied)
    assert replay.get("/notifications/").status_code == 302


def test_deactivation_ends_sessions(client, app, make_user, login):
    user_id = make_user(role=Role.MANAGER, email="m@example.org")
    login("m@example.org")
    with app.app_context():
        user = db.session.get(User, user_id)
        user.is_active = False
        db.session.commit()
    assert client.get("/notifications/").status_code == 302


def test_login_issues_a_new_session(client, app, make_user, login):
    make_user(role=Role.MANAGER, email="m@example.org")
    client.get("/auth/login")
    before = _session_cookie(client, app)
    login("m@example.org")
    assert _session_cookie(client, app) != before


def test_session_ends_twelve_hours_after_sign_in(client, app, make_user, login):
    import time_machine

    make_user(role=Role.MANAGER, email="m@example.org")
    with time_machine.travel(utcnow(), tick=False) as traveller:
        login("m@example.org")
        for _ in range(25):  # active every 29 minutes for 12 h 5 min
            traveller.shift(timedelta(minutes=29))
            response = client.get("/notifications/")
        assert response.status_code == 302


def test_session_ends_after_thirty_idle_minutes(client, app, make_user, login):
    import time_machine

    make_user(role=Role.MANAGER, email="m@example.org")
    with time_machine.travel(utcnow(), tick=False) as traveller:
        login("m@example.org")
        assert client.get("/notifications/").status_code == 200
        traveller.shift(timedelta(minutes=31))
        assert client.get("/notifications/").status_code == 302


def test_password_change_requires_current_password(client, app, make_user, login):
    user_id = make_user(role=Role.MANAGER, email="m@example.org")
    login("m@example.org")
    before = _user(app, user_id).password_hash
    response = client.post_form(
        "/auth/password",
        {
            "current_password": "wrong one entirely",
            "new_password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
        },
    )
    assert b"The current password is wrong." in response.data
    assert _user(app, user_id).password_hash == before


def test_logout_needs_post(client, make_user, login):
    make_user(role=Role.MANAGER, email="m@example.org")
    login("m@example.org")
    assert client.get("/auth/logout").status_code == 405
