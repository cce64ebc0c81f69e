"""After ``seed-demo`` the program page and the API tell the same story."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from tracker.admin.seed import DEMO_PASSWORD
from tracker.audit import acting_as
from tracker.extensions import db
from tracker.models import (
    Assessment,
    Enrollment,
    Municipality,
    Program,
    StageChange,
    User,
)
from tracker.seed import seed_demo

ACP_COHORT_I = {
    "Kuçovë",
    "Zenica",
    "Križevci",
    "Gjakova",
    "Istog",
    "Gostivar",
    "Vinica",
    "Herceg Novi",
    "Tivat",
    "Boljevac",
}


@pytest.fixture
def seeded(app):
    with app.app_context(), acting_as("test:seed"):
        seed_demo(db.session)
        db.session.commit()


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count(Enrollment.id))),
            db.session.scalar(select(func.count(StageChange.id))),
            db.session.scalar(select(func.count(Assessment.id))),
        )


def figure(html: str, name: str) -> int:
    return int(re.search(rf'data-figure="{name}">(\d+)<', html).group(1))


def test_acp_page_and_api_agree_after_seeding(client, login, seeded):
    assert login("coordinator@example.org", DEMO_PASSWORD).status_code == 302
    html = client.get("/programs/ACP").get_data(as_text=True)
    body = client.get("/api/v1/enrollments?program=ACP&per_page=100").get_json()
    assert body["total"] == 23 == len(body["items"])
    stages = Counter(item["stage"]["code"] for item in body["items"])
    past_first = sum(n for code, n in stages.items() if code != "ready_to_join")
    countries = {item["municipality"]["country"] for item in body["items"]}
    assert (past_first, stages["ready_to_join"], len(countries)) == (10, 13, 7)
    assert figure(html, "taking-part") == past_first
    assert figure(html, "first-stage") == stages["ready_to_join"]
    assert figure(html, "countries") == len(countries)
    assert figure(html, "total") == body["total"]
    api_program = client.get("/api/v1/programs/ACP").get_json()
    assert api_program["figures"]["taking_part"] == 10
    assert api_program["figures"]["at_first_stage"] == 13
    assert api_program["figures"]["countries"] == 7
    cohort_i = {
        item["municipality"]["name"]
        for item in body["items"]
        if item["cohort"] and item["cohort"]["name"] == "ACP cohort I (2012)"
    }
    assert cohort_i == ACP_COHORT_I
    assert {
        item["stage"]["code"]
        for item in body["items"]
        if item["municipality"]["name"] in ACP_COHORT_I
    } == {"diagnosis", "solution_formulation", "implementation", "completed"}


def test_kucove_history_records_its_strategy_and_who_recorded_it(app, seeded):
    with app.app_context():
        enrollment = db.session.scalar(
            select(Enrollment)
            .join(Enrollment.municipality)
            .join(Enrollment.program)
            .where(Municipality.name == "Kuçovë", Program.code == "ACP")
        )
        steps = [(c.to_stage.code, c.effective_on) for c in enrollment.stage_changes]
        assert steps[0] == ("ready_to_join", date(2012, 3, 26))
        assert ("implementation", date(2013, 2, 26)) in steps
        coordinator = db.session.scalar(
            select(User).where(User.email == "coordinator@example.org")
        )
        assert {c.recorded_by_id for c in enrollment.stage_changes} == {coordinator.id}
        assert enrollment.baseline is not None and enrollment.comparison()


def test_iltp_and_mfsa_are_seeded(app, seeded):
    with app.app_context():
        programs = {p.code: p for p in db.session.scalars(select(Program))}
        assert programs["ILTP"].required_trainings == 3
        assert len(programs["ILTP"].enrollments) >= 8
        mfsa = {
            enrollment.municipality.name: enrollment.cohort.name
            if enrollment.cohort
            else None
            for enrollment in programs["MFSA"].enrollments
        }
        assert mfsa["Fier"] == "MFSA Albania cohort I (2016)"
        assert mfsa["Vlorë"] == "MFSA Albania cohort II (2017)"
        assert mfsa["Kotor"] == "MFSA workshop, Prčanj (2017)"
        assert mfsa["Odžak"] == "MFSA workshop, Sarajevo (2017)"
        assert "Shkodër" in mfsa
        assessed = db.session.scalar(
            select(func.count(func.distinct(Assessment.enrollment_id)))
        )
        assert assessed >= 4


def test_seeding_twice_adds_nothing(app, seeded):
    before = counts(app)
    with app.app_context(), acting_as("test:seed"):
        seed_demo(db.session)
        db.session.commit()
    assert counts(app) == before


def test_a_seeded_contact_sees_only_their_municipality(client, login, seeded):
    assert login("contact.rijeka@example.org", DEMO_PASSWORD).status_code == 302
    body = client.get("/api/v1/enrollments?per_page=100").get_json()
    assert {item["municipality"]["name"] for item in body["items"]} == {"Rijeka"}
    assert {item["program"] for item in body["items"]} == {"ACP", "ILTP"}
