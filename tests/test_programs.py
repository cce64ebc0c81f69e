"""Program pages, enrollments, stage changes (one and bulk), assessments, ILTP
certificates, the municipality partial, and how many queries the lists cost."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date

import pytest
from flask import render_template_string, url_for
from flask_login import login_user
from sqlalchemy import event, func, select

from tests.fixtures.places import unique
from tests.fixtures.programs import (
    ILTP_STAGES,
    build_assessment,
    build_enrollment,
    build_program,
    stage_id,
)
from tracker.enrollments import services
from tracker.enrollments.queries import municipality_enrollments
from tracker.extensions import db
from tracker.models import (
    Assessment,
    AssessmentKind,
    Attendance,
    Cohort,
    Country,
    Enrollment,
    Municipality,
    Program,
    Role,
    Stage,
    StageChange,
    StageKind,
    User,
)
from tracker.programs import leaders

LONG = "x" * 10_001
SCRIPT = "<script>alert('x')</script>"


def text_of(response) -> str:
    """The page's visible text, tags removed and spaces squeezed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def version_of(app, enrollment_id: int) -> str:
    with app.app_context():
        return str(db.session.get(Enrollment, enrollment_id).version_id)


def history_of(app, enrollment_id: int) -> list[str]:
    with app.app_context():
        enrollment = db.session.get(Enrollment, enrollment_id)
        return [change.to_stage.code for change in enrollment.stage_changes]


# -- program pages ---------------------------------------------------------------


def test_program_page_shows_stages_counts_cohorts_and_recent_changes(
    client, login_as, acp
):
    login_as(Role.MANAGER)
    response = client.get("/programs/ACP")
    assert response.status_code == 200
    page = text_of(response)
    html = response.get_data(as_text=True)
    assert 'data-figure="total">3<' in html
    assert 'data-figure="taking-part">2<' in html
    assert 'data-figure="first-stage">1<' in html
    assert 'data-figure="countries">3<' in html
    assert 'data-stage-count="implementation">1<' in html
    assert "ACP cohort I (2012)" in page
    assert "Kuçovë" in page and "Rijeka" in page and "Belgrade" in page
    assert "Strategy adopted by the council." in page  # recent changes
    assert "History" in page  # staff see the audit trail


def test_program_pages_answer_by_code_and_by_number(app, client, login_as, acp):
    login_as(Role.COORDINATOR)
    assert client.get("/programs/").status_code == 200
    response = client.get(f"/programs/{acp.program}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/programs/ACP")
    assert client.get("/programs/acp").headers["Location"].endswith("/programs/ACP")
    assert client.get("/programs/NOPE").status_code == 404
    with app.test_request_context():
        assert url_for("programs.detail", code="ACP") == "/programs/ACP"
        assert url_for("programs.detail", program_id=7) == "/programs/7"
    assert client.get("/programs/" + "A" * 300).status_code == 404


def test_contact_sees_figures_but_only_their_own_enrollment_on_a_program_page(
    client, login_as, acp
):
    login_as(Role.CONTACT, municipality_id=acp.rijeka)
    page = text_of(client.get("/programs/ACP"))
    assert "Rijeka" in page
    assert "Kuçovë" not in page and "Belgrade" not in page
    assert "Strategy adopted" not in page
    assert "History" not in page
    assert "Enroll a municipality" not in page


def test_program_index_lists_every_program_with_figures(client, login_as, acp):
    login_as(Role.CONTACT, municipality_id=acp.rijeka)
    page = text_of(client.get("/programs/"))
    assert "Program ACP" in page
    assert "Municipalities enrolled 3" in page


# -- the enrollment list ---------------------------------------------------------


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", {"Kuçovë", "Rijeka", "Belgrade"}),
        ("?program=ACP", {"Kuçovë", "Rijeka", "Belgrade"}),
        ("?program=acp&stage=diagnosis", {"Belgrade"}),
        ("?country=al", {"Kuçovë"}),
        ("?cohort={cohort}", {"Kuçovë"}),
        ("?year=2012", {"Kuçovë"}),
        ("?year=2099", set()),
        ("?q=rij", {"Rijeka"}),
        ("?q=serbia", {"Belgrade"}),
        ("?q=%25", set()),
        ("?program=NOPE", set()),
        (
            "?cohort=abc&year=x&country=TOOLONG&page=zz&sort=evil",
            {"Kuçovë", "Rijeka", "Belgrade"},
        ),
    ],
)
def test_enrollment_list_filters(client, login_as, acp, query, expected):
    login_as(Role.MANAGER)
    response = client.get("/enrollments/" + query.format(cohort=acp.cohort))
    assert response.status_code == 200
    page = text_of(response)
    shown = {name for name in ("Kuçovë", "Rijeka", "Belgrade") if f"{name} " in page}
    assert shown == expected


def test_enrollment_list_sorts(client, login_as, acp):
    login_as(Role.MANAGER)
    page = text_of(client.get("/enrollments/?sort=-municipality"))
    assert page.index("Rijeka") < page.index("Kuçovë") < page.index("Belgrade")
    page = text_of(client.get("/enrollments/?sort=stage"))
    assert page.index("Rijeka") < page.index("Belgrade") < page.index("Kuçovë")


