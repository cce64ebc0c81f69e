"""The events API: same filters as the list, same access rules as the pages,
answers that match the OpenAPI fragments."""

from __future__ import annotations

from datetime import date

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from tests.fixtures.events import in_days
from tracker.api.schemas import SHARED_PARAMETERS, SHARED_SCHEMAS
from tracker.events.api import OPENAPI_PATHS, OPENAPI_SCHEMAS
from tracker.extensions import db
from tracker.models import ApiToken, Attendance, Role, User


@pytest.fixture
def data(make_municipality, make_person, make_event, make_session, make_participation):
    rijeka = make_municipality("Rijeka", country="HR")
    belgrade = make_municipality("Belgrade", country="RS")
    ivana = make_person(
        "Ivana Horvat",
        municipality_id=rijeka,
        email="ivana@rijeka.example.org",
        phone="+385 1",
    )
    jelena = make_person(
        "Jelena Marković", municipality_id=belgrade, email="jelena@beograd.example.org"
    )
    speaker = make_person("Outside Speaker", organisation="World Bank (demo)")
    public = make_event(
        "Seoul summit",
        kind="summit",
        starts_on=date(2017, 9, 4),
        ends_on=date(2017, 9, 8),
        is_public=True,
        city="Seoul",
    )
    make_session(public, "Keynote", held_on=date(2017, 9, 4), position=1)
    make_session(public, "Opening", held_on=date(2017, 9, 4), position=0)
    make_session(public, "MoU signing", held_on=date(2017, 9, 8))
    private = make_event("Internal workshop", starts_on=date(2016, 5, 1))
    upcoming = make_event("Next training", kind="training", starts_on=in_days(40))
    make_participation(public, ivana, attendance=Attendance.ATTENDED)
    make_participation(public, jelena, attendance=Attendance.ATTENDED)
    make_participation(public, speaker, attendance=Attendance.ABSENT)
    make_participation(private, ivana, attendance=Attendance.ATTENDED)
    return {
        "rijeka": rijeka,
        "ivana": ivana,
        "jelena": jelena,
        "public": public,
        "private": private,
        "upcoming": upcoming,
    }


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.get_json()
    return {item["id"] for item in response.get_json()["items"]}


def _validator(schema_name: str) -> Draft202012Validator:
    """A validator for one of our schemas, its $refs resolved among the others."""
    registry = Registry().with_resource(
        "urn:events",
        Resource.from_contents(
            {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "components": {"schemas": OPENAPI_SCHEMAS},
            }
        ),
    )
    return Draft202012Validator(
        {"$ref": f"urn:events#/components/schemas/{schema_name}"}, registry=registry
    )


def test_anonymous_callers_get_public_events_only(client, data):
    assert _ids(client.get("/api/v1/events")) == {data["public"]}
    assert client.get(f"/api/v1/events/{data['private']}").status_code == 404
    answer = client.get(f"/api/v1/events/{data['upcoming']}/participants")
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "not_found"


def test_event_detail_lists_sessions_in_agenda_order(client, data):
    answer = client.get(f"/api/v1/events/{data['public']}").get_json()
    assert [item["title"] for item in answer["sessions"]] == [
        "Opening",
        "Keynote",
        "MoU signing",
    ]
    _validator("EventDetail").validate(answer)


def test_anonymous_participants_have_no_contact_details(client, data, make_consent):
    url = f"/api/v1/events/{data['public']}/participants"
    answer = client.get(url).get_json()
    assert answer["total"] == 2  # the absent speaker is not listed publicly
    # Nobody consented to be named: counted, with their country only.
    assert [item["person"] for item in answer["items"]] == [None, None]
    assert sorted(item["country"] for item in answer["items"]) == ["HR", "RS"]
    for item in answer["items"]:
        _validator("EventParticipant").validate(item)
    make_consent(data["ivana"])
    make_consent(data["jelena"])
    answer = client.get(url).get_json()
    for item in answer["items"]:
        assert "email" not in item and "phone" not in item
        _validator("EventParticipant").validate(item)
    assert {item["municipality"]["name"] for item in answer["items"]} == {
        "Rijeka",
        "Belgrade",
    }


