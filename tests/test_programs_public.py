"""The public program pages: what each program is, who takes part and where
they stand, published testimonials and public events; staff keep their view."""

from __future__ import annotations

from datetime import date

from tests.test_programs import text_of
from tracker.models import Role


def test_anonymous_visitor_reads_what_acp_is_and_who_takes_part(
    client, acp, make_event, make_testimonial, make_user
):
    make_event(
        "Regional conference on integrity",
        starts_on=date(2012, 12, 17),
        program_id=acp.program,
        is_public=True,
    )
    make_event("Closed coordination meeting", program_id=acp.program)
    contact = make_user(Role.CONTACT, municipality_id=acp.kucove)
    make_testimonial(
        acp.kucove,
        contact,
        "approved",
        quote="The strategy changed how our council works.",
        program_id=acp.program,
    )
    make_testimonial(
        acp.kucove,
        contact,
        "submitted",
        quote="Not reviewed yet.",
        program_id=acp.program,
    )
    response = client.get("/programs/ACP")
    assert response.status_code == 200
    page = text_of(response)
    # The participatory process, in order, and its context.
    process = [
        page.index("Diagnosis:"),
        page.index("Solutions formulation:"),
        page.index("Implementation:"),
    ]
    assert process == sorted(process)
    assert "Transparency International" in page
    assert "coalition" in page
    # Who takes part, under the stage each stands at.
    assert "3 municipalities are enrolled, from 3 countries." in page
    diagnosis = page.index("Diagnosis 1")
    assert page.index("Belgrade (") > diagnosis
    assert page.index("Kuçovë (") > page.index("Implementation 1")
    assert "Rijeka (" in page
    # Published testimonials and public events only.
    assert "The strategy changed how our council works." in page
    assert "Not reviewed yet." not in page
    assert "Regional conference on integrity" in page
    assert "Closed coordination meeting" not in page
    # Nothing of the staff view: no history, no edit buttons, no assessments.
    assert "History" not in page and "Enroll a municipality" not in page


def test_iltp_public_page_gives_all_three_aims(client, app, make_program):
    make_program("ILTP")
    page = text_of(client.get("/programs/ILTP"))
    assert "culture of integrity in local governments" in page
    assert "integrity competence" in page
    assert "build it in their organisations together with others" in page
    assert "No municipality is enrolled yet." in page


def test_the_public_menu_links_the_programs_and_staff_keep_their_view(
    client, login_as, acp
):
    home = client.get("/").get_data(as_text=True)
    assert 'href="/programs/"' in home
    programs = text_of(client.get("/programs/"))
    assert "Municipalities enrolled" in programs
    login_as(Role.MANAGER)
    page = text_of(client.get("/programs/ACP"))
    assert "History" in page and "Cohorts" in page
    assert "Who takes part and where they stand" not in page
    # Signed in, the navigation still offers the open data.
    assert 'href="/open-data"' in client.get("/programs/").get_data(as_text=True)
