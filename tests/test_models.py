"""Rules the database itself keeps, and the model predicates pages rely on."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from tracker.extensions import db
from tracker.models import (
    AuditEntry,
    Country,
    Municipality,
    Person,
    Role,
    SizeClass,
    User,
)


def refused(app, *records) -> None:
    """Adding ``records`` must fail in the database, whatever the ORM allows."""
    with app.app_context():
        db.session.add_all(records)
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_database_refuses_a_contact_without_a_municipality(app):
    refused(app, User(email="lost@example.org", role=Role.CONTACT))


def test_database_refuses_a_municipality_for_other_roles(app, make_municipality):
    rijeka = make_municipality("Rijeka")
    refused(
        app, User(email="c@example.org", role=Role.COORDINATOR, municipality_id=rijeka)
    )


def test_database_refuses_an_unknown_role(app):
    with app.app_context():
        with pytest.raises(DBAPIError):
            db.session.execute(
                text(
                    "INSERT INTO user_account (email, full_name, role, is_active,"
                    " session_token, failed_logins, version_id, created_at)"
                    " VALUES ('x@example.org', '', 'superuser', true, 'tok', 0, 1,"
                    " CURRENT_TIMESTAMP)"
                )
            )
        db.session.rollback()


def test_database_refuses_orphan_foreign_keys(app):
    refused(app, Municipality(name="Nowhere", country_id=999_999))
    refused(app, Person(full_name="Nobody", municipality_id=999_999))


def test_database_refuses_deleting_a_referenced_country(app, make_municipality):
    make_municipality("Rijeka", "HR")
    with app.app_context():
        with pytest.raises(IntegrityError):
            db.session.execute(text("DELETE FROM country WHERE code = 'HR'"))
        db.session.rollback()


def test_database_refuses_a_second_municipality_of_the_same_name(
    app, make_municipality, make_country
):
    make_municipality("Bar", "ME")
    montenegro = make_country("ME")
    refused(app, Municipality(name="Bar", country_id=montenegro))
    # The same name in another country is a different municipality.
    make_municipality("Bar", "HR")


def test_database_refuses_a_negative_population(app, make_country):
    refused(app, Municipality(name="Minus", country_id=make_country(), population=-1))


def test_person_email_is_unique_but_many_may_have_none(app, make_person):
    make_person("First", email="same@example.org")
    refused(app, Person(full_name="Second", email="same@example.org"))
    make_person("No e-mail one")
    make_person("No e-mail two")


def test_database_refuses_a_duplicate_country_code(app, make_country):
    make_country("XK", "Kosovo")
    refused(app, Country(code="XK", name="Kosova"))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET action = 'forged'",
        "DELETE FROM audit_entry",
    ],
)
def test_database_refuses_to_rewrite_the_audit_trail(app, make_country, statement):
    make_country("HR")  # writes one audit entry
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id))) >= 1
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
        forged = select(AuditEntry.id).where(AuditEntry.action == "forged")
        assert db.session.scalars(forged).all() == []


@pytest.mark.parametrize(
    ("population", "size_class"),
    [
        (None, None),
        (0, SizeClass.SMALL),
        (19_999, SizeClass.SMALL),
        (20_000, SizeClass.MEDIUM),
        (99_999, SizeClass.MEDIUM),
        (100_000, SizeClass.LARGE),
        (499_999, SizeClass.LARGE),
        (500_000, SizeClass.METROPOLITAN),
    ],
)
def test_size_class_follows_population(population, size_class):
    assert Municipality(population=population).size_class == size_class


def _user(role: Role, municipality_id: int | None = None) -> User:
    return User(email="u@example.org", role=role, municipality_id=municipality_id)


def test_municipality_predicates_by_role():
    rijeka = Municipality(id=1, name="Rijeka")
    own_contact = _user(Role.CONTACT, 1)
    other_contact = _user(Role.CONTACT, 2)
    anonymous = AnonymousUserMixin()
    assert rijeka.can_view(own_contact) and not rijeka.can_view(other_contact)
    assert not rijeka.can_view(anonymous)
    assert rijeka.can_edit_contact_details(own_contact)
    assert not rijeka.can_edit_contact_details(other_contact)
    assert not rijeka.can_edit(own_contact)
    for role in (Role.COORDINATOR, Role.ADMIN):
        assert rijeka.can_view(_user(role)) and rijeka.can_edit(_user(role))
    manager = _user(Role.MANAGER)
    assert rijeka.can_view(manager)
    assert not rijeka.can_edit(manager)
    assert not rijeka.can_edit_contact_details(manager)


def test_person_predicates_by_role():
    colleague = Person(full_name="Ivana", municipality_id=1)
    outsider = Person(full_name="Sara", organisation="World Bank")
    contact = _user(Role.CONTACT, 1)
    assert colleague.can_view(contact) and not outsider.can_view(contact)
    assert not colleague.can_edit(contact)
    assert outsider.can_view(_user(Role.MANAGER))
    assert outsider.can_edit(_user(Role.COORDINATOR))
    assert not outsider.can_view(AnonymousUserMixin())
