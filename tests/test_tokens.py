"""API tokens: admins issue and revoke them; the secret is shown once, stored hashed."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import ApiToken, AuditEntry, Role, User, utcnow

SECRET = re.compile(r'value="(upp_[A-Za-z0-9_-]+)"')


def _issue(client, user_id: int, name: str = "Donor report"):
    return client.post_form("/admin/tokens/new", {"user_id": user_id, "name": name})


def _token_for(app, make_user, role: str, **fields) -> str:
    """A token's secret for a new user of ``role``, made without the web pages."""
    user_id = make_user(role=role, **fields)
    with app.app_context():
        token, secret = ApiToken.issue(db.session.get(User, user_id), "test")
        db.session.add(token)
        db.session.commit()
    return secret


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_admin_issues_a_token_whose_secret_is_shown_once_and_stored_hashed(
    app, client, login_as, make_user
):
    manager_id = make_user(role=Role.MANAGER, email="donor@example.org")
    login_as(Role.ADMIN)
    response = _issue(client, manager_id)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    secret = SECRET.search(html).group(1)
    assert "shown only this once" in html
    assert response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        token = db.session.scalar(
            select(ApiToken).where(ApiToken.user_id == manager_id)
        )
        assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert token.prefix == secret[:8]
        assert token.name == "Donor report"
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == "api_token")
        ).all()
        assert [entry.action for entry in entries] == ["create"]
        assert secret not in str(entries[0].changes)
        assert token.token_hash not in str(entries[0].changes)
    listing = client.get("/admin/tokens").get_data(as_text=True)
    assert secret not in listing
    assert f"{secret[:8]}…" in listing
    assert "donor@example.org" in listing
    # The token works, with its user's role.
    assert client.get("/api/v1/stats", headers=_bearer(secret)).status_code == 200


def test_revoked_token_is_refused(app, client, login_as, make_user):
    manager_id = make_user(role=Role.MANAGER)
    login_as(Role.ADMIN)
    secret = SECRET.search(_issue(client, manager_id).get_data(as_text=True)).group(1)
    with app.app_context():
        token_id = db.session.scalar(
            select(ApiToken.id).where(ApiToken.user_id == manager_id)
        )
    response = client.post_form(f"/admin/tokens/{token_id}/revoke")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/tokens")
    assert "is revoked" in client.get("/admin/tokens").get_data(as_text=True)
    again = client.post_form(f"/admin/tokens/{token_id}/revoke", follow_redirects=True)
    assert "was already revoked" in again.get_data(as_text=True)
    anonymous = app.test_client()
    refused = anonymous.get("/api/v1/stats", headers=_bearer(secret))
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "unauthorized"
    with app.app_context():
        token = db.session.get(ApiToken, token_id)
        assert token.revoked_at is not None
        actions = db.session.scalars(
            # In chain order: without ORDER BY, PostgreSQL may return heap order.
            select(AuditEntry.action)
            .where(
                AuditEntry.entity_type == "api_token", AuditEntry.entity_id == token_id
            )
            .order_by(AuditEntry.id)
        ).all()
        assert actions == ["create", "update"]


def test_revoking_an_unknown_token_is_not_found(client, login_as):
    login_as(Role.ADMIN)
    assert client.post_form("/admin/tokens/999999/revoke").status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.CONTACT, 403),
        (Role.COORDINATOR, 200),
        (Role.MANAGER, 200),
        (Role.ADMIN, 200),
    ],
)
def test_a_token_carries_its_users_role(app, make_user, role, status):
    secret = _token_for(app, make_user, role)
    client = app.test_client()
    assert client.get("/api/v1/stats", headers=_bearer(secret)).status_code == status
    assert (
        client.get("/api/v1/openapi.json", headers=_bearer(secret)).status_code == 200
    )


def test_bad_or_inactive_tokens_are_refused(app, make_user):
    client = app.test_client()
    assert (
        client.get("/api/v1/stats", headers=_bearer("upp_nonsense")).status_code == 401
    )
    secret = _token_for(app, make_user, Role.MANAGER, is_active=False)
    assert client.get("/api/v1/stats", headers=_bearer(secret)).status_code == 401


