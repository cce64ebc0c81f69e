"""People: list, detail, edits, contact scope, the API."""

from __future__ import annotations

import re

import jsonschema
import pytest
from sqlalchemy import func, select

from tracker.api.schemas import SHARED_SCHEMAS
from tracker.extensions import db
from tracker.forms import STALE_MESSAGE
from tracker.models import Person, Role
from tracker.people.api import OPENAPI_PATHS, OPENAPI_SCHEMAS


def version_in(html: bytes) -> str:
    match = re.search(rb'name="version_id" type="hidden" value="(\d*)"', html)
    assert match, "no version_id field on the page"
    return match.group(1).decode()


def person(app, person_id: int) -> Person | None:
    with app.app_context():
        return db.session.get(Person, person_id)


def people_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Person.id)))


def names_listed(response) -> list[str]:
    table = response.get_data(True).partition("<tbody>")[2].partition("</tbody>")[0]
    return re.findall(r'/people/\d+">([^<]+)</a>', table)


@pytest.fixture
def towns(make_municipality):
    return {
        "rijeka": make_municipality("Rijeka", "HR"),
        "krizevci": make_municipality("Križevci", "HR"),
        "belgrade": make_municipality("Belgrade", "RS"),
    }


@pytest.fixture
def staff(make_person, towns):
    """Four people: three for municipalities, one outside speaker."""
    return {
        "ivana": make_person(
            "Ivana Horvat",
            municipality_id=towns["rijeka"],
            position="Smart City Coordinator",
            email="ivana@rijeka.example.org",
        ),
        "marija": make_person(
            "Marija Novak",
            municipality_id=towns["krizevci"],
            position="City Manager",
        ),
        "nikola": make_person(
            "Nikola Jovanović",
            municipality_id=towns["belgrade"],
            position="Adviser to the Mayor",
            email="nikola@beograd.example.org",
        ),
        "sara": make_person(
            "Sara Lindner",
            organisation="World Bank",
            position="Urban Specialist",
            email="sara@worldbank.example.org",
        ),
    }


# Lists ----------------------------------------------------------------------


def test_people_list_searches_name_position_and_email(client, login_as, staff):
    login_as(Role.MANAGER)
    assert names_listed(client.get("/people/?q=horvat")) == ["Ivana Horvat"]
    assert names_listed(client.get("/people/?q=city")) == [
        "Ivana Horvat",
        "Marija Novak",
    ]
    assert names_listed(client.get("/people/?q=worldbank.example")) == ["Sara Lindner"]


def test_people_list_filters_by_municipality_and_country(
    client, login_as, staff, towns
):
    login_as(Role.COORDINATOR)
    assert names_listed(client.get(f"/people/?municipality={towns['krizevci']}")) == [
        "Marija Novak"
    ]
    assert names_listed(client.get("/people/?country=HR")) == [
        "Ivana Horvat",
        "Marija Novak",
    ]
    assert len(names_listed(client.get("/people/?municipality=abc&country=?"))) == 4


def test_people_list_sorts_and_paginates(client, login_as, staff):
    login_as(Role.MANAGER)
    by_place = names_listed(client.get("/people/?sort=municipality"))
    # Belgrade, Križevci, Rijeka, then "World Bank" (an organisation).
    assert by_place == [
        "Nikola Jovanović",
        "Marija Novak",
        "Ivana Horvat",
        "Sara Lindner",
    ]
    assert names_listed(client.get("/people/?sort=-name&per_page=2&page=2")) == [
        "Marija Novak",
        "Ivana Horvat",
    ]


def test_contact_sees_only_their_municipalitys_people(client, login_as, staff, towns):
    login_as(Role.CONTACT, municipality_id=towns["rijeka"])
    response = client.get("/people/")
    assert names_listed(response) == ["Ivana Horvat"]
    assert 'name="municipality"' not in response.get_data(True)
    assert "New person" not in response.get_data(True)
    assert client.get(f"/people/{staff['ivana']}").status_code == 200
    for other in ("marija", "nikola", "sara"):
        assert client.get(f"/people/{staff[other]}").status_code == 404
        assert client.get(f"/api/v1/people/{staff[other]}").status_code == 404
    assert client.get(f"/people/{staff['ivana']}/edit").status_code == 403
    response = client.post_form(
        f"/people/{staff['ivana']}/edit", {"full_name": "Changed"}
    )
    assert response.status_code == 403
    assert client.post_form(f"/people/{staff['ivana']}/delete").status_code == 403
    assert person(client.application, staff["ivana"]).full_name == "Ivana Horvat"


# Detail ---------------------------------------------------------------------