def test_contact_list_shows_only_their_own_enrollments(client, login_as, acp):
    login_as(Role.CONTACT, municipality_id=acp.belgrade)
    page = text_of(client.get("/enrollments/"))
    assert "Belgrade" in page
    assert "Kuçovë " not in page and "Rijeka " not in page
    assert "Preview the move" not in page


def test_bulk_controls_show_for_editors_filtering_one_program(client, login_as, acp):
    login_as(Role.COORDINATOR)
    assert "Preview the move" not in text_of(client.get("/enrollments/"))
    assert "Preview the move" in text_of(client.get("/enrollments/?program=ACP"))


def test_managers_get_no_bulk_controls(client, login_as, acp):
    login_as(Role.MANAGER)
    assert "Preview the move" not in text_of(client.get("/enrollments/?program=ACP"))


# -- one enrollment ------------------------------------------------------------------


def test_enrollment_page_shows_timeline_with_time_spent_and_comparison(
    client, login_as, acp
):
    login_as(Role.CONTACT, municipality_id=acp.kucove)
    response = client.get(f"/enrollments/{acp.kucove_enrollment}")
    assert response.status_code == 200
    page = text_of(response)
    assert "26 Mar 2012 – 14 May 2012 · 49 days" in page
    assert "14 May 2012 – 15 Oct 2012 · 5 months" in page
    assert "since 26 Feb 2013" in page and "so far" in page
    assert "Strategy adopted by the council." in page
    assert "Financial management 68 47 -21" in page
    assert "Average 66.7 48.0 -18.7" in page
    html = response.get_data(as_text=True)
    assert 'data-chart="bar"' in html and "data-series=" in html
    # read-only for contacts
    assert "Move to another stage" not in page
    assert "Edit enrollment" not in page
    assert "History" not in page


def test_pages_carry_no_inline_scripts_and_charts_have_tables(client, login_as, acp):
    login_as(Role.COORDINATOR)
    for url in (f"/enrollments/{acp.kucove_enrollment}", "/programs/ACP"):
        html = client.get(url).get_data(as_text=True)
        scripts = re.findall(r"<script[^>]*>", html)
        assert scripts and all(" src=" in tag for tag in scripts)
        assert " style=" not in html
        assert html.count("<canvas") <= html.count("<table")


def test_contacts_get_404_for_another_municipalitys_enrollment(client, login_as, acp):
    login_as(Role.CONTACT, municipality_id=acp.rijeka)
    assert client.get(f"/enrollments/{acp.rijeka_enrollment}").status_code == 200
    assert client.get(f"/enrollments/{acp.belgrade_enrollment}").status_code == 404
    assert client.get("/enrollments/999999").status_code == 404


# -- stage changes -------------------------------------------------------------------


def move(client, app, enrollment_id, **fields):
    data = {
        "stage_id": "",
        "effective_on": "",
        "note": "",
        "version_id": version_of(app, enrollment_id),
        **fields,
    }
    return client.post_form(f"/enrollments/{enrollment_id}/stage", data)


def test_coordinator_moves_an_enrollment_forward(client, app, login_as, acp):
    user_id = login_as(Role.COORDINATOR)
    diagnosis = stage_id(app, acp.program, "diagnosis")
    response = move(
        client,
        app,
        acp.rijeka_enrollment,
        stage_id=diagnosis,
        effective_on="2016-01-11",
    )
    assert response.status_code == 302
    follow = client.get(response.headers["Location"])
    assert "Rijeka moved to “Diagnosis” on 11 Jan 2016." in text_of(follow)
    with app.app_context():
        enrollment = db.session.get(Enrollment, acp.rijeka_enrollment)
        assert enrollment.current_stage.code == "diagnosis"
        change = enrollment.stage_changes[-1]
        assert (change.from_stage.code, change.to_stage.code) == (
            "ready_to_join",
            "diagnosis",
        )
        assert change.recorded_by_id == user_id
        assert change.effective_on == date(2016, 1, 11)


@pytest.mark.parametrize(
    "fields, field_message",
    [
        (
            {"stage": "diagnosis", "effective_on": "2999-01-01"},
            "cannot be in the future",
        ),
        (
            {"stage": "diagnosis", "effective_on": "2015-05-31"},
            "before the previous stage change (1 Jun 2015)",
        ),
        (
            {"stage": "completed", "effective_on": "2016-01-01"},
            "only be completed from “Implementation”",
        ),
        ({"stage": "diagnosis", "effective_on": "2015-02-31"}, "Give a valid date"),
        ({"stage": "diagnosis", "effective_on": "yesterday"}, "Give a valid date"),
        ({"stage": None, "effective_on": "2016-01-01"}, "Choose the stage to move to."),
        (
            {"stage": "ready_to_join", "effective_on": "2016-01-01"},
            "Not a valid choice",
        ),
        ({"stage_id": "abc", "effective_on": "2016-01-01"}, "Choose the stage"),
        ({"stage_id": "999999", "effective_on": "2016-01-01"}, "Not a valid choice"),
        (
            {"stage": "diagnosis", "effective_on": "2016-01-01", "note": LONG},
            "Field cannot be longer than 2000 characters",
        ),
    ],
)
def test_stage_change_refusals_come_back_beside_the_field(
    client, app, login_as, acp, fields, field_message
):
    login_as(Role.COORDINATOR)
    fields = dict(fields)
    code = fields.pop("stage", None)
    if code:
        fields["stage_id"] = stage_id(app, acp.program, code)
    response = move(client, app, acp.rijeka_enrollment, **fields)
    assert response.status_code == 422
    assert field_message in text_of(response)
    assert history_of(app, acp.rijeka_enrollment) == ["ready_to_join"]


