"""Duplicates caught on the way in: a name that folds like an existing one."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Country, Municipality, Person, Role


def text_of(response) -> str:
    """The page's text, tags removed, as a reader sees it."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(True)).split())


def country_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Country.id).where(Country.code == code))


def municipalities_named(app, *names: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(Municipality)
            .where(Municipality.name.in_(names))
        )


def test_creating_sabac_in_serbia_asks_for_confirmation(
    app, client, login_as, make_country, make_municipality
):
    make_country("RS", "Serbia")
    sabac = make_municipality("Šabac", "RS")
    login_as(Role.COORDINATOR)
    form = {"name": "Sabac", "country_id": country_id(app, "RS"), "population": ""}
    asked = client.post_form("/municipalities/new", form)
    assert asked.status_code == 200
    assert "Šabac, Serbia already exists." in text_of(asked)
    assert f'href="/municipalities/{sabac}"' in asked.get_data(True)
    assert 'name="confirm_duplicate"' in asked.get_data(True)
    assert municipalities_named(app, "Sabac") == 0

    confirmed = client.post_form(
        "/municipalities/new", {**form, "confirm_duplicate": "y"}
    )
    assert confirmed.status_code == 302
    assert municipalities_named(app, "Sabac", "Šabac") == 2


def test_the_same_name_in_another_country_or_cyrillic_is_told_apart(
    app, client, login_as, make_country, make_municipality
):
    make_country("RS", "Serbia")
    make_country("BA", "Bosnia and Herzegovina")
    make_municipality("Šabac", "RS")
    login_as(Role.ADMIN)
    # Another country: no question asked.
    other = client.post_form(
        "/municipalities/new", {"name": "Sabac", "country_id": country_id(app, "BA")}
    )
    assert other.status_code == 302
    # Cyrillic in the same country is the same name.
    cyrillic = client.post_form(
        "/municipalities/new", {"name": "Шабац", "country_id": country_id(app, "RS")}
    )
    assert "Šabac, Serbia already exists." in text_of(cyrillic)
    # A new name shows no confirmation box at all.
    page = client.get("/municipalities/new").get_data(True)
    assert 'name="confirm_duplicate"' not in page


def test_renaming_into_a_duplicate_warns(
    app, client, login_as, make_country, make_municipality
):
    make_country("RS", "Serbia")
    make_municipality("Čačak", "RS")
    other = make_municipality("Kraljevo", "RS")
    login_as(Role.COORDINATOR)
    page = client.get(f"/municipalities/{other}/edit").get_data(True)
    version = re.search(r'name="version_id" type="hidden" value="(\d+)"', page)[1]
    form = {"name": "čačak", "country_id": country_id(app, "RS"), "version_id": version}
    # Only the case differs: the same name, refused on every database.
    same = client.post_form(f"/municipalities/{other}/edit", form)
    assert "This country already has a municipality with this name." in text_of(same)
    form["name"] = "Cacak"
    warned = client.post_form(f"/municipalities/{other}/edit", form)
    assert "Čačak, Serbia already exists." in text_of(warned)
    with app.app_context():
        assert db.session.get(Municipality, other).name == "Kraljevo"
    # A name of its own saves without a question.
    form_same = {**form, "name": "Kraljevo Grad"}
    assert (
        client.post_form(f"/municipalities/{other}/edit", form_same).status_code == 302
    )


def test_a_person_of_the_same_municipality_asks_for_confirmation(
    app, client, login_as, make_municipality, make_person
):
    rijeka = make_municipality("Rijeka", "HR")
    zagreb = make_municipality("Zagreb", "HR")
    ana = make_person("Ana Đurić", municipality_id=rijeka)
    login_as(Role.COORDINATOR)
    form = {"full_name": "ana djuric", "municipality_id": rijeka}
    asked = client.post_form("/people/new", form)
    assert "Ana Đurić, Rijeka already exists." in text_of(asked)
    assert f'href="/people/{ana}"' in asked.get_data(True)
    # In another municipality the same name is someone else.
    assert (
        client.post_form("/people/new", {**form, "municipality_id": zagreb}).status_code
        == 302
    )
    assert (
        client.post_form("/people/new", {**form, "confirm_duplicate": "y"}).status_code
        == 302
    )
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Person)
                .where(Person.full_name == "ana djuric")
            )
            == 2
        )
