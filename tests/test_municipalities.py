"""Municipalities and countries: lists, detail pages, edits, scope, the API."""

from __future__ import annotations

import re
import sqlite3
from datetime import date

import jsonschema
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from tracker import models
from tracker.api.schemas import SHARED_SCHEMAS
from tracker.extensions import db
from tracker.forms import STALE_MESSAGE
from tracker.models import (
    Attendance,
    Country,
    Enrollment,
    Event,
    EventKind,
    Municipality,
    Participation,
    ParticipationRole,
    Person,
    Program,
    Role,
    Stage,
    StageKind,
    TestimonialStatus,
)
from tracker.municipalities.api import OPENAPI_PATHS, OPENAPI_SCHEMAS


def version_in(html: bytes) -> str:
    match = re.search(rb'name="version_id" type="hidden" value="(\d*)"', html)
    assert match, "no version_id field on the page"
    return match.group(1).decode()


def municipality(app, municipality_id: int) -> Municipality:
    with app.app_context():
        return db.session.get(Municipality, municipality_id)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def names_listed(response) -> list[str]:
    """The municipality names in the list's table, in order."""
    table = response.get_data(True).partition("<tbody>")[2].partition("</tbody>")[0]
    return re.findall(r'/municipalities/\d+">([^<]+)</a>', table)


@pytest.fixture
def places(make_municipality):
    """Five municipalities in three countries and every size class."""
    return {
        "rijeka": make_municipality(
            "Rijeka", "HR", region="Primorje-Gorski Kotar", population=108_622
        ),
        "krizevci": make_municipality(
            "Križevci", "HR", region="Koprivnica-Križevci", population=19_999
        ),
        "belgrade": make_municipality(
            "Belgrade", "RS", region="City of Belgrade", population=1_197_714
        ),
        "sabac": make_municipality("Šabac", "RS", region="Mačva", population=20_000),
        "shkoder": make_municipality("Shkodër", "AL", region="Shkodër County"),
    }


# Lists ----------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/municipalities/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_list_searches_name_and_region(client, login_as, places):
    login_as(Role.MANAGER)
    assert names_listed(client.get("/municipalities/?q=rij")) == ["Rijeka"]
    assert names_listed(client.get("/municipalities/?q=MAčva")) == ["Šabac"]
    assert names_listed(client.get("/municipalities/?q=%25")) == []  # no wildcard


def test_list_filters_by_country_and_size(client, login_as, places, app):
    login_as(Role.COORDINATOR)
    with app.app_context():
        serbia = db.session.scalar(select(Country.id).where(Country.code == "RS"))
    assert names_listed(client.get(f"/municipalities/?country={serbia}")) == [
        "Belgrade",
        "Šabac",
    ]
    # Bounds are [lower, upper): 19,999 is small, 20,000 is medium.
    assert names_listed(client.get("/municipalities/?size=small")) == ["Križevci"]
    assert names_listed(client.get("/municipalities/?size=medium")) == ["Šabac"]
    assert names_listed(client.get("/municipalities/?size=large")) == ["Rijeka"]
    assert names_listed(
        client.get(f"/municipalities/?size=metropolitan&country={serbia}")
    ) == ["Belgrade"]
    # Junk filters are ignored, never an error.
    response = client.get("/municipalities/?size=huge&country=abc&page=x")
    assert response.status_code == 200
    assert len(names_listed(response)) == 5


def test_list_sorts_by_name_country_and_population(client, login_as, places):
    login_as(Role.MANAGER)
    by_name = names_listed(client.get("/municipalities/"))
    assert by_name[:3] == ["Belgrade", "Križevci", "Rijeka"]
    # Collations differ on "Š" (SQLite: after "S"; PostgreSQL: with it).
    assert set(by_name[3:]) == {"Shkodër", "Šabac"}
    by_population = names_listed(client.get("/municipalities/?sort=-population"))
    assert by_population == ["Belgrade", "Rijeka", "Šabac", "Križevci", "Shkodër"]
    by_country = names_listed(client.get("/municipalities/?sort=country"))
    assert by_country[0] == "Shkodër"  # Country AL comes first
    assert set(by_country[-2:]) == {"Belgrade", "Šabac"}  # Country RS last
    page = client.get("/municipalities/?sort=-population").get_data(True)
    assert 'aria-label="sorted descending"' in page


