"""The programs and enrollments API: filters, paging, access, OpenAPI fragments."""

from __future__ import annotations

import re
from datetime import date

import pytest
from jsonschema import Draft202012Validator

from tracker.api.schemas import SHARED_SCHEMAS
from tracker.enrollments import api as enrollments_api
from tracker.extensions import db
from tracker.models import ApiToken, Role, User
from tracker.programs import api as programs_api

OPENAPI_PATHS = {**programs_api.OPENAPI_PATHS, **enrollments_api.OPENAPI_PATHS}
OPENAPI_SCHEMAS = {**programs_api.OPENAPI_SCHEMAS, **enrollments_api.OPENAPI_SCHEMAS}


def validator(name: str) -> Draft202012Validator:
    """Validate against one of these modules' schemas, refs resolved among them."""
    return Draft202012Validator(
        {
            "$ref": f"#/components/schemas/{name}",
            "components": {"schemas": {**SHARED_SCHEMAS, **OPENAPI_SCHEMAS}},
        }
    )


def names(body) -> set[str]:
    return {item["municipality"]["name"] for item in body["items"]}


def test_anonymous_gets_401_json(client, acp):
    for url in ("/api/v1/programs", "/api/v1/enrollments", "/api/v1/programs/ACP"):
        response = client.get(url)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"


def test_programs_list_and_detail(client, login_as, acp):
    login_as(Role.MANAGER)
    body = client.get("/api/v1/programs").get_json()
    validator("ProgramPage").validate(body)
    assert body["total"] == 1 and body["page"] == 1
    program = body["items"][0]
    assert program["code"] == "ACP"
    assert program["figures"] == {
        "enrolled": 3,
        "at_first_stage": 1,
        "taking_part": 2,
        "completed": 0,
        "withdrawn": 0,
        "countries": 3,
    }
    assert [s["code"] for s in program["stages"]][:2] == ["ready_to_join", "diagnosis"]
    detail = client.get("/api/v1/programs/acp")
    assert detail.status_code == 200
    validator("Program").validate(detail.get_json())
    missing = client.get("/api/v1/programs/NOPE")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", {"Kuçovë", "Rijeka", "Belgrade"}),
        ("?program=ACP", {"Kuçovë", "Rijeka", "Belgrade"}),
        ("?program=ACP&stage=diagnosis", {"Belgrade"}),
        ("?country=AL", {"Kuçovë"}),
        ("?cohort={cohort}", {"Kuçovë"}),
        ("?year=2012", {"Kuçovë"}),
        ("?q=rij", {"Rijeka"}),
        ("?program=MFSA", set()),
    ],
)
def test_enrollment_filters_match_the_html_list(client, login_as, acp, query, expected):
    login_as(Role.COORDINATOR)
    query = query.format(cohort=acp.cohort)
    body = client.get("/api/v1/enrollments" + query).get_json()
    validator("EnrollmentPage").validate(body)
    assert names(body) == expected
    assert body["total"] == len(expected)
    html = client.get("/enrollments/" + query).get_data(as_text=True)
    listed = set(re.findall(r'href="/enrollments/\d+">([^<]+)</a>', html))
    assert listed == expected


def test_enrollment_list_pages_and_sorts(client, login_as, acp):
    login_as(Role.COORDINATOR)
    body = client.get(
        "/api/v1/enrollments?per_page=2&page=2&sort=municipality"
    ).get_json()
    assert body["total"] == 3 and body["per_page"] == 2 and body["page"] == 2
    assert [i["municipality"]["name"] for i in body["items"]] == ["Rijeka"]
    body = client.get("/api/v1/enrollments?sort=-municipality").get_json()
    assert [i["municipality"]["name"] for i in body["items"]] == [
        "Rijeka",
        "Kuçovë",
        "Belgrade",
    ]


