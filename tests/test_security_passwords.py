"""Passwords (ASVS 6.2, 11.4.2) and password-set links (6.4, 7.4)."""

from __future__ import annotations

import gzip
import re
import time
from datetime import timedelta

import pytest
from flask import render_template
from sqlalchemy import select

from tests.conftest import PASSWORD, TEST_CONFIG
from tracker import create_app
from tracker.auth.password_links import make_token
from tracker.auth.passwords import (
    COMMON_PASSWORDS_FILE,
    MIN_LENGTH,
    common_passwords,
    hash_password,
    password_problems,
    verify_password,
)
from tracker.extensions import db
from tracker.models import AuditEntry, Program, Role, User, utcnow

NEW_PASSWORD = "lantern orchard velvet quarry"


# --- storage ---------------------------------------------------------------------


def test_hashes_are_argon2id_with_the_asvs_parameters(record_figure):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 40})
    with app.app_context():
        stored = hash_password(NEW_PASSWORD)
        started = time.perf_counter()
        assert verify_password(stored, NEW_PASSWORD)
        elapsed_ms = (time.perf_counter() - started) * 1000
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    record_figure("argon2id verify time", f"{elapsed_ms:.0f} ms (m=64 MiB, t=3, p=4)")


@pytest.mark.parametrize(
    "password",
    [
        "x" * 64 + " long",
        "ü" * 128,
        "пароль-для-трекера " * 6 + "end",  # 117 characters of Cyrillic
        "🔐 emoji passphrase with spaces 🔑" * 3,
    ],
)
def test_long_and_unicode_passwords_verify_exactly(app, password):
    with app.app_context():
        stored = hash_password(password)
        assert verify_password(stored, password)
        # No truncation and no case folding (ASVS 6.2.8).
        assert not verify_password(stored, password[:-1])
        assert not verify_password(stored, password[:-1] + "X")
        assert not verify_password(stored, password.upper())
        assert not verify_password(stored, password.swapcase())


# --- the policy ------------------------------------------------------------------


def test_length_limits_and_no_composition_rules():
    assert password_problems("a" * 0)
    assert password_problems("abcdefghijk")  # 11
    assert password_problems("lantern owl")  # 11
    assert password_problems("lantern owls") == []  # 12, lowercase letters only
    assert password_problems("lantern owls " * 4 + "x" * 12) == []  # 64
    assert password_problems("ß" * 120 + "lantern") == []  # 127, one script
    assert password_problems("q" + "lantern owl " * 21 + "end") == []  # 256
    assert password_problems("q" + "lantern owl " * 22)  # 265 > 256
    assert MIN_LENGTH == 12


def test_the_shipped_list_has_the_10000_most_common_passwords(record_figure):
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as handle:
        lines = [line.strip() for line in handle]
    assert len(lines) == 10_000
    assert lines[:4] == ["123456", "123456789", "qwerty", "password"]
    assert len(common_passwords()) == 10_000
    refused = [entry for entry in lines if password_problems(entry)]
    assert len(refused) == len(lines)
    long_ones = [entry for entry in lines if len(entry) >= MIN_LENGTH]
    # The long entries are refused because they are common, not for length.
    for entry in long_ones:
        assert any("most common" in p for p in password_problems(entry)), entry
        assert password_problems(entry.upper()), entry
    record_figure(
        "common passwords",
        f"{len(lines)} of {len(lines)} refused ({len(long_ones)} of them 12+ chars)",
    )


@pytest.mark.parametrize(
    "password",
    [
        "qazwsxedcrfv",
        "Q1W2E3R4T5Y6",
        "1qaz2wsx3edc",
        "passwordpassword",
        "abcabcabcabcabc",
        "aaaaaaaaaaaaaaaa",
        "123456123456",
        "Password-Password",
    ],
)
def test_common_and_repeated_passwords_are_refused(password):
    assert password_problems(password), password


def test_email_is_refused_as_password():
    assert password_problems("Ana.Kovac@Rijeka.hr", "ana.kovac@rijeka.hr")
    assert password_problems("ana.kovac.rijeka", "ana.kovac@rijeka.hr")


@pytest.mark.parametrize(
    "password",
    [
        "UPP-Tracker-2024!",
        "upptracker12345",
        "Upp Tr4ck3r 2025!",
        "Rijeka2024Rijeka",
        "R1jeka-R1jeka-99",
        "Cities without corruption",
        "anticorruption2024",
        "Integrity Leadership 1",
        "ILTP-MFSA-ACP-2020",
    ],
)
def test_context_words_are_refused(app, password, make_municipality):
    make_municipality("Rijeka")
    with app.app_context():
        db.session.add_all(
            [
                Program(code="ILTP", name="Integrity Leadership Training Program"),
                Program(code="MFSA", name="Municipal Finance Self-Assessment"),
                Program(code="ACP", name="Cities without Corruption"),
            ]
        )
        db.session.flush()
        from tracker.auth.passwords import context_words

        assert password_problems(password, "someone@example.org", context_words())