def test_person_detail_shows_events_and_history_for_staff(
    client, login_as, staff, make_reference, towns
):
    make_reference(
        "participation", municipality_id=towns["rijeka"], person_id=staff["ivana"]
    )
    login_as(Role.COORDINATOR)
    page = client.get(f"/people/{staff['ivana']}").get_data(True)
    assert page.count("<h1") == 1
    assert "Smart City Coordinator" in page
    assert "ivana@rijeka.example.org" in page
    assert f'href="/municipalities/{towns["rijeka"]}"' in page
    assert "Smart city projects" in page
    assert "History" in page


def test_contact_sees_their_colleague_without_history(client, login_as, staff, towns):
    login_as(Role.CONTACT, municipality_id=towns["rijeka"])
    page = client.get(f"/people/{staff['ivana']}").get_data(True)
    assert "Ivana Horvat" in page
    assert "History" not in page
    assert f"/people/{staff['ivana']}/edit" not in page


# Create, edit, delete -------------------------------------------------------


def test_create_person_prefills_municipality_and_stores_no_email_as_null(
    client, login_as, app, towns, audit_entries
):
    login_as(Role.COORDINATOR)
    form = client.get(f"/people/new?municipality_id={towns['rijeka']}")
    assert f'<option selected value="{towns["rijeka"]}">' in form.get_data(True)
    for name in ("Luka Perić", "Ana Radović"):
        response = client.post_form(
            "/people/new",
            {"full_name": name, "municipality_id": str(towns["rijeka"]), "email": " "},
        )
        assert response.status_code == 302
    with app.app_context():
        emails = db.session.scalars(select(Person.email)).all()
    assert emails == [None, None]
    entries = audit_entries("person")
    assert [entry.action for entry in entries] == ["create", "create"]
    assert entries[0].changes["full_name"] == [None, "Luka Perić"]
    assert "email" not in entries[0].changes


def test_email_must_be_unique_whatever_its_case(client, login_as, app, staff):
    login_as(Role.COORDINATOR)
    before = people_count(app)
    response = client.post_form(
        "/people/new", {"full_name": "Someone", "email": "IVANA@rijeka.example.org"}
    )
    assert response.status_code == 200
    assert "Another person already has this e-mail address." in response.get_data(True)
    assert people_count(app) == before


def test_a_racing_duplicate_email_is_caught_by_the_database(
    client, login_as, app, staff, monkeypatch
):
    from tracker.people.forms import PersonForm

    monkeypatch.setattr(PersonForm, "validate_email", lambda form, field: None)
    login_as(Role.ADMIN)
    before = people_count(app)
    response = client.post_form(
        "/people/new", {"full_name": "Someone", "email": "ivana@rijeka.example.org"}
    )
    assert response.status_code == 200
    assert "Another person already has this e-mail address." in response.get_data(True)
    assert people_count(app) == before


def test_edit_person_is_audited_with_old_and_new_values(
    client, login_as, app, staff, towns, audit_entries
):
    login_as(Role.COORDINATOR)
    url = f"/people/{staff['marija']}/edit"
    version = version_in(client.get(url).data)
    response = client.post_form(
        url,
        {
            "version_id": version,
            "full_name": "Marija Novak",
            "position": "Mayor",
            "municipality_id": str(towns["krizevci"]),
            "email": "Marija@Krizevci.example.org",
        },
    )
    assert response.status_code == 302
    updates = [
        entry
        for entry in audit_entries("person", staff["marija"])
        if entry.action == "update"
    ]
    assert len(updates) == 1
    assert updates[0].changes == {
        "position": ["City Manager", "Mayor"],
        "email": [None, "marija@krizevci.example.org"],
    }


def test_a_stale_person_edit_is_refused(client, login_as, app, staff, audit_entries):
    login_as(Role.COORDINATOR)
    url = f"/people/{staff['sara']}/edit"
    first_form, second_form = client.get(url), client.get(url)
    first = client.post_form(
        url,
        {
            "version_id": version_in(first_form.data),
            "full_name": "Sara Lindner",
            "organisation": "World Bank Group",
        },
    )
    assert first.status_code == 302
    second = client.post_form(
        url,
        {
            "version_id": version_in(second_form.data),
            "full_name": "Sara Lindner",
            "organisation": "IBRD",
        },
    )
    assert second.status_code == 409
    assert STALE_MESSAGE in second.get_data(True)
    assert 'value="IBRD"' in second.get_data(True)
    assert person(app, staff["sara"]).organisation == "World Bank Group"
    updates = [
        e for e in audit_entries("person", staff["sara"]) if e.action == "update"
    ]
    assert len(updates) == 1


def test_delete_person_leaves_one_audit_entry(
    client, login_as, app, staff, audit_entries
):
    login_as(Role.ADMIN)
    response = client.post_form(f"/people/{staff['marija']}/delete")
    assert response.status_code == 302
    assert person(app, staff["marija"]) is None
    entries = audit_entries("person", staff["marija"])
    assert [entry.action for entry in entries] == ["create", "delete"]
    assert entries[1].changes["full_name"] == ["Marija Novak", None]