def test_bearer_tokens_do_not_open_html_pages(app, make_user):
    secret = _token_for(app, make_user, Role.ADMIN)
    response = app.test_client().get("/dashboard/", headers=_bearer(secret))
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_last_used_is_recorded_at_most_once_a_minute(app, make_user):
    secret = _token_for(app, make_user, Role.MANAGER)
    client = app.test_client()

    def last_used():
        with app.app_context():
            return db.session.scalar(
                select(ApiToken.last_used_at).where(
                    ApiToken.token_hash == ApiToken.hash_secret(secret)
                )
            )

    assert last_used() is None
    start = utcnow()
    with time_machine.travel(start, tick=False):
        client.get("/api/v1/stats", headers=_bearer(secret))
    first = last_used()
    assert first == start.replace(microsecond=first.microsecond)
    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        client.get("/api/v1/stats", headers=_bearer(secret))
    assert last_used() == first
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        client.get("/api/v1/stats", headers=_bearer(secret))
    assert last_used() > first


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Give the token a name"),
        ({"name": "Report"}, "Choose a user"),
        ({"user_id": "abc", "name": "Report"}, "Not a valid choice"),
        ({"user_id": "999999", "name": "Report"}, "Not a valid choice"),
        ({"user_id": "{manager}", "name": "x" * 10_000}, "At most 100 characters."),
        ({"user_id": "{manager}", "name": "   "}, "Give the token a name"),
    ],
)
def test_token_form_refuses_bad_input_and_keeps_it(
    app, client, login_as, make_user, data, message
):
    manager_id = make_user(role=Role.MANAGER)
    login_as(Role.ADMIN)
    data = {k: v.replace("{manager}", str(manager_id)) for k, v in data.items()}
    response = client.post_form("/admin/tokens/new", data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    with app.app_context():
        assert db.session.scalar(select(ApiToken.id)) is None


def test_token_names_are_shown_escaped(client, login_as, make_user):
    manager_id = make_user(role=Role.MANAGER)
    login_as(Role.ADMIN)
    response = _issue(client, manager_id, "<script>alert(1)</script>")
    assert response.status_code == 200
    listing = client.get("/admin/tokens").get_data(as_text=True)
    assert "<script>alert(1)" not in listing
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing


def test_extra_fields_in_the_form_change_nothing(app, client, login_as, make_user):
    manager_id = make_user(role=Role.MANAGER)
    login_as(Role.ADMIN)
    response = client.post_form(
        "/admin/tokens/new",
        {
            "user_id": manager_id,
            "name": "Report",
            "role": "admin",
            "municipality_id": "1",
            "status": "approved",
            "token_hash": "0" * 64,
            "revoked_at": "2020-01-01",
        },
    )
    assert response.status_code == 200
    with app.app_context():
        assert db.session.get(User, manager_id).role == Role.MANAGER
        token = db.session.scalar(
            select(ApiToken).where(ApiToken.user_id == manager_id)
        )
        assert token.token_hash != "0" * 64
        assert token.revoked_at is None


def test_only_admins_reach_the_token_pages(client, login_as):
    login_as(Role.COORDINATOR)
    assert client.get("/admin/tokens").status_code == 403
    assert client.post_form("/admin/tokens/new", {"name": "x"}).status_code == 403


def test_token_list_filters_by_user(app, client, login_as, make_user):
    first = make_user(role=Role.MANAGER, email="first@example.org")
    second = make_user(role=Role.MANAGER, email="second@example.org")
    login_as(Role.ADMIN)
    _issue(client, first, "First token")
    _issue(client, second, "Second token")
    html = client.get(f"/admin/tokens?user_id={first}").get_data(as_text=True)
    assert "First token" in html and "Second token" not in html
    assert f'<option selected value="{first}">' in html or (
        f'<option value="{first}" selected>' in html
    )