def test_moving_back_needs_a_note(client, app, login_as, acp):
    login_as(Role.COORDINATOR)
    ready = stage_id(app, acp.program, "ready_to_join")
    response = move(
        client, app, acp.belgrade_enrollment, stage_id=ready, effective_on="2016-02-01"
    )
    assert response.status_code == 422
    assert "Moving back from “Diagnosis” to “Ready to join” needs a note" in text_of(
        response
    )
    response = move(
        client,
        app,
        acp.belgrade_enrollment,
        stage_id=ready,
        effective_on="2016-02-01",
        note=SCRIPT,
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "&lt;script&gt;alert(" in page and SCRIPT not in page
    assert history_of(app, acp.belgrade_enrollment)[-1] == "ready_to_join"


def test_a_stale_version_answers_409_and_moves_nothing(client, app, login_as, acp):
    login_as(Role.COORDINATOR)
    diagnosis = stage_id(app, acp.program, "diagnosis")
    stale = version_of(app, acp.rijeka_enrollment)
    first = move(
        client,
        app,
        acp.rijeka_enrollment,
        stage_id=diagnosis,
        effective_on="2016-01-11",
    )
    assert first.status_code == 302
    withdrawn = stage_id(app, acp.program, "withdrawn")
    second = move(
        client,
        app,
        acp.rijeka_enrollment,
        stage_id=withdrawn,
        effective_on="2016-02-01",
        version_id=stale,
    )
    assert second.status_code == 409
    assert "Someone else changed this record" in text_of(second)
    assert history_of(app, acp.rijeka_enrollment) == ["ready_to_join", "diagnosis"]


def test_extra_fields_in_a_stage_change_change_nothing_else(client, app, login_as, acp):
    login_as(Role.COORDINATOR)
    with app.app_context():
        before = db.session.get(Enrollment, acp.rijeka_enrollment)
        municipality_id, cohort_id = before.municipality_id, before.cohort_id
    response = move(
        client,
        app,
        acp.rijeka_enrollment,
        stage_id=stage_id(app, acp.program, "diagnosis"),
        effective_on="2016-01-11",
        municipality_id=acp.belgrade,
        program_id="999",
        cohort_id=acp.cohort,
        status="completed",
        role="admin",
    )
    assert response.status_code == 302
    with app.app_context():
        after = db.session.get(Enrollment, acp.rijeka_enrollment)
        assert (after.municipality_id, after.cohort_id) == (municipality_id, cohort_id)


def test_undo_takes_back_the_newest_change(client, app, login_as, acp):
    login_as(Role.COORDINATOR)
    url = f"/enrollments/{acp.belgrade_enrollment}/stage/undo"
    response = client.post_form(url, {"version_id": "0"})
    assert response.status_code == 302
    assert history_of(app, acp.belgrade_enrollment) == ["ready_to_join", "diagnosis"]
    response = client.post_form(
        url, {"version_id": version_of(app, acp.belgrade_enrollment)}
    )
    assert response.status_code == 302
    assert history_of(app, acp.belgrade_enrollment) == ["ready_to_join"]
    with app.app_context():
        assert db.session.get(
            Enrollment, acp.belgrade_enrollment
        ).current_stage.code == ("ready_to_join")
    response = client.post_form(
        url, {"version_id": version_of(app, acp.belgrade_enrollment)}
    )
    page = text_of(client.get(response.headers["Location"]))
    assert "The first stage of an enrollment cannot be taken back" in page


# -- bulk move -----------------------------------------------------------------------


def bulk(client, app, ids, stage, on, action="preview", note="", versions=True):
    data = {
        "enrollment_ids": [str(i) for i in ids],
        "stage_id": str(stage),
        "effective_on": on,
        "note": note,
        "action": action,
    }
    if versions:
        for enrollment_id in ids:
            data[f"version_{enrollment_id}"] = version_of(app, enrollment_id)
    return client.post_form("/enrollments/bulk-move", data)


def test_bulk_preview_changes_nothing_and_names_the_bad_rows(
    client, app, login_as, acp
):
    login_as(Role.COORDINATOR)
    ids = [acp.rijeka_enrollment, acp.belgrade_enrollment]
    target = stage_id(app, acp.program, "solution_formulation")
    response = bulk(client, app, ids, target, "2015-12-01")
    assert response.status_code == 200
    page = text_of(response)
    assert "1 of 2 rows break a rule" in page
    assert (
        "Refused: The date cannot be before the previous stage change (11 Jan 2016)"
        in page
    )
    assert "Move 2 enrollments" not in page
    assert history_of(app, acp.rijeka_enrollment) == ["ready_to_join"]


def test_bulk_move_with_one_bad_row_moves_nothing(client, app, login_as, acp):
    login_as(Role.COORDINATOR)
    ids = [acp.rijeka_enrollment, acp.belgrade_enrollment, acp.kucove_enrollment]
    target = stage_id(app, acp.program, "solution_formulation")
    with app.app_context():
        before = db.session.scalar(select(func.count(StageChange.id)))
    response = bulk(client, app, ids, target, "2016-02-01", action="confirm")
    assert response.status_code == 422
    page = text_of(response)
    assert "Nothing was moved: 1 of 3 selected enrollments break a rule." in page
    assert "needs a note" in page  # Kuçovë would move back from implementation
    with app.app_context():
        assert db.session.scalar(select(func.count(StageChange.id))) == before


def test_bulk_move_after_a_clean_preview_moves_every_row(client, app, login_as, acp):
    login_as(Role.COORDINATOR)
    ids = [acp.rijeka_enrollment, acp.belgrade_enrollment]
    target = stage_id(app, acp.program, "solution_formulation")
    preview = bulk(client, app, ids, target, "2016-02-01")
    assert "Move 2 enrollments" in text_of(preview)
    response = bulk(client, app, ids, target, "2016-02-01", action="confirm")
    assert response.status_code == 302
    assert "2 enrollments of ACP moved to “Solution formulation”." in text_of(
        client.get(response.headers["Location"])
    )
    assert history_of(app, acp.rijeka_enrollment)[-1] == "solution_formulation"
    assert history_of(app, acp.belgrade_enrollment)[-1] == "solution_formulation"


def test_bulk_confirm_without_a_preview_is_refused_as_stale(client, app, login_as, acp):
    login_as(Role.COORDINATOR)
    target = stage_id(app, acp.program, "withdrawn")
    response = bulk(
        client,
        app,
        [acp.rijeka_enrollment],
        target,
        "2016-02-01",
        "confirm",
        versions=False,
    )
    assert response.status_code == 422
    assert "changed by someone else after the preview" in text_of(response)
    assert history_of(app, acp.rijeka_enrollment) == ["ready_to_join"]


def test_bulk_move_refuses_mixed_programs_and_empty_selections(
    client, app, login_as, acp, make_program, make_enrollment
):
    other = make_program("MFSA")
    mfsa = make_enrollment(acp.rijeka, other)
    login_as(Role.COORDINATOR)
    target = stage_id(app, acp.program, "withdrawn")
    response = bulk(client, app, [acp.rijeka_enrollment, mfsa], target, "2016-02-01")
    assert response.status_code == 302
    assert "one program at a time" in text_of(client.get(response.headers["Location"]))
    response = client.post_form(
        "/enrollments/bulk-move", {"enrollment_ids": ["x", "-1"]}
    )
    assert "Select at least one enrollment" in text_of(
        client.get(response.headers["Location"])
    )
    response = bulk(client, app, [acp.rijeka_enrollment], "", "31-02-2016")
    assert response.status_code == 422
    assert "Choose the stage to move to." in text_of(response)


# -- create, edit, delete ------------------------------------------------------------


def enroll_data(municipality, program, stage, **fields):
    return {
        "municipality_id": str(municipality),
        "program_id": str(program),
        "cohort_id": "",
        "stage_id": str(stage),
        "effective_on": "2016-03-07",
        "applied_on": "2016-03-01",
        "notes": "",
        **fields,
    }


def test_coordinator_enrolls_a_municipality(
    client, app, login_as, acp, make_municipality
):
    login_as(Role.COORDINATOR)
    elbasan = make_municipality("Elbasan", country="AL")
    ready = stage_id(app, acp.program, "ready_to_join")
    form = client.get("/enrollments/new?program=ACP")
    assert form.status_code == 200
    assert f'<option selected value="{ready}">' in form.get_data(as_text=True)
    response = client.post_form(
        "/enrollments/new", enroll_data(elbasan, acp.program, ready, notes=SCRIPT)
    )
    assert response.status_code == 302
    with app.app_context():
        enrollment = db.session.scalar(
            select(Enrollment).where(Enrollment.municipality_id == elbasan)
        )
        assert enrollment.current_stage.code == "ready_to_join"
        assert [c.effective_on for c in enrollment.stage_changes] == [date(2016, 3, 7)]
        assert enrollment.applied_on == date(2016, 3, 1)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "&lt;script&gt;" in page and SCRIPT not in page


def test_a_second_enrollment_in_a_program_is_a_form_message(client, app, login_as, acp):
    login_as(Role.COORDINATOR)
    ready = stage_id(app, acp.program, "ready_to_join")
    response = client.post_form(
        "/enrollments/new", enroll_data(acp.rijeka, acp.program, ready)
    )
    assert response.status_code == 422
    assert "Rijeka is already enrolled in ACP" in text_of(response)


def test_the_database_unique_constraint_becomes_a_form_message(
    client, app, login_as, acp, monkeypatch
):
    """A race past the check: the unique constraint answers, as a field message."""
    login_as(Role.COORDINATOR)
    monkeypatch.setattr(services, "find_enrollment", lambda municipality, program: None)
    ready = stage_id(app, acp.program, "ready_to_join")
    response = client.post_form(
        "/enrollments/new", enroll_data(acp.rijeka, acp.program, ready)
    )
    assert response.status_code == 422
    page = text_of(response)
    assert "Rijeka is already enrolled in ACP" in page
    with app.app_context():
        count = db.session.scalar(
            select(func.count(Enrollment.id)).where(
                Enrollment.municipality_id == acp.rijeka
            )
        )
    assert count == 1


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {
                "municipality_id": "",
                "program_id": "",
                "stage_id": "",
                "effective_on": "",
            },
            "Choose a municipality.",
        ),
        ({"municipality_id": "abc"}, "Choose a municipality."),
        ({"municipality_id": "999999"}, "Not a valid choice"),
        ({"effective_on": "2016-02-31"}, "Give a valid date"),
        ({"applied_on": "31 February"}, "Not a valid date value"),
        ({"effective_on": "2999-01-01"}, "cannot be in the future"),
        ({"notes": LONG}, "Field cannot be longer than 5000 characters"),
    ],
)
def test_enrollment_form_survives_bad_input(
    client, app, login_as, acp, make_municipality, changes, message
):
    login_as(Role.COORDINATOR)
    town = make_municipality("Fier", country="AL")
    ready = stage_id(app, acp.program, "ready_to_join")
    response = client.post_form(
        "/enrollments/new", enroll_data(town, acp.program, ready, **changes)
    )
    assert response.status_code == 422
    assert message in text_of(response)