@pytest.mark.parametrize(
    ("kind", "described"),
    [("participation", "1 event participation"), ("testimonial", "1 testimonial")],
)
def test_delete_person_is_refused_while_records_refer_to_them(
    client, login_as, app, staff, towns, make_reference, kind, described
):
    make_reference(kind, municipality_id=towns["rijeka"], person_id=staff["ivana"])
    login_as(Role.COORDINATOR)
    response = client.post_form(f"/people/{staff['ivana']}/delete")
    assert response.status_code == 302
    assert person(app, staff["ivana"]) is not None
    page = client.get(response.headers["Location"]).get_data(True)
    assert "Ivana Horvat cannot be deleted because other records depend on it" in page
    assert described in page


LONG = "y" * 10_000


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        pytest.param({"full_name": "  "}, ["Enter the person&#39;s name."], id="empty"),
        pytest.param(
            {"full_name": LONG, "position": LONG, "organisation": LONG, "email": LONG},
            ["Field cannot be longer than 200 characters.", "longer than 254"],
            id="10000 characters",
        ),
        pytest.param(
            {"municipality_id": "Rijeka"},
            ["Invalid Choice: could not coerce."],
            id="letters for a number",
        ),
        pytest.param(
            {"municipality_id": "999999"}, ["Not a valid choice."], id="no such place"
        ),
        pytest.param(
            {"email": "ivana(at)rijeka"}, ["Enter an e-mail address"], id="e-mail"
        ),
        pytest.param(
            {"position": "<script>alert(1)</script>", "phone": "<b>"},
            ["&lt;script&gt;alert(1)&lt;/script&gt;", "Use digits, spaces"],
            id="script",
        ),
    ],
)
def test_bad_person_input_is_refused_and_nothing_saved(
    client, login_as, app, staff, audit_entries, data, messages
):
    login_as(Role.COORDINATOR)
    url = f"/people/{staff['ivana']}/edit"
    version = version_in(client.get(url).data)
    before = len(audit_entries("person"))
    response = client.post_form(
        url, {"version_id": version, "full_name": "Ivana Horvat", **data}
    )
    assert response.status_code == 200
    page = response.get_data(True)
    for message in messages:
        assert message in page
    assert "<script>alert(1)</script>" not in page
    assert person(app, staff["ivana"]).position == "Smart City Coordinator"
    assert len(audit_entries("person")) == before
    # The same input to the create form saves nothing either.
    count = people_count(app)
    response = client.post_form("/people/new", {"full_name": "Ivana Horvat", **data})
    assert response.status_code == 200
    assert people_count(app) == count


# API ------------------------------------------------------------------------


def _validate(payload, path: str) -> None:
    schema = OPENAPI_PATHS[path]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    schemas = {**SHARED_SCHEMAS, **OPENAPI_SCHEMAS}
    document = {"components": {"schemas": schemas}, **schema}
    jsonschema.Draft202012Validator(document).validate(payload)


def test_api_lists_people_with_filters(client, login_as, staff, towns):
    login_as(Role.COORDINATOR)
    payload = client.get("/api/v1/people?country=hr").get_json()
    _validate(payload, "/api/v1/people")
    assert [item["full_name"] for item in payload["items"]] == [
        "Ivana Horvat",
        "Marija Novak",
    ]
    assert payload["items"][0]["municipality"] == {
        "id": towns["rijeka"],
        "name": "Rijeka",
    }
    outside = client.get(f"/api/v1/people/{staff['sara']}").get_json()
    _validate(outside, "/api/v1/people/{person_id}")
    assert outside["municipality"] is None
    assert client.get("/api/v1/people?municipality=abc").status_code == 400
    by_place = client.get(f"/api/v1/people?municipality={towns['belgrade']}")
    assert by_place.get_json()["total"] == 1


def test_api_people_for_a_contact_are_their_municipalitys(
    client, login_as, staff, towns
):
    login_as(Role.CONTACT, municipality_id=towns["belgrade"])
    payload = client.get("/api/v1/people").get_json()
    assert [item["full_name"] for item in payload["items"]] == ["Nikola Jovanović"]
    other = client.get(f"/api/v1/people?municipality={towns['rijeka']}").get_json()
    assert other["items"] == [] and other["total"] == 0


def test_openapi_fragments_are_well_formed():
    assert set(OPENAPI_PATHS) == {"/api/v1/people", "/api/v1/people/{person_id}"}
    for schema in OPENAPI_SCHEMAS.values():
        jsonschema.Draft202012Validator.check_schema(schema)
    refs = re.findall(r"#/components/schemas/(\w+)", repr(OPENAPI_PATHS))
    assert set(refs) <= set(OPENAPI_SCHEMAS) | set(SHARED_SCHEMAS)
