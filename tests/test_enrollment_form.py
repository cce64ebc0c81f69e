"""The enrollment form offers each program's own stages and cohorts, reads
cohorts without a repeated year, and links a duplicate to the enrollment
that exists."""

from __future__ import annotations

import re

from tests.fixtures.programs import ILTP_STAGES, stage_id
from tests.test_programs import enroll_data, text_of
from tracker.models import Role


def test_stages_and_cohorts_are_grouped_by_their_program(
    client, app, login_as, acp, make_program, make_cohort
):
    iltp = make_program("ILTP", stages=ILTP_STAGES)
    make_cohort(iltp, "ILTP cohort I", 2016)
    login_as(Role.COORDINATOR)
    html = client.get("/enrollments/new?program=ACP").get_data(as_text=True)
    stage_select = re.search(r'<select[^>]*id="stage_id".*?</select>', html, re.S)[0]
    groups = re.findall(
        r'<optgroup label="([^"]+)">(.*?)</optgroup>', stage_select, re.S
    )
    assert [label for label, _ in groups] == ["ACP", "ILTP"]
    acp_group = dict(groups)["ACP"]
    assert f'value="{stage_id(app, acp.program, "diagnosis")}"' in acp_group
    assert f'value="{stage_id(app, iltp, "in_training")}"' not in acp_group
    # The script that narrows the lists finds each program's code.
    assert 'data-program-code="ACP"' in html and "js/enrollments.js" in html
    # A cohort whose name gives its year is not told the year twice.
    assert "ACP cohort I (2012)</option>" in html and "(2012) (2012)" not in html
    assert "ILTP cohort I (2016)</option>" in html


def test_a_stage_of_another_program_is_refused_beside_the_field(
    client, app, login_as, acp, make_program, make_municipality
):
    iltp = make_program("ILTP", stages=ILTP_STAGES)
    town = make_municipality("Fier", country="AL")
    login_as(Role.COORDINATOR)
    response = client.post_form(
        "/enrollments/new",
        enroll_data(town, acp.program, stage_id(app, iltp, "in_training")),
    )
    assert response.status_code == 422
    assert "The stage “In training” is not a stage of ACP." in text_of(response)


def test_a_duplicate_enrollment_links_to_the_existing_one(client, app, login_as, acp):
    login_as(Role.COORDINATOR)
    ready = stage_id(app, acp.program, "ready_to_join")
    response = client.post_form(
        "/enrollments/new", enroll_data(acp.rijeka, acp.program, ready)
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'href="/enrollments/{acp.rijeka_enrollment}"' in html
    assert "Open the existing enrollment" in text_of(response)
