"""Search that knows the region's letters and scripts (folded, indexed keys)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from tracker.extensions import db
from tracker.models import Municipality, Person, Role
from tracker.search import fold, search_key


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Šabac", "sabac"),
        ("ŠABAC", "sabac"),
        ("Шабац", "sabac"),
        ("Kuçovë", "kucove"),
        ("Shkodër", "shkoder"),
        ("Niš", "nis"),
        ("Скопје", "skopje"),
        ("Ђаково", "djakovo"),
        ("Žabljak", "zabljak"),
        ("Gjirokastër", "gjirokaster"),
        ("Ќичево", "kjicevo"),
        ("  Novi   Sad ", "novi sad"),
        ("ivana@rijeka.example.org", "ivana@rijeka.example.org"),
        ("100%_", "100%_"),
        ("a, b; c!", "a b c"),
    ],
)
def test_fold(typed, folded):
    assert fold(typed) == folded


def test_a_key_holds_both_spellings_of_dj():
    assert search_key("Đakovo", "Osijek-Baranja") == "djakovo|dakovo|osijek-baranja"


def names_listed(response) -> list[str]:
    table = response.get_data(True).partition("<tbody>")[2].partition("</tbody>")[0]
    return re.findall(r'/municipalities/\d+">([^<]+)</a>', table)


@pytest.fixture
def region(make_municipality):
    return {
        name: make_municipality(name, country, region=region)
        for name, country, region in [
            ("Šabac", "RS", "Mačva"),
            ("Niš", "RS", "Nišava"),
            ("Kuçovë", "AL", "Berat"),
            ("Shkodër", "AL", "Shkodër County"),
            ("Đakovo", "HR", "Osijek-Baranja"),
            ("Скопје", "MK", "Skopje Region"),
            ("Rijeka", "HR", "Primorje-Gorski Kotar"),
        ]
    }


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("sabac", ["Šabac"]),
        ("šabac", ["Šabac"]),
        ("Шабац", ["Šabac"]),
        ("kucove", ["Kuçovë"]),
        ("Shkoder", ["Shkodër"]),
        ("Nis", ["Niš"]),
        ("djakovo", ["Đakovo"]),
        ("dakovo", ["Đakovo"]),
        ("Ђаково", ["Đakovo"]),
        ("skopje", ["Скопје"]),  # Latin query, Cyrillic name
        ("СКОП", ["Скопје"]),
        ("macva", ["Šabac"]),  # the region is searched too
        ("%", []),
        ("_", []),
    ],
)
def test_the_municipality_search_finds_names_however_typed(
    client, login_as, region, query, found
):
    login_as(Role.MANAGER)
    assert names_listed(client.get("/municipalities/", query_string={"q": query})) == (
        found
    )


def test_the_api_searches_the_same_way(client, login_as, region):
    login_as(Role.COORDINATOR)
    body = client.get("/api/v1/municipalities", query_string={"q": "Шабац"}).get_json()
    assert [item["name"] for item in body["items"]] == ["Šabac"]


def test_people_and_enrollments_search_folded(
    app, client, login_as, region, make_person
):
    make_person("Dragana Đorđević", municipality_id=region["Niš"], position="Mayor")
    make_person("Arben Çela", municipality_id=region["Kuçovë"])
    login_as(Role.COORDINATOR)
    for query in ("dordevic", "djordjevic", "Ђорђевић", "DRAGANA"):
        page = client.get("/people/", query_string={"q": query}).get_data(True)
        assert "Dragana Đorđević" in page, query
        assert "Arben Çela" not in page
    page = client.get("/people/", query_string={"q": "cela"}).get_data(True)
    assert "Arben Çela" in page


def test_the_key_follows_every_edit(app, client, login_as, region):
    with app.app_context():
        municipality = db.session.get(Municipality, region["Rijeka"])
        municipality.name = "Čakovec"
        db.session.commit()
    login_as(Role.MANAGER)
    assert names_listed(client.get("/municipalities/?q=cakovec")) == ["Čakovec"]
    assert names_listed(client.get("/municipalities/?q=rijeka")) == []


def test_the_key_is_not_in_the_audit_trail(app, client, login_as, region):
    from tracker.models import AuditEntry

    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == "municipality")
        ).all()
        assert entries and all("search_key" not in str(e.changes) for e in entries)


def test_sqlite_answers_contains_from_its_trigram_index(app, region, make_person):
    """The plan reads the FTS5 table, and the table holds every row."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the FTS5 index is SQLite's; PostgreSQL uses pg_trgm")
        count = db.session.scalar(text("SELECT count(*) FROM municipality_search"))
        assert count == db.session.scalar(text("SELECT count(*) FROM municipality"))
        from tracker.search import contains

        query = select(Municipality.id).where(contains(Municipality, "sabac", "sqlite"))
        compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        assert any("VIRTUAL TABLE" in str(row) for row in plan)


def test_postgresql_has_a_trigram_index_per_searched_table(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("pg_trgm is PostgreSQL's")
        indexes = set(
            db.session.scalars(
                text("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%_trgm'")
            )
        )
    assert {
        "ix_municipality_search_trgm",
        "ix_person_search_trgm",
        "ix_event_search_trgm",
        "ix_testimonial_search_trgm",
    } <= indexes


def test_a_person_found_by_email_and_organisation(app, region, make_person):
    make_person("Outside Expert", organisation="Transparency Intl", email="e@ti.org")
    with app.app_context():
        from tracker.lists import text_search

        found = db.session.scalars(
            select(Person.full_name).where(text_search(Person, "transparency"))
        ).all()
        assert found == ["Outside Expert"]
        found = db.session.scalars(
            select(Person.full_name).where(text_search(Person, "e@ti.org"))
        ).all()
        assert found == ["Outside Expert"]


def test_the_scale_generator_writes_search_keys_the_searches_find(app, db_connection):
    """The benchmark's data is searchable: its bulk inserts bypass the mapper
    event, so the generator writes the keys itself."""
    from tests.conftest import FAST_HASH, PASSWORD, TrackerClient
    from tracker.seed.scale import seed_scale

    seed_scale(db_connection, 0.02, FAST_HASH)
    with app.app_context():
        person = db.session.scalar(select(Person).order_by(Person.id).limit(1))
        surname = person.full_name.split()[1]
        assert fold(surname) in person.search_key
    app.test_client_class = TrackerClient
    client = app.test_client()
    client.post_form(
        "/auth/login", {"email": "admin@example.org", "password": PASSWORD}
    )
    # "Sara Hadžić 1" as typed without its letters; first in the name order.
    page = client.get(f"/people/?q={fold(person.full_name)}").get_data(True)
    assert person.full_name in page


def test_a_list_search_takes_its_first_matches_and_says_there_are_more(
    app, client, login_as
):
    """A list page's search is bounded (SEARCH_CAP matches), whatever the
    table's size; the export still holds every match."""
    from tracker.lists import SEARCH_CAP

    with app.app_context():
        db.session.add_all(
            Person(full_name=f"Ivana Horvat {number:03}")
            for number in range(SEARCH_CAP + 5)
        )
        db.session.commit()
    login_as(Role.COORDINATOR)
    page = client.get("/people/?q=horvat").get_data(True)
    assert f"More than {SEARCH_CAP} match" in page
    narrow = client.get("/people/?q=horvat 004").get_data(True)
    assert "Ivana Horvat 004" in narrow
    assert "More than" not in narrow
    export = client.get("/people/export.csv?q=horvat").get_data(True)
    assert export.count("Ivana Horvat") == SEARCH_CAP + 5
