"""Command-line tasks: creating users and loading the demo data."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from tracker.extensions import db
from tracker.models import AuditEntry, Country, Municipality, Person, Role, User


@pytest.fixture
def invoke(app, runner):
    """Run a CLI command as ``flask`` does: inside an app context."""

    def run(args: list[str], input: str | None = None):
        with app.app_context():
            return runner.invoke(args=args, input=input)

    return run


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Country, Municipality, Person, User)
        }


def test_create_user_makes_an_admin_who_can_sign_in(invoke, app, login):
    result = invoke(
        [
            "create-user",
            "First.Admin@Example.org",
            "--role",
            "admin",
            "--name",
            "First Admin",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "User first.admin@example.org (admin) is created." in result.output
    with app.app_context():
        created = db.session.scalar(
            select(User).where(User.email == "first.admin@example.org")
        )
        assert created.role == Role.ADMIN and created.full_name == "First Admin"
        entry = db.session.scalar(
            select(AuditEntry).where(
                AuditEntry.entity_type == "user_account",
                AuditEntry.entity_id == created.id,
            )
        )
        assert entry.action == "create" and entry.actor_label == "cli:create-user"
    assert login("first.admin@example.org").status_code == 302


def test_create_user_binds_a_contact_to_their_municipality(
    invoke, app, make_municipality
):
    shkoder = make_municipality("Shkodër", "AL")
    result = invoke(
        [
            "create-user",
            "contact@shkoder.example.org",
            "--role",
            "contact",
            "--municipality",
            "Shkodër",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        contact = db.session.scalar(
            select(User).where(User.email == "contact@shkoder.example.org")
        )
        assert contact.municipality_id == shkoder


def test_create_user_prompts_for_the_password_twice(invoke, app):
    result = invoke(
        ["create-user", "typed@example.org", "--role", "manager"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "typed@example.org"))


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["--role", "contact"], PASSWORD, "A contact needs --municipality."),
        (
            ["--role", "contact", "--municipality", "Atlantis"],
            PASSWORD,
            "No single municipality is named 'Atlantis'.",
        ),
        (
            ["--role", "manager", "--municipality", "Rijeka"],
            PASSWORD,
            "Only contacts belong to a municipality.",
        ),
        (["--role", "admin"], "short", "Use at least 12 characters."),
        (["--role", "wizard"], PASSWORD, "Invalid value for '--role'"),
    ],
)
def test_create_user_refuses_bad_requests(
    invoke, app, make_municipality, args, password, message
):
    make_municipality("Rijeka")
    before = counts(app)["User"]
    result = invoke(
        ["create-user", "new@example.org", *args, "--password-stdin"],
        input=password + "\n",
    )
    assert result.exit_code != 0
    assert message in result.output
    assert counts(app)["User"] == before


def test_create_user_refuses_an_existing_email(invoke, app, make_user):
    make_user(role=Role.MANAGER, email="taken@example.org")
    result = invoke(
        [
            "create-user",
            "TAKEN@example.org",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_seed_demo_twice_duplicates_nothing(invoke, app, record_figure):
    first = invoke(["seed-demo"])
    assert first.exit_code == 0, first.output
    after_first = counts(app)
    second = invoke(["seed-demo"])
    assert second.exit_code == 0, second.output
    assert counts(app) == after_first
    record_figure("seed-demo rows", after_first)
    assert after_first["Municipality"] >= 40
    with app.app_context():
        names = set(db.session.scalars(select(Municipality.name)))
        emails = set(db.session.scalars(select(User.email)))
        kosovo = db.session.scalar(select(Country).where(Country.code == "XK"))
    assert {"Rijeka", "Belgrade", "Shkodër", "Kuçovë", "Šabac"} <= names
    assert kosovo is not None and kosovo.name == "Kosovo"
    assert {
        "admin@example.org",
        "coordinator@example.org",
        "manager@example.org",
        "contact.rijeka@example.org",
        "contact.belgrade@example.org",
    } <= emails


def test_seed_demo_if_empty_leaves_a_used_database_alone(invoke, app, make_user):
    make_user(role=Role.ADMIN)
    before = counts(app)
    result = invoke(["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert "already has data" in result.output
    assert counts(app) == before


def test_demo_contact_signs_in_and_sees_only_rijeka(invoke, app, client, login):
    assert invoke(["seed-demo"]).exit_code == 0
    assert login("contact.rijeka@example.org", "demo-password-1").status_code == 302
    page = client.get("/municipalities/").get_data(True)
    listed = page.partition("<tbody>")[2].partition("</tbody>")[0]
    assert "Rijeka" in listed and "Belgrade" not in listed