@pytest.mark.parametrize(
    "password",
    [
        PASSWORD,
        NEW_PASSWORD,
        "supper time at the lake",  # contains "upp", still long without it
        "my cat sleeps on rijeka's warm harbour wall",
    ],
)
def test_good_passphrases_are_accepted(password, make_municipality, app):
    make_municipality("Rijeka")
    with app.app_context():
        from tracker.auth.passwords import context_words

        assert password_problems(password, "m@example.org", context_words()) == []


def test_change_password_form_applies_the_policy(client, make_user, login, app):
    user_id = make_user(role=Role.MANAGER, email="m@example.org")
    login("m@example.org")
    with app.app_context():
        before = db.session.get(User, user_id).password_hash
    for weak in ("short", "qwerty123456", "m@example.org", "UPP tracker 2024"):
        response = client.post_form(
            "/auth/password",
            {
                "current_password": PASSWORD,
                "new_password": weak,
                "confirm_password": weak,
            },
        )
        assert response.status_code == 200
        assert b"invalid-feedback" in response.data
    with app.app_context():
        assert db.session.get(User, user_id).password_hash == before


def test_create_user_cli_applies_the_policy(runner, app):
    with app.app_context():
        result = runner.invoke(
            args=[
                "create-user",
                "new@example.org",
                "--role",
                "manager",
                "--password-stdin",
            ],
            input="qwerty123456\n",
        )
    assert result.exit_code != 0
    assert "most common" in result.output


# --- password-set links ----------------------------------------------------------


def _link_for(client, user_id: int) -> str:
    response = client.post_form(f"/admin/users/{user_id}/password-link")
    assert response.status_code == 200, response.data[:300]
    assert "no-store" in response.headers["Cache-Control"]
    match = re.search(
        r'value="(http://localhost/auth/set-password/[^"]+)"', response.text
    )
    assert match, "the page shows the link"
    return match.group(1).replace("http://localhost", "")


def _set(client, url: str, password: str = NEW_PASSWORD):
    return client.post_form(
        url, {"new_password": password, "confirm_password": password}
    )


def test_admin_creates_a_link_that_sets_the_password_once(
    client, app, make_user, login_as, login
):
    user_id = make_user(role=Role.CONTACT, email="c@example.org", password_hash=None)
    login_as(Role.ADMIN)
    url = _link_for(client, user_id)
    client.post_form("/auth/logout")

    form = client.get(url)
    assert form.status_code == 200
    assert b"c@example.org" in form.data
    assert form.headers["Cache-Control"] == "no-store"
    response = _set(client, url)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/auth/login")
    assert login("c@example.org", NEW_PASSWORD).status_code == 302
    client.post_form("/auth/logout")

    # The second use of the same link is refused, and changes nothing.
    with app.app_context():
        stored = db.session.get(User, user_id).password_hash
    again = _set(client, url, "another lantern orchard")
    assert again.status_code == 400
    assert b"not valid" in again.data
    with app.app_context():
        assert db.session.get(User, user_id).password_hash == stored
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_id == user_id)
        ).all()
        token = url.rsplit("/", 1)[1]
        # The audit trail names the events but never holds the token.
        assert {"password_link_created", "password_set_by_link"} <= set(actions)
        dumped = " ".join(
            str(entry.changes) + entry.actor_label
            for entry in db.session.scalars(select(AuditEntry))
        )
        assert token not in dumped
        assert NEW_PASSWORD not in dumped


def test_link_expires_after_24_hours(client, make_user, login_as):
    import time_machine

    user_id = make_user(role=Role.MANAGER, email="m2@example.org")
    with time_machine.travel(utcnow(), tick=False) as traveller:
        login_as(Role.ADMIN)
        url = _link_for(client, user_id)
        client.post_form("/auth/logout")
        traveller.shift(timedelta(hours=23, minutes=59))
        assert client.get(url).status_code == 200
        traveller.shift(timedelta(minutes=2))
        assert client.get(url).status_code == 400
        assert _set(client, url).status_code == 400