def test_list_paginates(client, login_as, places):
    login_as(Role.MANAGER)
    first = client.get("/municipalities/?sort=population&per_page=2")
    second = client.get("/municipalities/?sort=population&per_page=2&page=2")
    assert names_listed(first) == ["Shkodër", "Križevci"]
    assert names_listed(second) == ["Šabac", "Rijeka"]
    assert "5 in all, page 2 of 3." in second.get_data(True)
    beyond = client.get("/municipalities/?per_page=2&page=99")
    assert beyond.status_code == 200
    assert names_listed(beyond) == []


def test_contact_lists_only_their_own_municipality(client, login_as, places):
    login_as(Role.CONTACT, municipality_id=places["rijeka"])
    response = client.get("/municipalities/")
    assert names_listed(response) == ["Rijeka"]
    assert names_listed(client.get("/municipalities/?q=belgrade")) == []
    # A contact gets no country or size filters and no "New" button.
    assert 'name="country"' not in response.get_data(True)
    assert "New municipality" not in response.get_data(True)


# Detail ---------------------------------------------------------------------


def test_detail_shows_profile_people_programs_events_testimonials(
    client, login_as, app, places, make_person, make_reference
):
    rijeka = places["rijeka"]
    with app.app_context():
        db.session.get(Municipality, rijeka).website = "https://www.rijeka.hr"
        db.session.get(Municipality, rijeka).phone = "+385 51 209 333"
        db.session.commit()
    make_person("Ivana Horvat", municipality_id=rijeka, position="Smart City Lead")
    make_reference("enrollment", municipality_id=rijeka)
    make_reference("participation", municipality_id=rijeka)
    make_reference("testimonial", municipality_id=rijeka)
    login_as(Role.COORDINATOR)
    page = client.get(f"/municipalities/{rijeka}").get_data(True)
    assert "<h1" in page and page.count("<h1") == 1
    assert "Country HR (HR)" in page
    assert "Primorje-Gorski Kotar" in page
    assert "108,622" in page
    assert "Large (100,000–499,999)" in page
    assert 'href="https://www.rijeka.hr"' in page
    assert "+385 51 209 333" in page
    assert "Ivana Horvat" in page and "Smart City Lead" in page
    assert "Ready to join" in page  # enrollment stage
    assert "Smart city projects" in page  # participation
    assert "The training changed how we plan" in page  # testimonial
    assert "History" in page
    assert "Edit" in page and "Delete" in page


def test_detail_for_a_contact_has_no_history_and_only_contact_editing(
    client, login_as, places
):
    login_as(Role.CONTACT, municipality_id=places["rijeka"])
    page = client.get(f"/municipalities/{places['rijeka']}").get_data(True)
    assert "History" not in page
    assert "Edit contact details" in page
    assert f"/municipalities/{places['rijeka']}/delete" not in page


def test_manager_sees_no_edit_buttons_and_cannot_edit(client, login_as, places):
    login_as(Role.MANAGER)
    page = client.get(f"/municipalities/{places['rijeka']}").get_data(True)
    assert "History" in page
    assert f"/municipalities/{places['rijeka']}/edit" not in page
    assert f"/municipalities/{places['rijeka']}/contact" not in page
    assert client.get(f"/municipalities/{places['rijeka']}/edit").status_code == 403
    response = client.post_form(f"/municipalities/{places['rijeka']}/contact")
    assert response.status_code == 403


def test_contact_gets_404_for_another_municipality(client, login_as, places):
    login_as(Role.CONTACT, municipality_id=places["rijeka"])
    belgrade = places["belgrade"]
    assert client.get(f"/municipalities/{belgrade}").status_code == 404
    assert client.get(f"/municipalities/{belgrade}/contact").status_code == 404
    response = client.post_form(
        f"/municipalities/{belgrade}/contact", {"phone": "+381 1"}
    )
    assert response.status_code == 404
    assert client.get(f"/api/v1/municipalities/{belgrade}").status_code == 404
    assert client.get("/municipalities/999999").status_code == 404