def test_stage_and_cohort_must_belong_to_the_program(
    client, app, login_as, acp, make_municipality, make_program, make_cohort
):
    login_as(Role.COORDINATOR)
    town = make_municipality("Berat", country="AL")
    mfsa = make_program("MFSA")
    mfsa_stage = stage_id(app, mfsa, "ready_to_join")
    response = client.post_form(
        "/enrollments/new", enroll_data(town, acp.program, mfsa_stage)
    )
    assert response.status_code == 422
    assert "is not a stage of ACP" in text_of(response)
    mfsa_cohort = make_cohort(mfsa, "MFSA Albania cohort I (2016)", 2016)
    ready = stage_id(app, acp.program, "ready_to_join")
    response = client.post_form(
        "/enrollments/new", enroll_data(town, acp.program, ready, cohort_id=mfsa_cohort)
    )
    assert response.status_code == 422
    assert "is an intake of another program" in text_of(response)


def test_edit_changes_only_the_editable_fields(client, app, login_as, acp):
    login_as(Role.COORDINATOR)
    url = f"/enrollments/{acp.rijeka_enrollment}/edit"
    assert client.get(url).status_code == 200
    response = client.post_form(
        url,
        {
            "cohort_id": str(acp.cohort),
            "applied_on": "2015-05-20",
            "notes": "Signed the letter of intent.",
            "version_id": version_of(app, acp.rijeka_enrollment),
            "municipality_id": str(acp.belgrade),
            "program_id": "999",
            "current_stage_id": str(stage_id(app, acp.program, "completed")),
            "role": "admin",
            "status": "approved",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        enrollment = db.session.get(Enrollment, acp.rijeka_enrollment)
        assert enrollment.cohort_id == acp.cohort
        assert enrollment.applied_on == date(2015, 5, 20)
        assert enrollment.notes == "Signed the letter of intent."
        assert enrollment.municipality_id == acp.rijeka
        assert enrollment.current_stage.code == "ready_to_join"


def test_edit_with_a_stale_version_or_bad_input_keeps_the_input(
    client, app, login_as, acp
):
    login_as(Role.COORDINATOR)
    url = f"/enrollments/{acp.rijeka_enrollment}/edit"
    stale = client.post_form(url, {"notes": "Mine", "version_id": "0", "cohort_id": ""})
    assert stale.status_code == 409
    assert "Someone else changed this record" in text_of(stale)
    assert "Mine</textarea>" in stale.get_data(as_text=True)
    bad = client.post_form(
        url,
        {
            "notes": LONG,
            "applied_on": "2015-13-01",
            "cohort_id": "abc",
            "version_id": version_of(app, acp.rijeka_enrollment),
        },
    )
    assert bad.status_code == 422
    page = text_of(bad)
    assert "Not a valid date value" in page
    assert "Field cannot be longer than 5000 characters" in page


def test_delete_is_refused_once_an_enrollment_has_a_history(client, app, login_as, acp):
    login_as(Role.COORDINATOR)
    response = client.post_form(f"/enrollments/{acp.belgrade_enrollment}/delete")
    assert "cannot be deleted; move it to “Withdrawn” instead" in text_of(
        client.get(response.headers["Location"])
    )
    with app.app_context():
        assert db.session.get(Enrollment, acp.belgrade_enrollment) is not None
    response = client.post_form(f"/enrollments/{acp.rijeka_enrollment}/delete")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Enrollment, acp.rijeka_enrollment) is None
        assert (
            db.session.scalar(
                select(func.count(StageChange.id)).where(
                    StageChange.enrollment_id == acp.rijeka_enrollment
                )
            )
            == 0
        )


# -- assessments -----------------------------------------------------------------


def assessment_data(**fields):
    return {
        "assessed_on": "2016-05-02",
        "kind": "baseline",
        "financial_management": "60",
        "procurement": "0",
        "urban_planning": "100",
        "human_resources": "55",
        "service_delivery": "50",
        "transparency": "61",
        "notes": "",
        **fields,
    }


def test_coordinator_records_a_baseline_then_a_follow_up(client, app, login_as, acp):
    login_as(Role.COORDINATOR)
    url = f"/enrollments/{acp.belgrade_enrollment}/assessments/new"
    form = client.get(url)
    assert form.status_code == 200
    assert '<option selected value="baseline">' in form.get_data(as_text=True)
    assert client.post_form(url, assessment_data()).status_code == 302
    response = client.post_form(
        url,
        assessment_data(kind="follow_up", assessed_on="2017-05-02", procurement="10"),
    )
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert "Procurement 0 10 +10" in page
    assert "Urban planning and permits 100 100 0" in page


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"procurement": "101"}, "A score is from 0 to 100."),
        ({"procurement": "-1"}, "A score is from 0 to 100."),
        ({"procurement": "abc"}, "Not a valid integer value"),
        ({"procurement": ""}, "Give a score from 0 to 100."),
        ({"assessed_on": "2016-02-31"}, "Give a valid date"),
        ({"assessed_on": "2999-01-01"}, "cannot be in the future"),
        ({"kind": "worst"}, "Not a valid choice"),
        ({"kind": "follow_up"}, "Record the baseline assessment before any follow-up."),
        ({"notes": LONG}, "Field cannot be longer than 5000 characters"),
    ],
)
def test_assessment_form_refusals(client, app, login_as, acp, changes, message):
    login_as(Role.COORDINATOR)
    url = f"/enrollments/{acp.belgrade_enrollment}/assessments/new"
    response = client.post_form(url, assessment_data(**changes))
    assert response.status_code == 422
    assert message in text_of(response)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(Assessment.id)).where(
                    Assessment.enrollment_id == acp.belgrade_enrollment
                )
            )
            == 0
        )