def test_link_dies_when_the_password_or_email_changes_otherwise(
    client, app, make_user, login_as
):
    user_id = make_user(role=Role.MANAGER, email="m3@example.org")
    login_as(Role.ADMIN)
    first = _link_for(client, user_id)
    second = _link_for(client, user_id)
    with app.app_context():
        user = db.session.get(User, user_id)
        user.email = "m3.new@example.org"
        db.session.commit()
    assert client.get(first).status_code == 400
    third = _link_for(client, user_id)
    assert _set(client, third).status_code == 302
    assert client.get(second).status_code == 400


def test_tampered_foreign_and_deactivated_links_are_refused(
    client, app, make_user, login_as
):
    user_id = make_user(role=Role.MANAGER, email="m4@example.org")
    other_id = make_user(role=Role.MANAGER, email="m5@example.org")
    login_as(Role.ADMIN)
    url = _link_for(client, user_id)
    token = url.rsplit("/", 1)[1]
    payload, rest = token.split(".", 1)
    with app.app_context():
        other_token = make_token(db.session.get(User, other_id))
    forged = other_token.split(".", 1)[0] + "." + rest  # other user, old signature
    bad = ["x", token[:-2] + "AA", forged, payload, "a" * 5000]
    for candidate in bad:
        assert client.get(f"/auth/set-password/{candidate}").status_code == 400
    # A token signed with another key is refused.
    stranger = create_app({**TEST_CONFIG, "SECRET_KEY": "another key " * 4})
    with stranger.app_context(), app.app_context():
        user = db.session.get(User, user_id)
    with stranger.test_request_context():
        foreign = make_token(user)
    assert client.get(f"/auth/set-password/{foreign}").status_code == 400
    with app.app_context():
        db.session.get(User, user_id).is_active = False
        db.session.commit()
    assert client.get(url).status_code == 400
    refused = client.post_form(f"/admin/users/{user_id}/password-link")
    assert refused.status_code == 409


def test_links_signed_with_a_fallback_key_still_work(app, make_user):
    user_id = make_user(role=Role.MANAGER, email="m6@example.org")
    with app.app_context():
        token = make_token(db.session.get(User, user_id))
    rotated = {
        "SECRET_KEY": "a brand new key that replaced the old one",
        "SECRET_KEY_FALLBACKS": [app.config["SECRET_KEY"]],
    }
    saved = {key: app.config.get(key) for key in rotated}
    app.config.update(rotated)
    try:
        client = app.test_client()
        assert client.get(f"/auth/set-password/{token}").status_code == 200
        app.config["SECRET_KEY_FALLBACKS"] = []
        assert client.get(f"/auth/set-password/{token}").status_code == 400
    finally:
        app.config.update(saved)


def test_setting_a_password_by_link_ends_other_sessions_and_unlocks(
    client, app, make_user, login
):
    user_id = make_user(role=Role.MANAGER, email="m7@example.org")
    login("m7@example.org")
    copied = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    with app.app_context():
        user = db.session.get(User, user_id)
        user.locked_until = utcnow() + timedelta(minutes=10)
        token = make_token(user)
        db.session.commit()
    other = app.test_client()
    other.__class__ = type(client)
    assert _set(other, f"/auth/set-password/{token}").status_code == 302
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], copied)
    assert replay.get("/notifications/").status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).locked_until is None


def test_set_password_page_applies_the_policy(client, app, make_user):
    user_id = make_user(role=Role.MANAGER, email="m8@example.org")
    with app.app_context():
        token = make_token(db.session.get(User, user_id))
    url = f"/auth/set-password/{token}"
    for weak in ("short", "qwerty123456", "m8@example.org", "UPP tracker 2024"):
        response = _set(client, url, weak)
        assert response.status_code == 200
        assert b"invalid-feedback" in response.data
    mismatch = client.post_form(
        url, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "!"}
    )
    assert b"The two passwords differ." in mismatch.data
    assert client.get(url).status_code == 200  # the link still works


def test_only_admins_create_links(client, make_user, login_as):
    user_id = make_user(role=Role.MANAGER, email="m9@example.org")
    login_as(Role.COORDINATOR)
    assert client.post_form(f"/admin/users/{user_id}/password-link").status_code == 403
    client.post_form("/auth/logout")
    anonymous = client.post_form(f"/admin/users/{user_id}/password-link")
    assert anonymous.status_code == 302
    assert "/auth/login" in anonymous.headers["Location"]


def test_the_partial_renders_the_button(app, make_user):
    user_id = make_user(role=Role.MANAGER, email="m10@example.org")
    with app.test_request_context():
        user = db.session.get(User, user_id)
        html = render_template("admin/_password_link.html", user=user)
        assert f'action="/admin/users/{user_id}/password-link"' in html
        assert 'name="csrf_token"' in html
        user.is_active = False
        assert "password-link" not in render_template(
            "admin/_password_link.html", user=user
        )