# Create, edit, delete -------------------------------------------------------


def test_coordinator_creates_a_municipality_with_one_audit_entry(
    client, login_as, app, make_country, audit_entries
):
    croatia = make_country("HR", "Croatia")
    login_as(Role.COORDINATOR)
    response = client.post_form(
        "/municipalities/new",
        {
            "name": "  Pula ",
            "country_id": str(croatia),
            "region": "Istria County",
            "population": "52220",
            "website": "https://www.pula.hr",
            "email": "grad@pula.example.org",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        pula = db.session.scalar(
            select(Municipality).where(Municipality.name == "Pula")
        )
        assert pula.population == 52_220
        assert pula.address == ""
    assert response.headers["Location"] == f"/municipalities/{pula.id}"
    entries = audit_entries("municipality")
    assert len(entries) == 1
    assert entries[0].action == "create"
    assert entries[0].entity_id == pula.id
    assert entries[0].changes["name"] == [None, "Pula"]
    assert entries[0].changes["population"] == [None, 52_220]


def test_edit_records_old_and_new_values_in_one_audit_entry(
    client, login_as, app, places, audit_entries
):
    rijeka = places["rijeka"]
    login_as(Role.ADMIN)
    form = client.get(f"/municipalities/{rijeka}/edit")
    assert form.status_code == 200
    current = municipality(app, rijeka)
    response = client.post_form(
        f"/municipalities/{rijeka}/edit",
        {
            "version_id": version_in(form.data),
            "name": "Rijeka",
            "country_id": str(current.country_id),
            "region": "Primorje-Gorski Kotar",
            "population": "107964",
            "notes": "Census 2021.",
        },
    )
    assert response.status_code == 302
    entries = audit_entries("municipality", rijeka)
    assert [entry.action for entry in entries] == ["create", "update"]
    assert entries[1].changes == {
        "population": [108_622, 107_964],
        "notes": ["", "Census 2021."],
    }


def test_same_name_is_refused_in_one_country_and_allowed_in_another(
    client, login_as, app, places, make_country
):
    albania = make_country("AL")
    login_as(Role.COORDINATOR)
    croatia = municipality(app, places["rijeka"]).country_id
    before = count(app, Municipality)
    response = client.post_form(
        "/municipalities/new", {"name": "rijeka", "country_id": str(croatia)}
    )
    assert response.status_code == 200
    assert "already has a municipality with this name" in response.get_data(True)
    assert count(app, Municipality) == before
    response = client.post_form(
        "/municipalities/new", {"name": "Rijeka", "country_id": str(albania)}
    )
    assert response.status_code == 302


def test_a_racing_duplicate_is_caught_by_the_database(
    client, login_as, app, places, monkeypatch
):
    """Two saves that both passed the form's check: the unique constraint wins."""
    from tracker.municipalities.forms import MunicipalityForm

    monkeypatch.setattr(MunicipalityForm, "validate_name", lambda form, field: None)
    login_as(Role.COORDINATOR)
    croatia = municipality(app, places["rijeka"]).country_id
    before = count(app, Municipality)
    # Confirmed past the duplicate question, as the racing save would be.
    response = client.post_form(
        "/municipalities/new",
        {"name": "Rijeka", "country_id": str(croatia), "confirm_duplicate": "y"},
    )
    assert response.status_code == 200
    assert "already has a municipality with this name" in response.get_data(True)
    assert 'value="Rijeka"' in response.get_data(True)
    assert count(app, Municipality) == before


def test_delete_leaves_one_audit_entry(
    client, login_as, app, make_municipality, audit_entries
):
    doomed = make_municipality("Tivat", "ME", population=14_000)
    login_as(Role.COORDINATOR)
    response = client.post_form(f"/municipalities/{doomed}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == "/municipalities/"
    assert municipality(app, doomed) is None
    entries = audit_entries("municipality", doomed)
    assert [entry.action for entry in entries] == ["create", "delete"]
    assert entries[1].changes["name"] == ["Tivat", None]
    assert "Tivat is deleted." in client.get("/municipalities/").get_data(True)


@pytest.mark.parametrize(
    ("kind", "described"),
    [
        ("person", "1 person"),
        ("user", "1 user account"),
        ("enrollment", "1 enrollment"),
        ("participation", "1 event participation"),
        ("testimonial", "1 testimonial"),
    ],
)
def test_delete_is_refused_while_records_refer_to_it(
    client,
    login_as,
    app,
    make_municipality,
    make_reference,
    audit_entries,
    kind,
    described,
):
    kept = make_municipality("Kotor", "ME")
    make_reference(kind, municipality_id=kept)
    login_as(Role.ADMIN)
    response = client.post_form(f"/municipalities/{kept}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/municipalities/{kept}"
    assert municipality(app, kept) is not None
    page = client.get(response.headers["Location"]).get_data(True)
    assert "Kotor cannot be deleted because other records depend on it" in page
    assert described in page
    assert [e.action for e in audit_entries("municipality", kept)] == ["create"]


def test_the_database_refuses_a_delete_the_check_missed(
    client, login_as, app, make_municipality, make_person, monkeypatch
):
    import tracker.municipalities.routes as routes

    kept = make_municipality("Bar", "ME")
    make_person(municipality_id=kept)
    monkeypatch.setattr(routes, "municipality_references", lambda municipality: [])
    login_as(Role.COORDINATOR)
    response = client.post_form(f"/municipalities/{kept}/delete")
    assert response.status_code == 302
    assert municipality(app, kept) is not None
    page = client.get(response.headers["Location"]).get_data(True)
    assert "Bar cannot be deleted: other records now depend on it." in page


# Bad input ------------------------------------------------------------------

LONG = "x" * 10_000
BAD_MUNICIPALITY_INPUT = [
    pytest.param(
        {"name": " ", "country_id": "", "population": ""},
        ["Enter the municipality&#39;s name.", "Choose a country."],
        id="empty",
    ),
    pytest.param(
        {"name": LONG, "region": LONG, "address": LONG, "notes": LONG, "phone": LONG},
        [
            "Field cannot be longer than 120 characters.",
            "Field cannot be longer than 255 characters.",
            "Field cannot be longer than 5000 characters.",
            "Field cannot be longer than 50 characters.",
        ],
        id="10000 characters",
    ),
    pytest.param(
        {"population": "many thousands"}, ["Not a valid integer value."], id="letters"
    ),
    pytest.param(
        {"population": "1" * 10_000}, ["Not a valid integer value."], id="huge"
    ),
    pytest.param({"population": "-5"}, ["Enter a whole number from 0"], id="negative"),
    pytest.param(
        {"country_id": "Croatia"}, ["Choose a country."], id="country letters"
    ),
    pytest.param(
        {"country_id": "999999"}, ["Not a valid choice"], id="no such country"
    ),
    pytest.param({"email": "not an e-mail"}, ["Enter an e-mail address"], id="e-mail"),
    pytest.param(
        {"website": "javascript:alert(1)"}, ["Enter a full web address"], id="website"
    ),
    pytest.param({"phone": "call me"}, ["Use digits, spaces"], id="phone"),
]


@pytest.mark.parametrize(("data", "messages"), BAD_MUNICIPALITY_INPUT)
def test_bad_input_to_new_municipality_is_refused_and_nothing_saved(
    client, login_as, app, places, audit_entries, data, messages
):
    login_as(Role.COORDINATOR)
    croatia = municipality(app, places["rijeka"]).country_id
    data = {"name": "Opatija", "country_id": str(croatia), **data}
    before = count(app, Municipality)
    entries_before = len(audit_entries("municipality"))
    response = client.post_form("/municipalities/new", data)
    assert response.status_code == 200
    page = response.get_data(True)
    for message in messages:
        assert message in page
    assert 'class="invalid-feedback d-block"' in page
    assert count(app, Municipality) == before
    assert len(audit_entries("municipality")) == entries_before


def test_empty_form_posts_nothing_but_errors(client, login_as, app, places):
    login_as(Role.COORDINATOR)
    before = count(app, Municipality)
    response = client.post_form("/municipalities/new", {})
    page = response.get_data(True)
    assert response.status_code == 200
    assert "Enter the municipality&#39;s name." in page
    assert "Choose a country." in page
    assert count(app, Municipality) == before


def test_script_text_is_shown_escaped(client, login_as, app, places):
    login_as(Role.COORDINATOR)
    croatia = municipality(app, places["rijeka"]).country_id
    script = "<script>alert('x')</script>"
    refused = client.post_form(
        "/municipalities/new",
        {"name": script, "country_id": str(croatia), "population": script},
    )
    assert refused.status_code == 200
    assert script not in refused.get_data(True)
    assert "&lt;script&gt;" in refused.get_data(True)
    saved = client.post_form(
        "/municipalities/new",
        {"name": script, "country_id": str(croatia), "notes": script},
    )
    assert saved.status_code == 302
    page = client.get(saved.headers["Location"]).get_data(True)
    assert script not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


# Contacts edit their contact details ------------------------------------------


def test_contact_changes_only_contact_details_whatever_they_post(
    client, login_as, app, places, audit_entries
):
    rijeka = places["rijeka"]
    login_as(Role.CONTACT, municipality_id=rijeka)
    before = municipality(app, rijeka)
    form = client.get(f"/municipalities/{rijeka}/contact")
    assert form.status_code == 200
    assert 'name="name"' not in form.get_data(True)
    response = client.post_form(
        f"/municipalities/{rijeka}/contact",
        {
            "version_id": version_in(form.data),
            "website": "https://www.rijeka.hr",
            "address": "Korzo 16, 51000 Rijeka",
            "email": "grad@rijeka.example.org",
            "phone": "+385 51 209 333",
            # None of these are the contact's to change.
            "name": "Rijeka (renamed)",
            "population": "1",
            "notes": "pwned",
            "country_id": str(before.country_id + 1),
            "municipality_id": str(places["belgrade"]),
            "role": "admin",
            "status": "approved",
        },
    )
    assert response.status_code == 302
    after = municipality(app, rijeka)
    assert (after.website, after.address, after.email, after.phone) == (
        "https://www.rijeka.hr",
        "Korzo 16, 51000 Rijeka",
        "grad@rijeka.example.org",
        "+385 51 209 333",
    )
    assert (after.name, after.population, after.notes, after.country_id) == (
        before.name,
        before.population,
        before.notes,
        before.country_id,
    )
    entries = audit_entries("municipality", rijeka)
    assert [entry.action for entry in entries] == ["create", "update"]
    assert set(entries[1].changes) == {"website", "address", "email", "phone"}
    # The contact's own account was not touched either.
    assert [e.action for e in audit_entries("user_account")] == ["create"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "nobody-at-example"}, "Enter an e-mail address"),
        ({"website": "www.rijeka.hr"}, "Enter a full web address"),
        ({"address": LONG}, "Field cannot be longer than 255 characters."),
        ({"phone": "<script>x</script>"}, "Use digits, spaces"),
    ],
)
def test_contact_form_refuses_bad_input(
    client, login_as, app, places, audit_entries, data, message
):
    rijeka = places["rijeka"]
    login_as(Role.CONTACT, municipality_id=rijeka)
    version = version_in(client.get(f"/municipalities/{rijeka}/contact").data)
    response = client.post_form(
        f"/municipalities/{rijeka}/contact", {"version_id": version, **data}
    )
    assert response.status_code == 200
    page = response.get_data(True)
    assert message in page
    assert "<script>x</script>" not in page
    assert [e.action for e in audit_entries("municipality", rijeka)] == ["create"]


# Optimistic locking -----------------------------------------------------------


@pytest.mark.parametrize("path", ["edit", "contact"])
def test_a_stale_edit_is_refused_and_the_first_save_kept(
    client, login_as, app, places, audit_entries, path
):
    rijeka = places["rijeka"]
    login_as(Role.COORDINATOR)
    url = f"/municipalities/{rijeka}/{path}"
    first_form = client.get(url)
    second_form = client.get(url)
    country_id = str(municipality(app, rijeka).country_id)
    base = {"name": "Rijeka", "country_id": country_id, "population": "108622"}
    first = client.post_form(
        url,
        {**base, "version_id": version_in(first_form.data), "phone": "+385 51 111"},
    )
    assert first.status_code == 302
    second = client.post_form(
        url,
        {**base, "version_id": version_in(second_form.data), "phone": "+385 51 222"},
    )
    assert second.status_code == 409
    page = second.get_data(True)
    assert STALE_MESSAGE in page
    assert 'value="+385 51 222"' in page  # the user's input is kept
    assert municipality(app, rijeka).phone == "+385 51 111"
    updates = [e for e in audit_entries("municipality", rijeka) if e.action == "update"]
    assert len(updates) == 1
    assert updates[0].changes["phone"] == ["", "+385 51 111"]


def test_a_write_conflict_sqlite_reports_as_locked_is_a_stale_edit(
    client, login_as, app, places, monkeypatch
):
    """SQLite (WAL) refuses the loser of a true race with "database is locked"
    before the version check can run; the user sees the stale message."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    def locked(session):
        raise OperationalError(
            "UPDATE municipality", {}, sqlite3.OperationalError("database is locked")
        )

    rijeka = places["rijeka"]
    login_as(Role.COORDINATOR)
    url = f"/municipalities/{rijeka}/contact"
    version = version_in(client.get(url).data)
    # The database refuses the commit itself, as SQLite does to a race's loser.
    event.listen(Session, "before_commit", locked)
    try:
        response = client.post_form(url, {"version_id": version, "phone": "+385 1"})
    finally:
        event.remove(Session, "before_commit", locked)
    assert response.status_code == 409
    assert STALE_MESSAGE in response.get_data(True)
    assert municipality(app, rijeka).phone == ""


# Countries ------------------------------------------------------------------


def test_countries_list_shows_counts_for_staff(client, login_as, places):
    login_as(Role.MANAGER)
    page = client.get("/municipalities/countries/").get_data(True)
    assert "<code>HR</code>" in page and "<code>AL</code>" in page
    assert "New country" not in page


def test_coordinator_creates_kosovo_with_an_uppercased_code(
    client, login_as, app, audit_entries
):
    login_as(Role.COORDINATOR)
    response = client.post_form(
        "/municipalities/countries/new",
        {"code": " xk ", "name": "Kosovo", "is_program_country": "y"},
    )
    assert response.status_code == 302
    with app.app_context():
        kosovo = db.session.scalar(select(Country).where(Country.code == "XK"))
        assert kosovo.name == "Kosovo" and kosovo.is_program_country
    entries = audit_entries("country", kosovo.id)
    assert [e.action for e in entries] == ["create"]
    assert entries[0].changes["code"] == [None, "XK"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter the two-letter ISO 3166-1 code."),
        ({"code": "ZZ", "name": "Nowhere"}, "not an ISO 3166-1 alpha-2"),
        ({"code": "HRV", "name": "Croatia"}, "exactly two letters"),
        ({"code": "12", "name": "Numbers"}, "not an ISO 3166-1 alpha-2"),
        ({"code": "HR", "name": "Hrvatska"}, "Another country already has this code."),
        ({"code": "SI", "name": "croatia"}, "Another country already has this name."),
        ({"code": "SI", "name": LONG}, "Field cannot be longer than 100 characters."),
        (
            {"code": "<s", "name": "<script>x</script>"},
            "&lt;script&gt;x&lt;/script&gt;",
        ),
    ],
)
def test_bad_country_input_is_refused(
    client, login_as, app, make_country, data, message
):
    make_country("HR", "Croatia")
    login_as(Role.COORDINATOR)
    before = count(app, Country)
    response = client.post_form("/municipalities/countries/new", data)
    assert response.status_code == 200
    assert message in response.get_data(True)
    assert "<script>x</script>" not in response.get_data(True)
    assert count(app, Country) == before


def test_country_edit_is_audited_and_stale_edits_refused(
    client, login_as, app, make_country, audit_entries
):
    country = make_country("MK", "Macedonia")
    login_as(Role.ADMIN)
    url = f"/municipalities/countries/{country}/edit"
    first_form, second_form = client.get(url), client.get(url)
    first = client.post_form(
        url,
        {
            "version_id": version_in(first_form.data),
            "code": "MK",
            "name": "North Macedonia",
            "is_program_country": "y",
        },
    )
    assert first.status_code == 302
    second = client.post_form(
        url,
        {"version_id": version_in(second_form.data), "code": "MK", "name": "FYROM"},
    )
    assert second.status_code == 409
    with app.app_context():
        assert db.session.get(Country, country).name == "North Macedonia"
    updates = [e for e in audit_entries("country", country) if e.action == "update"]
    assert len(updates) == 1
    assert updates[0].changes["name"] == ["Macedonia", "North Macedonia"]


def test_country_delete_is_refused_while_municipalities_use_it(
    client, login_as, app, places, make_country, audit_entries
):
    login_as(Role.COORDINATOR)
    croatia = municipality(app, places["rijeka"]).country_id
    response = client.post_form(f"/municipalities/countries/{croatia}/delete")
    assert response.status_code == 302
    page = client.get("/municipalities/countries/").get_data(True)
    assert "cannot be deleted because other records depend on it: 2 municipalities" in (
        page
    )
    empty = make_country("SI", "Slovenia")
    response = client.post_form(f"/municipalities/countries/{empty}/delete")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Country, empty) is None
    assert [e.action for e in audit_entries("country", empty)] == ["create", "delete"]


# Query counts -----------------------------------------------------------------


def _queries_for(client, db_connection, url: str) -> int:
    statements: list[str] = []

    def count_statement(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db_connection, "before_cursor_execute", count_statement)
    try:
        response = client.get(url)
    finally:
        event.remove(db_connection, "before_cursor_execute", count_statement)
    assert response.status_code == 200
    return len(statements)


def _grow(app, municipality_id: int, start: int, stop: int) -> None:
    """Give a municipality people, enrollments, events and testimonials."""
    with app.app_context():
        event_ = Event(
            title=f"Study week {start}",
            kind=EventKind.STUDY_WEEK,
            starts_on=date(2017, 9, 4),
            ends_on=date(2017, 9, 8),
        )
        for number in range(start, stop):
            person = Person(
                full_name=f"Person {number}", municipality_id=municipality_id
            )
            program = Program(code=f"P{number}", name=f"Program {number}")
            stage = Stage(
                program=program,
                code="ready",
                name="Ready",
                position=1,
                kind=StageKind.WORKING,
            )
            db.session.add_all(
                [
                    person,
                    Enrollment(
                        municipality_id=municipality_id,
                        program=program,
                        current_stage=stage,
                    ),
                    Participation(
                        person=person,
                        event=event_,
                        municipality_id=municipality_id,
                        role=ParticipationRole.DELEGATE,
                        attendance=Attendance.ATTENDED,
                    ),
                    models.Testimonial(
                        quote=f"Quote {number}",
                        author_name=f"Author {number}",
                        municipality_id=municipality_id,
                        has_consent=True,
                        status=TestimonialStatus.APPROVED,
                        submitted_at=models.utcnow(),
                        reviewed_at=models.utcnow(),
                    ),
                ]
            )
        db.session.commit()


@pytest.mark.usefixtures("pages_rendered_afresh")
def test_list_and_detail_query_counts_do_not_grow_with_rows(
    client, login_as, app, make_municipality, db_connection, record_figure
):
    home = make_municipality("Rijeka", "HR", population=108_622)
    login_as(Role.COORDINATOR)
    for number in range(4):
        make_municipality(f"Town {number}", ("HR", "RS", "AL", "ME")[number % 4])
    _grow(app, home, 0, 5)
    list_small = _queries_for(client, db_connection, "/municipalities/?per_page=100")
    detail_small = _queries_for(client, db_connection, f"/municipalities/{home}")
    for number in range(4, 49):
        make_municipality(f"Town {number}", ("HR", "RS", "AL", "ME", "XK")[number % 5])
    _grow(app, home, 5, 50)
    list_large = _queries_for(client, db_connection, "/municipalities/?per_page=100")
    detail_large = _queries_for(client, db_connection, f"/municipalities/{home}")
    record_figure(
        "municipality list queries (5 / 50 rows)", f"{list_small} / {list_large}"
    )
    record_figure(
        "municipality detail queries (5 / 50 related rows)",
        f"{detail_small} / {detail_large}",
    )
    assert list_small == list_large
    assert detail_small == detail_large


# API ------------------------------------------------------------------------


def _validate(payload, schema) -> None:
    schemas = {**SHARED_SCHEMAS, **OPENAPI_SCHEMAS}
    document = {"components": {"schemas": schemas}, **schema}
    jsonschema.Draft202012Validator(document).validate(payload)


def _response_schema(path: str) -> dict:
    return OPENAPI_PATHS[path]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]


def test_api_lists_filters_and_pages_municipalities(client, login_as, places):
    login_as(Role.MANAGER)
    response = client.get("/api/v1/municipalities?country=rs&sort=-population")
    assert response.status_code == 200
    payload = response.get_json()
    _validate(payload, _response_schema("/api/v1/municipalities"))
    assert [item["name"] for item in payload["items"]] == ["Belgrade", "Šabac"]
    assert payload["items"][0]["size_class"] == "metropolitan"
    assert payload["items"][0]["country"] == {"code": "RS", "name": "Country RS"}
    assert payload["total"] == 2
    small = client.get("/api/v1/municipalities?size=small").get_json()
    assert [item["name"] for item in small["items"]] == ["Križevci"]
    searched = client.get("/api/v1/municipalities?q=county").get_json()
    assert [item["name"] for item in searched["items"]] == ["Shkodër"]
    paged = client.get("/api/v1/municipalities?per_page=2&page=3").get_json()
    assert (paged["total"], paged["page"], paged["per_page"]) == (5, 3, 2)
    assert len(paged["items"]) == 1


@pytest.mark.parametrize(
    "query",
    [
        "size=huge",
        "country=HRV",
        "country=1",
        "per_page=101",
        "page=0",
        "sort=region",
        "q=" + "x" * 101,
    ],
)
def test_api_refuses_malformed_parameters(client, login_as, places, query):
    login_as(Role.MANAGER)
    response = client.get(f"/api/v1/municipalities?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_api_municipality_detail_matches_the_schema(client, login_as, places):
    login_as(Role.CONTACT, municipality_id=places["rijeka"])
    listed = client.get("/api/v1/municipalities").get_json()
    assert [item["name"] for item in listed["items"]] == ["Rijeka"]
    payload = client.get(f"/api/v1/municipalities/{places['rijeka']}").get_json()
    _validate(payload, _response_schema("/api/v1/municipalities/{municipality_id}"))
    assert payload["population"] == 108_622
    hidden = client.get(f"/api/v1/municipalities/{places['belgrade']}")
    assert hidden.status_code == 404
    assert hidden.get_json()["error"]["code"] == "not_found"


def test_api_needs_a_signed_in_caller(client, places):
    response = client.get("/api/v1/municipalities")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_api_lists_countries_for_staff_only(client, login_as, places):
    login_as(Role.COORDINATOR)
    payload = client.get("/api/v1/countries").get_json()
    _validate(payload, _response_schema("/api/v1/countries"))
    assert [item["code"] for item in payload["items"]] == ["AL", "HR", "RS"]
    client.post_form("/auth/logout")
    login_as(Role.CONTACT, municipality_id=places["rijeka"])
    assert client.get("/api/v1/countries").status_code == 403


def test_openapi_fragments_are_well_formed():
    assert set(OPENAPI_PATHS) == {
        "/api/v1/municipalities",
        "/api/v1/municipalities/{municipality_id}",
        "/api/v1/countries",
    }
    for schema in OPENAPI_SCHEMAS.values():
        jsonschema.Draft202012Validator.check_schema(schema)
    refs = re.findall(r"#/components/schemas/(\w+)", repr(OPENAPI_PATHS))
    assert set(refs) <= set(OPENAPI_SCHEMAS) | set(SHARED_SCHEMAS)