def test_assessment_edit_and_delete_rules(client, app, login_as, acp):
    login_as(Role.COORDINATOR)
    with app.app_context():
        enrollment = db.session.get(Enrollment, acp.kucove_enrollment)
        baseline, follow_up = enrollment.assessments
        baseline_id, follow_up_id, version = (
            baseline.id,
            follow_up.id,
            baseline.version_id,
        )
    base = f"/enrollments/{acp.kucove_enrollment}/assessments"
    assert client.get(f"{base}/{baseline_id}/edit").status_code == 200
    response = client.post_form(
        f"{base}/{baseline_id}/edit",
        assessment_data(assessed_on="2016-01-01", version_id=str(version)),
    )
    assert response.status_code == 422
    assert "The baseline cannot be dated after a follow-up" in text_of(response)
    response = client.post_form(
        f"{base}/{baseline_id}/edit",
        assessment_data(assessed_on="2012-07-20", version_id=str(version)),
    )
    assert response.status_code == 302
    response = client.post_form(f"{base}/{baseline_id}/delete")
    assert "cannot be deleted while follow-ups" in text_of(
        client.get(response.headers["Location"])
    )
    assert client.post_form(f"{base}/{follow_up_id}/delete").status_code == 302
    assert client.post_form(f"{base}/{baseline_id}/delete").status_code == 302
    assert client.get(f"{base}/{baseline_id}/edit").status_code == 404
    # an assessment is only reachable through its own enrollment
    assert (
        client.get(
            f"/enrollments/{acp.rijeka_enrollment}/assessments/{follow_up_id}/edit"
        ).status_code
        == 404
    )


