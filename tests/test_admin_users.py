"""Administrators manage user accounts: roles, municipalities, deactivation."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from tracker.extensions import db
from tracker.forms import STALE_MESSAGE
from tracker.models import Role, User

NEW_PASSWORD = "a long enough initial phrase"


def version_in(html: bytes) -> str:
    match = re.search(rb'name="version_id" type="hidden" value="(\d*)"', html)
    assert match, "no version_id field on the page"
    return match.group(1).decode()


def user(app, user_id: int) -> User:
    with app.app_context():
        return db.session.get(User, user_id)


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def emails_listed(response) -> list[str]:
    table = response.get_data(True).partition("<tbody>")[2].partition("</tbody>")[0]
    return re.findall(r"<td>([^<@]+@[^<]+)</td>", table)


@pytest.fixture
def admin_id(login_as):
    return login_as(Role.ADMIN, email="root@example.org", full_name="Ada Admin")


def edit_form_data(client, user_id: int, **changes) -> dict:
    """What the edit form would post unchanged, with ``changes`` applied."""
    page = client.get(f"/admin/users/{user_id}/edit").get_data(True)
    account = user(client.application, user_id)
    data = {
        "version_id": version_in(page.encode()),
        "email": account.email,
        "full_name": account.full_name,
        "role": account.role.value,
        "municipality_id": str(account.municipality_id or ""),
        "is_active": "y" if account.is_active else "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# List -------------------------------------------------------------------------


def test_users_list_searches_and_filters_by_role(client, admin_id, make_user):
    make_user(role=Role.MANAGER, email="donor@example.org", full_name="Dora Donor")
    make_user(role=Role.CONTACT, email="contact@rijeka.example.org")
    make_user(role=Role.COORDINATOR, email="coord@example.org", is_active=False)
    assert emails_listed(client.get("/admin/users?q=dora")) == ["donor@example.org"]
    assert emails_listed(client.get("/admin/users?role=contact")) == [
        "contact@rijeka.example.org"
    ]
    assert emails_listed(client.get("/admin/users?status=inactive")) == [
        "coord@example.org"
    ]
    everyone = emails_listed(client.get("/admin/users?sort=-email&role=nonsense"))
    assert everyone == sorted(everyone, reverse=True) and len(everyone) == 4


def test_coordinator_and_contact_cannot_reach_admin_pages(client, login_as):
    login_as(Role.COORDINATOR)
    assert client.get("/admin/users").status_code == 403
    assert client.post_form("/admin/users/new", {"role": "admin"}).status_code == 403


# Create -----------------------------------------------------------------------


def test_admin_creates_a_contact_who_can_sign_in(
    client, app, admin_id, make_municipality, audit_entries, login
):
    rijeka = make_municipality("Rijeka", "HR")
    response = client.post_form(
        "/admin/users/new",
        {
            "email": " New.Contact@Rijeka.example.org ",
            "full_name": "Nova Kontakt",
            "role": "contact",
            "municipality_id": str(rijeka),
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        created = db.session.scalar(
            select(User).where(User.email == "new.contact@rijeka.example.org")
        )
        assert created.role == Role.CONTACT and created.municipality_id == rijeka
        assert created.password_hash.startswith("$argon2id$")
    entries = audit_entries("user_account", created.id)
    assert [entry.action for entry in entries] == ["create"]
    assert entries[0].changes["password_hash"] == [None, "[redacted]"]
    assert entries[0].changes["role"] == [None, "contact"]
    client.post_form("/auth/logout")
    assert login("new.contact@rijeka.example.org", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        pytest.param(
            {"role": "contact"},
            "municipality_id",
            "A municipal contact must belong to a municipality.",
            id="contact without municipality",
        ),
        pytest.param(
            {"role": "manager", "municipality_id": "RIJEKA"},
            "municipality_id",
            "Only municipal contacts belong to a municipality",
            id="manager with municipality",
        ),
        pytest.param(
            {"password": "short"}, "password", "Use at least 12 characters.", id="short"
        ),
        pytest.param(
            {"password": "someone@example.org", "email": "someone@example.org"},
            "password",
            "must not be your e-mail address",
            id="password is e-mail",
        ),
        pytest.param(
            {"email": "ROOT@example.org"},
            "email",
            "Another account already uses this e-mail address.",
            id="duplicate e-mail",
        ),
        pytest.param(
            {"email": "root(at)example"}, "email", "Enter an e-mail", id="bad"
        ),
        pytest.param({"email": ""}, "email", "Enter the user", id="empty e-mail"),
        pytest.param(
            {"full_name": "z" * 10_000},
            "full_name",
            "Field cannot be longer than 200 characters.",
            id="10000 characters",
        ),
        pytest.param({"role": "superuser"}, "role", "Choose a role.", id="role"),
        pytest.param(
            {"full_name": "<script>alert(1)</script>", "password": ""},
            "password",
            "Enter an initial password.",
            id="script",
        ),
    ],
)
def test_bad_new_user_input_is_refused_and_nothing_saved(
    client, app, admin_id, make_municipality, data, field, message
):
    rijeka = make_municipality("Rijeka", "HR")
    base = {
        "email": "someone@example.org",
        "full_name": "Some One",
        "role": "coordinator",
        "municipality_id": "",
        "password": NEW_PASSWORD,
    }
    data = {**base, **data}
    if data.get("municipality_id") == "RIJEKA":
        data["municipality_id"] = str(rijeka)
    before = user_count(app)
    response = client.post_form("/admin/users/new", data)
    assert response.status_code == 200
    page = response.get_data(True)
    errors = re.search(rf'id="{field}-errors">(.*?)</div>\s*</div>', page, re.S)
    assert errors and message in errors.group(1)
    assert "<script>alert(1)</script>" not in page
    assert user_count(app) == before


def test_the_database_backs_the_contact_rule(
    client, app, admin_id, monkeypatch, audit_entries
):
    """With the form check gone, the CHECK constraint still refuses, politely."""
    from tracker.admin.users import UserForm

    monkeypatch.setattr(UserForm, "validate_municipality_id", lambda form, field: None)
    before = user_count(app)
    response = client.post_form(
        "/admin/users/new",
        {"email": "lost@example.org", "role": "contact", "password": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "A municipal contact must belong to a municipality" in response.get_data(
        True
    )
    assert user_count(app) == before


# Edit -------------------------------------------------------------------------


def test_admin_changes_role_and_municipality_with_one_audit_entry(
    client, app, admin_id, make_user, make_municipality, audit_entries
):
    belgrade = make_municipality("Belgrade", "RS")
    manager = make_user(role=Role.MANAGER, email="m@example.org")
    data = edit_form_data(
        client,
        manager,
        role="contact",
        municipality_id=str(belgrade),
        full_name="Milan Contact",
        password_hash="x",
        session_token="stolen",
    )
    response = client.post_form(f"/admin/users/{manager}/edit", data)
    assert response.status_code == 302
    changed = user(app, manager)
    assert (changed.role, changed.municipality_id) == (Role.CONTACT, belgrade)
    assert changed.password_hash != "x" and changed.session_token != "stolen"
    updates = [
        e for e in audit_entries("user_account", manager) if e.action == "update"
    ]
    assert len(updates) == 1
    assert updates[0].changes == {
        "role": ["manager", "contact"],
        "municipality_id": [None, belgrade],
        "full_name": ["", "Milan Contact"],
    }


def test_deactivating_through_the_edit_form_ends_sessions(
    client, app, admin_id, make_user
):
    manager = make_user(role=Role.MANAGER)
    token_before = user(app, manager).session_token
    response = client.post_form(
        f"/admin/users/{manager}/edit", edit_form_data(client, manager, is_active="")
    )
    assert response.status_code == 302
    after = user(app, manager)
    assert not after.is_active
    assert after.session_token != token_before


def test_admin_cannot_demote_or_deactivate_themselves(client, app, admin_id):
    response = client.post_form(
        f"/admin/users/{admin_id}/edit",
        edit_form_data(client, admin_id, role="coordinator", is_active=""),
    )
    assert response.status_code == 200
    page = response.get_data(True)
    assert "You cannot remove your own administrator role." in page
    assert "You cannot deactivate your own account." in page
    me = user(app, admin_id)
    assert me.role == Role.ADMIN and me.is_active
    response = client.post_form(f"/admin/users/{admin_id}/deactivate")
    assert response.status_code == 302
    assert "You cannot deactivate your own account." in client.get(
        "/admin/users"
    ).get_data(True)
    assert user(app, admin_id).is_active


def test_a_stale_user_edit_is_refused(client, app, admin_id, make_user, audit_entries):
    manager = make_user(role=Role.MANAGER, full_name="Old Name")
    first = edit_form_data(client, manager, full_name="First Name")
    second = edit_form_data(client, manager, full_name="Second Name")
    assert client.post_form(f"/admin/users/{manager}/edit", first).status_code == 302
    response = client.post_form(f"/admin/users/{manager}/edit", second)
    assert response.status_code == 409
    assert STALE_MESSAGE in response.get_data(True)
    assert 'value="Second Name"' in response.get_data(True)
    assert user(app, manager).full_name == "First Name"
    updates = [
        e for e in audit_entries("user_account", manager) if e.action == "update"
    ]
    assert len(updates) == 1


def test_edit_refuses_a_taken_email_and_a_missing_municipality(
    client, app, admin_id, make_user
):
    manager = make_user(role=Role.MANAGER, email="m@example.org")
    response = client.post_form(
        f"/admin/users/{manager}/edit",
        edit_form_data(client, manager, email="Root@Example.org", role="contact"),
    )
    assert response.status_code == 200
    page = response.get_data(True)
    assert "Another account already uses this e-mail address." in page
    assert "A municipal contact must belong to a municipality." in page
    assert user(app, manager).email == "m@example.org"


# Deactivate and activate --------------------------------------------------------


def test_deactivation_ends_the_users_sessions_for_good(
    app, client, admin_id, make_user, audit_entries
):
    victim = make_user(role=Role.COORDINATOR, email="c@example.org")
    other = app.test_client()
    other.__class__ = type(client)
    page = other.get("/auth/login").get_data(True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    other.post(
        "/auth/login",
        data={"email": "c@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert other.get("/municipalities/").status_code == 200
    response = client.post_form(f"/admin/users/{victim}/deactivate")
    assert response.status_code == 302
    assert not user(app, victim).is_active
    refused = other.get("/municipalities/")
    assert refused.status_code == 302 and "/auth/login" in refused.headers["Location"]
    entries = audit_entries("user_account", victim)
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].changes == {"is_active": [True, False]}
    # Activating lets them sign in again; the old session stays dead.
    assert client.post_form(f"/admin/users/{victim}/activate").status_code == 302
    assert user(app, victim).is_active
    assert other.get("/municipalities/").status_code == 302


def test_deactivate_and_activate_are_post_only(client, admin_id, make_user):
    manager = make_user(role=Role.MANAGER)
    assert client.get(f"/admin/users/{manager}/deactivate").status_code == 405
    assert client.post(f"/admin/users/{manager}/deactivate").status_code == 400
    assert client.post_form("/admin/users/999999/deactivate").status_code == 404


def test_admin_signs_a_user_out_everywhere(app, client, make_user, login_as):
    from tracker.models import AuditEntry

    manager_id = make_user(role=Role.MANAGER, email="busy.manager@example.org")
    other = app.test_client()
    other.__class__ = client.__class__
    other.post_form(
        "/auth/login", {"email": "busy.manager@example.org", "password": PASSWORD}
    )
    assert other.get("/notifications/").status_code == 200
    login_as(Role.ADMIN)
    page = client.get(f"/admin/users/{manager_id}/edit").get_data(as_text=True)
    assert "Sign out everywhere" in page and "Create a password-set link" in page
    response = client.post_form(f"/admin/users/{manager_id}/end-sessions")
    assert response.status_code == 302
    assert other.get("/notifications/").status_code == 302  # back to sign-in
    with app.app_context():
        assert (
            db.session.scalar(
                select(AuditEntry).where(
                    AuditEntry.action == "sessions_ended",
                    AuditEntry.entity_id == manager_id,
                )
            )
            is not None
        )