def test_staff_get_everything_with_contact_details(client, login_as, data):
    login_as(Role.MANAGER)
    assert _ids(client.get("/api/v1/events")) == {
        data["public"],
        data["private"],
        data["upcoming"],
    }
    answer = client.get(
        f"/api/v1/events/{data['public']}/participants?per_page=2&page=2"
    ).get_json()
    assert (answer["total"], answer["page"], answer["per_page"]) == (3, 2, 2)
    assert len(answer["items"]) == 1
    assert answer["items"][0]["person"]["full_name"] == "Outside Speaker"
    assert answer["items"][0]["municipality"] is None
    assert "email" in answer["items"][0]
    _validator("EventParticipant").validate(answer["items"][0])


def test_bearer_token_of_a_contact_follows_the_contact_rules(
    client, make_user, data, app
):
    user_id = make_user(role=Role.CONTACT, municipality_id=data["rijeka"])
    with app.app_context():
        token, secret = ApiToken.issue(db.session.get(User, user_id), "test")
        db.session.add(token)
        db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    # Rijeka took part in the private event; the upcoming one is open to proposals.
    assert _ids(client.get("/api/v1/events", headers=headers)) == {
        data["public"],
        data["private"],
        data["upcoming"],
    }
    items = client.get(
        f"/api/v1/events/{data['public']}/participants", headers=headers
    ).get_json()["items"]
    emails = {item["person"]["full_name"]: item.get("email") for item in items}
    assert emails == {
        "Ivana Horvat": "ivana@rijeka.example.org",
        "Jelena Marković": None,
    }


def test_list_filters_match_the_html_list(client, login_as, data):
    login_as(Role.COORDINATOR)
    for query, expected in (
        ("kind=summit", {data["public"]}),
        ("year=2016", {data["private"]}),
        ("when=upcoming", {data["upcoming"]}),
        ("when=past&sort=title", {data["public"], data["private"]}),
        ("q=SEOUL", {data["public"]}),
        ("program=ILTP", set()),
        ("country=KR", set()),
    ):
        assert _ids(client.get("/api/v1/events?" + query)) == expected, query
        page = client.get("/events/?" + query).get_data(as_text=True)
        for event_id in (data["public"], data["private"], data["upcoming"]):
            shown = f'href="/events/{event_id}"' in page
            assert shown == (event_id in expected), (query, event_id)


@pytest.mark.parametrize(
    "query",
    [
        "kind=party",
        "year=twenty",
        "when=soon",
        "sort=-secret",
        "per_page=101",
        "page=0",
    ],
)
def test_bad_parameters_are_a_400_error_object(client, data, query):
    answer = client.get("/api/v1/events?" + query)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "bad_request"


def test_list_items_match_the_schema(client, data):
    answer = client.get("/api/v1/events").get_json()
    # Anonymous: the public event only, so the loop below checks a real item.
    assert {item["id"] for item in answer["items"]} == {data["public"]}
    for item in answer["items"]:
        _validator("EventSummary").validate(item)


def test_openapi_fragments_are_well_formed():
    refs = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    refs.append(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(OPENAPI_PATHS)
    walk(OPENAPI_SCHEMAS)
    assert set(OPENAPI_PATHS) == {
        "/events",
        "/events/{event_id}",
        "/events/{event_id}/participants",
    }
    components = {
        "schemas": {**SHARED_SCHEMAS, **OPENAPI_SCHEMAS},
        "parameters": SHARED_PARAMETERS,
    }
    for ref in refs:
        section, name = ref.removeprefix("#/components/").split("/")
        assert name in components[section]
    for schema in OPENAPI_SCHEMAS.values():
        Draft202012Validator.check_schema(schema)
    for path in OPENAPI_PATHS.values():
        assert "200" in path["get"]["responses"]