# -- program administration -------------------------------------------------------


def test_admin_edits_program_texts(client, app, login_as, acp):
    login_as(Role.ADMIN)
    with app.app_context():
        version = db.session.get(Program, acp.program).version_id
    response = client.post_form(
        "/programs/ACP/edit",
        {
            "name": "Cities without Corruption",
            "description": SCRIPT,
            "started_on": "2012-02-01",
            "required_trainings": "",
            "version_id": str(version),
            "code": "HACK",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        program = db.session.get(Program, acp.program)
        assert program.name == "Cities without Corruption"
        assert program.code == "ACP"
    page = client.get("/programs/ACP").get_data(as_text=True)
    assert "&lt;script&gt;" in page and SCRIPT not in page
    bad = client.post_form(
        "/programs/ACP/edit",
        {
            "name": "",
            "description": LONG * 2,
            "required_trainings": "x",
            "version_id": str(version + 1),
        },
    )
    assert bad.status_code == 422
    assert "This field is required." in text_of(bad)
    assert "Not a valid integer value" in text_of(bad)


def test_admin_adds_and_deletes_a_stage_but_not_one_in_use(client, app, login_as, acp):
    login_as(Role.ADMIN)
    assert client.get("/programs/ACP/stages/new").status_code == 200
    taken = client.post_form(
        "/programs/ACP/stages/new",
        {"code": "diagnosis", "name": "Again", "position": "20", "kind": "working"},
    )
    assert taken.status_code == 422
    assert "ACP already has a stage “diagnosis”" in text_of(taken)
    assert "“Diagnosis” already has position 20" in text_of(taken)
    bad = client.post_form(
        "/programs/ACP/stages/new",
        {"code": "Bad Code!", "name": LONG, "position": "x", "kind": "maybe"},
    )
    assert bad.status_code == 422
    response = client.post_form(
        "/programs/ACP/stages/new",
        {
            "code": "monitoring",
            "name": "Monitoring",
            "position": "45",
            "kind": "working",
        },
    )
    assert response.status_code == 302
    monitoring = stage_id(app, acp.program, "monitoring")
    in_use = stage_id(app, acp.program, "diagnosis")
    response = client.post_form(f"/programs/stages/{in_use}/delete")
    assert "is in use" in text_of(client.get(response.headers["Location"]))
    assert client.post_form(f"/programs/stages/{monitoring}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Stage, monitoring) is None
        assert db.session.get(Stage, in_use) is not None


def test_a_stage_in_use_keeps_its_kind(client, app, login_as, acp):
    login_as(Role.ADMIN)
    diagnosis = stage_id(app, acp.program, "diagnosis")
    with app.app_context():
        version = db.session.get(Stage, diagnosis).version_id
    url = f"/programs/stages/{diagnosis}/edit"
    assert client.get(url).status_code == 200
    data = {
        "code": "diagnosis",
        "name": "Diagnosis",
        "position": "20",
        "version_id": str(version),
    }
    response = client.post_form(url, {**data, "kind": "withdrawn"})
    assert response.status_code == 422
    assert "its kind cannot change" in text_of(response)
    response = client.post_form(
        url, {**data, "kind": "working", "name": "Diagnosis of vulnerability"}
    )
    assert response.status_code == 302
    with app.app_context():
        stage = db.session.get(Stage, diagnosis)
        assert (
            stage.name == "Diagnosis of vulnerability"
            and stage.kind == StageKind.WORKING
        )


def test_coordinator_manages_cohorts(client, app, login_as, acp):
    login_as(Role.COORDINATOR)
    assert client.get("/programs/ACP/cohorts/new").status_code == 200
    duplicate = client.post_form(
        "/programs/ACP/cohorts/new", {"name": "ACP cohort I (2012)", "year": "2012"}
    )
    assert duplicate.status_code == 422
    assert "ACP already has a cohort with this name" in text_of(duplicate)
    bad = client.post_form("/programs/ACP/cohorts/new", {"name": LONG, "year": "20x5"})
    assert bad.status_code == 422
    response = client.post_form(
        "/programs/ACP/cohorts/new", {"name": "ACP cohort II (2015)", "year": "2015"}
    )
    assert response.status_code == 302
    with app.app_context():
        new = db.session.scalar(
            select(Cohort).where(Cohort.name == "ACP cohort II (2015)")
        )
        new_id, version = new.id, new.version_id
    response = client.post_form(
        f"/programs/cohorts/{new_id}/edit",
        {"name": "ACP cohort II (2016)", "year": "2016", "version_id": str(version)},
    )
    assert response.status_code == 302
    response = client.post_form(f"/programs/cohorts/{acp.cohort}/delete")
    assert "still has enrollments" in text_of(client.get(response.headers["Location"]))
    assert client.post_form(f"/programs/cohorts/{new_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Cohort, new_id) is None


# -- ILTP leaders and certificates -------------------------------------------------


@pytest.fixture
def iltp(
    app, make_program, make_municipality, make_person, make_enrollment, make_training
):
    """ILTP (3 trainings needed): Ana of Vinica attended 3, Boris of Vinica 2."""
    program = make_program("ILTP", stages=ILTP_STAGES, required_trainings=3)
    vinica = make_municipality("Vinica", country="MK")
    outsider = make_municipality("Tirana", country="AL")  # not enrolled
    make_enrollment(vinica, program, [("ready_to_join", date(2016, 2, 15))])
    ana = make_person("Ana Trained", municipality_id=vinica, position="Mayor")
    boris = make_person("Boris Halfway", municipality_id=vinica)
    cleo = make_person("Cleo Elsewhere", municipality_id=outsider)
    attended = Attendance.ATTENDED
    for month in (4, 5, 6):
        people = [(ana, vinica, attended), (cleo, outsider, attended)]
        if month < 6:
            people.append((boris, vinica, attended))
        make_training(
            program, people, date(2016, month, 1), title=f"Integrity training {month}"
        )
    # none of these count: an ILTP training Boris missed, another program's
    # training, and an ILTP workshop (not a training)
    make_training(program, [(boris, vinica, Attendance.ABSENT)], date(2016, 7, 1))
    make_training(make_program("XYZ"), [(boris, vinica, attended)], date(2016, 8, 1))
    workshop = make_training(program, [(boris, vinica, attended)], date(2016, 9, 1))
    with app.app_context():
        from tracker.models import Event, EventKind

        db.session.get(Event, workshop).kind = EventKind.WORKSHOP
        db.session.commit()
    return {
        "program": program,
        "vinica": vinica,
        "ana": ana,
        "boris": boris,
        "cleo": cleo,
    }


def test_trained_leaders_counts_attended_trainings_of_the_program(app, iltp):
    with app.app_context():
        program = db.session.get(Program, iltp["program"])
        rows = leaders.trained_leaders(program)
        assert [(p.full_name, m.name, n) for p, m, n in rows] == [
            ("Ana Trained", "Vinica", 3)
        ]
        progress = leaders.training_progress(program)
        assert ("Boris Halfway", 3) not in [(p.full_name, n) for p, _, n in progress]
        assert [(p.full_name, n) for p, _, n in progress] == [
            ("Ana Trained", 3),
            ("Boris Halfway", 2),
        ]


def test_iltp_page_lists_leaders_and_certificates_print_only_for_the_trained(
    client, login_as, iltp
):
    login_as(Role.COORDINATOR)
    page = text_of(client.get("/programs/ILTP"))
    assert "Ana Trained" in page and "Print certificate" in page
    assert "Trained leaders per municipality: Vinica: 1." in page
    assert "Boris Halfway (Vinica): 2 of 3" in page
    assert "Cleo Elsewhere" not in page
    certificate = client.get(f"/programs/ILTP/leaders/{iltp['ana']}/certificate")
    assert certificate.status_code == 200
    text = text_of(certificate)
    assert "Certificate of completion" in text and "Ana Trained" in text
    assert "Integrity training 4" in text and "Mayor, Vinica" in text
    refused = client.get(f"/programs/ILTP/leaders/{iltp['boris']}/certificate")
    assert refused.status_code == 403
    assert "Boris Halfway is not trained yet" in text_of(refused)
    assert (
        client.get(f"/programs/ILTP/leaders/{iltp['cleo']}/certificate").status_code
        == 403
    )
    assert client.get("/programs/ILTP/leaders/999999/certificate").status_code == 404


# -- the municipality partial ---------------------------------------------------


def render_partial(app, user_id: int, municipality_id: int) -> str:
    with app.test_request_context("/"):
        login_user(db.session.get(User, user_id))
        return render_template_string(
            '{% include "programs/_municipality_enrollments.html" %}',
            enrollments=municipality_enrollments(municipality_id),
        )


def test_municipality_partial_shows_timeline_and_private_parts_to_the_entitled(
    app, acp, make_user
):
    coordinator = make_user(role=Role.COORDINATOR)
    own = make_user(role=Role.CONTACT, municipality_id=acp.kucove)
    other = make_user(role=Role.CONTACT, municipality_id=acp.rijeka)
    for user in (coordinator, own):
        html = render_partial(app, user, acp.kucove)
        assert "26 Mar 2012 – 14 May 2012" in html and "49 days" in html
        assert "Strategy adopted by the council." in html
        assert "assessment-comparison" in html
        assert "js/programs.js" in html  # the partial brings its chart code
    html = render_partial(app, other, acp.kucove)
    assert "js/programs.js" not in html
    assert "49 days" in html  # the stage timeline
    assert "Strategy adopted" not in html  # but not the notes
    assert "assessment-comparison" not in html
    assert "/enrollments/" not in html


# -- query counts ------------------------------------------------------------------


@contextmanager
def counting(connection):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", count)


def add_enrollments(app, program_id: int, count: int, cohort_id: int) -> list[int]:
    """``count`` new municipalities enrolled with a three-step history each."""
    with app.app_context():
        program = db.session.get(Program, program_id)
        cohort = db.session.get(Cohort, cohort_id)
        country = db.session.scalar(select(Country).where(Country.code == "HR"))
        enrollments = []
        for _ in range(count):
            town = Municipality(name=unique("Town"), country=country)
            db.session.add(town)
            enrollment = Enrollment.start(
                town, program, program.stages[0], date(2012, 3, 1), None, cohort=cohort
            )
            db.session.add(enrollment)
            enrollment.move_to(program.stages[1], date(2012, 6, 1), None)
            enrollment.move_to(program.stages[2], date(2013, 1, 1), None)
            enrollments.append(enrollment)
        db.session.commit()
        return [e.id for e in enrollments]


@pytest.fixture
def sized(app, make_program, make_cohort, make_country):
    """A program with 10 enrollments, and a way to grow it to 200."""
    make_country("HR", "Croatia")
    program = make_program("BIG")
    cohort = make_cohort(program, "BIG cohort", 2012)
    add_enrollments(app, program, 10, cohort)
    return {
        "program": program,
        "grow": lambda n: add_enrollments(app, program, n, cohort),
    }


def queries_for(client, db_connection, url: str) -> int:
    client.get(url)  # warm caches (compiled statements, session)
    with counting(db_connection) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize(
    "name, url",
    [
        ("enrollment list", "/enrollments/"),
        ("enrollment list by program", "/enrollments/?program=BIG&sort=-stage"),
        ("program page", "/programs/BIG"),
    ],
)
@pytest.mark.usefixtures("pages_rendered_afresh")
def test_list_pages_cost_the_same_queries_for_10_and_200_enrollments(
    client, login_as, db_connection, sized, record_figure, name, url
):
    login_as(Role.COORDINATOR)
    small = queries_for(client, db_connection, url)
    sized["grow"](190)
    large = queries_for(client, db_connection, url)
    record_figure(f"queries, {name} (10 / 200 enrollments)", f"{small} / {large}")
    assert small == large


def test_municipality_enrollments_cost_the_same_for_10_and_200_enrollments(
    app, db_connection, make_municipality, make_user, record_figure
):
    """One municipality in 10, then 200, programs, each with history and assessments."""
    town = make_municipality("Tivat", country="ME")
    coordinator = make_user(role=Role.COORDINATOR)

    def enroll_in_new_programs(count: int, offset: int) -> None:
        with app.app_context():
            for index in range(offset, offset + count):
                program = build_program(f"Q{index}")
                enrollment = build_enrollment(
                    town,
                    program,
                    [
                        ("ready_to_join", date(2012, 3, 1)),
                        ("diagnosis", date(2012, 6, 1)),
                    ],
                )
                build_assessment(enrollment, date(2012, 7, 1))
                build_assessment(enrollment, date(2013, 7, 1), AssessmentKind.FOLLOW_UP)
            db.session.commit()

    def cost() -> int:
        render_partial(app, coordinator, town)
        with counting(db_connection) as statements:
            html = render_partial(app, coordinator, town)
        assert "assessment-comparison" in html
        return len(statements)

    enroll_in_new_programs(10, 0)
    small = cost()
    enroll_in_new_programs(190, 10)
    large = cost()
    record_figure(
        "queries, municipality enrollments partial (10 / 200)", f"{small} / {large}"
    )
    assert small == large