@pytest.mark.parametrize(
    "query",
    [
        "?per_page=101",
        "?page=0",
        "?cohort=abc",
        "?year=20x2",
        "?sort=evil",
        "?q=" + "x" * 101,
        "?country=ALB",
    ],
)
def test_bad_parameters_answer_400(client, login_as, acp, query):
    login_as(Role.COORDINATOR)
    response = client.get("/api/v1/enrollments" + query)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_enrollment_detail_has_history_and_assessments(client, login_as, acp):
    login_as(Role.CONTACT, municipality_id=acp.kucove)
    response = client.get(f"/api/v1/enrollments/{acp.kucove_enrollment}")
    assert response.status_code == 200
    body = response.get_json()
    validator("Enrollment").validate(body)
    assert [(h["from"], h["to"]) for h in body["history"]] == [
        (None, "ready_to_join"),
        ("ready_to_join", "diagnosis"),
        ("diagnosis", "solution_formulation"),
        ("solution_formulation", "implementation"),
    ]
    assert body["history"][0]["days_in_stage"] == 49
    assert body["history"][3]["effective_on"] == "2013-02-26"
    assert [a["kind"] for a in body["assessments"]] == ["baseline", "follow_up"]
    assert body["assessments"][0]["scores"]["procurement"] == 74


def test_contacts_see_only_their_own_enrollments(client, login_as, acp):
    login_as(Role.CONTACT, municipality_id=acp.rijeka)
    body = client.get("/api/v1/enrollments").get_json()
    assert names(body) == {"Rijeka"} and body["total"] == 1
    assert client.get(f"/api/v1/enrollments/{acp.rijeka_enrollment}").status_code == 200
    hidden = client.get(f"/api/v1/enrollments/{acp.belgrade_enrollment}")
    assert hidden.status_code == 404
    assert hidden.get_json()["error"]["code"] == "not_found"


def test_a_contacts_bearer_token_carries_the_same_limits(app, client, make_user, acp):
    user_id = make_user(role=Role.CONTACT, municipality_id=acp.belgrade)
    with app.app_context():
        token, secret = ApiToken.issue(db.session.get(User, user_id), "test")
        db.session.add(token)
        db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    body = client.get("/api/v1/enrollments", headers=headers).get_json()
    assert names(body) == {"Belgrade"}
    response = client.get(
        f"/api/v1/enrollments/{acp.kucove_enrollment}", headers=headers
    )
    assert response.status_code == 404


def test_iltp_detail_lists_trained_leaders_for_those_who_may_see_them(
    client,
    app,
    login_as,
    make_program,
    make_municipality,
    make_person,
    make_enrollment,
    make_training,
):
    from tests.fixtures.programs import ILTP_STAGES
    from tracker.models import Attendance

    program = make_program("ILTP", stages=ILTP_STAGES, required_trainings=1)
    vinica = make_municipality("Vinica", country="MK")
    make_enrollment(vinica, program, [("ready_to_join", date(2016, 2, 15))])
    ana = make_person("Ana Leader", municipality_id=vinica)
    make_training(program, [(ana, vinica, Attendance.ATTENDED)])
    login_as(Role.MANAGER)
    body = client.get("/api/v1/programs/ILTP").get_json()
    assert body["trained_leaders"] == [
        {
            "person": {"id": ana, "name": "Ana Leader"},
            "municipality": {"id": vinica, "name": "Vinica"},
            "trainings_attended": 1,
        }
    ]


def test_openapi_fragments_are_complete_and_resolvable():
    assert set(OPENAPI_PATHS) == {
        "/api/v1/programs",
        "/api/v1/programs/{code}",
        "/api/v1/enrollments",
        "/api/v1/enrollments/{enrollment_id}",
    }
    text = repr(OPENAPI_PATHS) + repr(OPENAPI_SCHEMAS)
    for name in re.findall(r"#/components/schemas/(\w+)", text):
        assert name in OPENAPI_SCHEMAS or name in SHARED_SCHEMAS
    for path in OPENAPI_PATHS.values():
        responses = path["get"]["responses"]
        assert "200" in responses and "401" in responses
    for name in OPENAPI_SCHEMAS:
        Draft202012Validator.check_schema(OPENAPI_SCHEMAS[name])
