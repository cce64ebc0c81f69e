"""Merging two people, or two municipalities, that are one."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tracker.documents.services import attach
from tracker.documents.storage import storage
from tracker.extensions import db
from tracker.models import (
    Attachment,
    Attendance,
    AuditEntry,
    ListingConsent,
    Municipality,
    Participation,
    Person,
    Role,
    Testimonial,
    User,
    Visibility,
)
from tracker.privacy.erasure import erase_people


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page)[1]


def merge_post(client, url: str, **choices: str):
    """Open the merge page, then submit it with ``choices`` (field -> this/other)."""
    page = client.get(url).get_data(True)
    data = {
        "this_version": hidden(page, "this_version"),
        "other_version": hidden(page, "other_version"),
    }
    for field in re.findall(r'name="keep_(\w+)"', page):
        checked = re.search(rf'checked[^>]*name="keep_{field}"[^>]*value="(\w+)"', page)
        data[f"keep_{field}"] = choices.get(field, checked[1] if checked else "this")
    return client.post_form(url, data)


@pytest.fixture
def twins(make_municipality, make_person, make_event, make_participation):
    """Ana Horvat twice in Rijeka: the copy has three participations."""
    rijeka = make_municipality("Rijeka", "HR", population=108_622)
    ana = make_person("Ana Horvat", municipality_id=rijeka, position="Mayor")
    copy = make_person(
        "Ana Horvat", municipality_id=rijeka, email="ana@rijeka.example.org"
    )
    events = [make_event(f"Study tour {n}") for n in range(3)]
    for number, event in enumerate(events):
        make_participation(
            event,
            copy,
            attendance=(Attendance.ATTENDED, Attendance.REGISTERED)[number % 2],
        )
    return {"rijeka": rijeka, "ana": ana, "copy": copy, "events": events}


def test_merging_two_people_moves_participations_and_keeps_dashboard_totals(
    app, client, login_as, twins
):
    login_as(Role.COORDINATOR)
    before = client.get("/api/v1/stats").get_json()
    url = f"/people/{twins['ana']}/merge?other={twins['copy']}"
    page = client.get(url).get_data(True)
    assert "3 participations of Ana Horvat move to Ana Horvat." in page
    response = merge_post(client, url, email="other")
    assert response.status_code == 302
    with app.app_context():
        survivor = db.session.get(Person, twins["ana"])
        assert db.session.get(Person, twins["copy"]) is None
        assert survivor.email == "ana@rijeka.example.org"  # chosen from the copy
        assert survivor.position == "Mayor"  # kept
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Participation)
                .where(Participation.person_id == twins["ana"])
            )
            == 3
        )
        merge = db.session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "merge", AuditEntry.entity_type == "person"
            )
        )
        assert merge.entity_id == twins["ana"]
        assert merge.changes["merged_id"] == twins["copy"]
        assert merge.changes["participations_moved"] == 3
    assert client.get("/api/v1/stats").get_json() == before


def test_the_merged_persons_address_redirects_to_the_survivor(client, login_as, twins):
    login_as(Role.COORDINATOR)
    merge_post(client, f"/people/{twins['ana']}/merge?other={twins['copy']}")
    moved = client.get(f"/people/{twins['copy']}")
    assert moved.status_code == 308
    assert moved.headers["Location"] == f"/people/{twins['ana']}"
    assert client.get("/people/999999").status_code == 404


def test_the_same_event_twice_keeps_the_participation_that_says_more(
    app, client, login_as, twins, make_participation, make_user
):
    # Ana was registered for study tour 0; the copy attended it.
    make_participation(
        twins["events"][0], twins["ana"], attendance=Attendance.REGISTERED
    )
    account = make_user(Role.MANAGER, person_id=twins["copy"])
    login_as(Role.ADMIN)
    url = f"/people/{twins['ana']}/merge?other={twins['copy']}"
    page = client.get(url).get_data(True)
    assert (
        "Both are in Study tour 0: the participation marked attended is kept, "
        "the one marked registered is removed."
    ) in page
    assert merge_post(client, url).status_code == 302
    with app.app_context():
        kept = db.session.scalars(
            select(Participation).where(Participation.person_id == twins["ana"])
        ).all()
        assert len(kept) == 3
        tour = next(p for p in kept if p.event_id == twins["events"][0])
        assert tour.attendance == Attendance.ATTENDED
        assert db.session.get(User, account).person_id == twins["ana"]


def test_a_stale_merge_page_is_refused(app, client, login_as, twins):
    login_as(Role.COORDINATOR)
    url = f"/people/{twins['ana']}/merge?other={twins['copy']}"
    page = client.get(url).get_data(True)
    with app.app_context():
        db.session.get(Person, twins["copy"]).phone = "+385 51 000 000"
        db.session.commit()
    response = client.post_form(
        url,
        {
            "this_version": hidden(page, "this_version"),
            "other_version": hidden(page, "other_version"),
        },
    )
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(Person, twins["copy"]) is not None


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CONTACT])
def test_other_roles_may_not_merge(app, client, login_as, twins, role):
    login_as(role)
    url = f"/people/{twins['ana']}/merge?other={twins['copy']}"
    assert client.get(url).status_code == 403
    assert client.post_form(url, {}).status_code == 403
    url = f"/municipalities/{twins['rijeka']}/merge"
    assert client.get(url).status_code in (403, 404)
    with app.app_context():
        assert db.session.get(Person, twins["copy"]) is not None


def test_anonymous_visitors_are_sent_to_sign_in(client, twins):
    response = client.get(f"/people/{twins['ana']}/merge")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_merging_two_municipalities_moves_everything(
    app,
    client,
    login_as,
    make_municipality,
    make_person,
    make_user,
    make_event,
    make_participation,
):
    sabac = make_municipality("Šabac", "RS", population=115_884)
    copy = make_municipality("Sabac", "RS", population=None, region="Mačva")
    person = make_person("Milan Jović", municipality_id=copy)
    contact = make_user(Role.CONTACT, municipality_id=copy)
    make_participation(make_event(), person)
    login_as(Role.COORDINATOR)
    url = f"/municipalities/{sabac}/merge"
    chooser = client.get(url).get_data(True)
    assert f"/municipalities/{sabac}/merge?other={copy}" in chooser
    url = f"{url}?other={copy}"
    assert "1 people, 1 user accounts" in client.get(url).get_data(True)
    assert merge_post(client, url).status_code == 302
    with app.app_context():
        survivor = db.session.get(Municipality, sabac)
        assert survivor.name == "Šabac"
        assert survivor.population == 115_884
        assert survivor.region == "Mačva"  # only the copy had one
        assert db.session.get(Person, person).municipality_id == sabac
        assert db.session.get(User, contact).municipality_id == sabac
        assert (
            db.session.scalar(
                select(Participation.municipality_id).where(
                    Participation.person_id == person
                )
            )
            == sabac
        )
        assert db.session.get(Municipality, copy) is None
        assert db.session.scalar(select(func.count()).select_from(Testimonial)) == 0
    moved = client.get(f"/municipalities/{copy}")
    assert moved.status_code == 308
    assert moved.headers["Location"] == f"/municipalities/{sabac}"


def test_two_enrollments_in_one_program_keep_the_survivors_with_both_assessments(
    app, client, login_as, make_municipality
):
    from datetime import date

    from tests.fixtures.programs import (
        build_assessment,
        build_enrollment,
        build_program,
    )
    from tracker.models import Assessment, Enrollment, StageChange

    kept_id = make_municipality("Niš", "RS")
    copy_id = make_municipality("Nis", "RS")
    with app.app_context():
        program = build_program("ACP")
        kept = build_enrollment(kept_id, program, [("diagnosis", date(2013, 1, 1))])
        dropped = build_enrollment(
            copy_id,
            program,
            [("ready_to_join", date(2012, 3, 1)), ("diagnosis", date(2012, 6, 1))],
        )
        build_assessment(dropped, date(2012, 9, 1))
        ids = kept.id, dropped.id
        db.session.commit()
    login_as(Role.COORDINATOR)
    url = f"/municipalities/{kept_id}/merge?other={copy_id}"
    assert "Both are enrolled in Program ACP" in client.get(url).get_data(True)
    assert merge_post(client, url).status_code == 302
    with app.app_context():
        assert db.session.get(Enrollment, ids[1]) is None
        assert (
            db.session.scalar(
                select(Assessment.enrollment_id).where(
                    Assessment.enrollment_id == ids[0]
                )
            )
            == ids[0]
        )
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(StageChange)
                .where(StageChange.enrollment_id == ids[1])
            )
            == 0
        )
        assert db.session.scalars(select(Enrollment.municipality_id)).all() == [kept_id]


def test_consents_and_certificates_follow_the_merged_person(
    app, client, login_as, twins, make_participation, make_consent
):
    # A consent about the copy's participation that is dropped goes with it;
    # the copy's general consent moves to the survivor.
    make_participation(twins["events"][0], twins["ana"], attendance=Attendance.ATTENDED)
    with app.app_context():
        dropped = db.session.scalar(
            select(Participation.id).where(
                Participation.person_id == twins["copy"],
                Participation.event_id == twins["events"][0],
            )
        )
    general = make_consent(twins["copy"])
    about_dropped = make_consent(twins["copy"], participation_id=dropped)
    login_as(Role.COORDINATOR)
    url = f"/people/{twins['ana']}/merge?other={twins['copy']}"
    assert merge_post(client, url).status_code == 302
    with app.app_context():
        assert db.session.get(ListingConsent, general).person_id == twins["ana"]
        assert db.session.get(ListingConsent, about_dropped) is None
        assert db.session.get(Person, twins["copy"]) is None


def test_an_erased_person_is_not_merged(app, client, login_as, twins):
    login_as(Role.COORDINATOR)
    with app.app_context():
        erase_people([db.session.get(Person, twins["copy"])], "test", "request")
        db.session.commit()
    url = f"/people/{twins['ana']}/merge?other={twins['copy']}"
    response = client.get(url, follow_redirects=True)
    assert "A person whose data was erased cannot be merged." in response.get_data(True)
    with app.app_context():
        assert db.session.get(Person, twins["copy"]) is not None


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def attach_pdf(app, model, record_id: int, title: str) -> int:
    with app.app_context():
        attachment = attach(
            db.session.get(model, record_id),
            PDF,
            file_name="slides.pdf",
            title=title,
            language="en",
            visibility=Visibility.STAFF,
            by=None,
            storage=storage(),
        )
        db.session.commit()
        return attachment.id


def test_documents_stay_with_the_record_that_survives_a_merge(
    app,
    client,
    login_as,
    tmp_path,
    monkeypatch,
    twins,
    make_participation,
    make_municipality,
):
    monkeypatch.setitem(app.config, "DOCUMENTS_PATH", str(tmp_path / "store"))
    # Ana was registered for study tour 0, which the copy attended: Ana's
    # participation is the one dropped, and its slides go to the one kept.
    registered = make_participation(twins["events"][0], twins["ana"])
    slides = attach_pdf(app, Participation, registered, "Open data portal")
    login_as(Role.COORDINATOR)
    url = f"/people/{twins['ana']}/merge?other={twins['copy']}"
    assert merge_post(client, url).status_code == 302
    with app.app_context():
        assert db.session.get(Participation, registered) is None
        attachment = db.session.get(Attachment, slides)
        assert attachment.participation.person_id == twins["ana"]
        assert attachment.participation.event_id == twins["events"][0]

    copy = make_municipality("Rijeka (copy)", "HR")
    plan = attach_pdf(app, Municipality, copy, "Anticorruption plan")
    url = f"/municipalities/{twins['rijeka']}/merge?other={copy}"
    assert merge_post(client, url).status_code == 302
    with app.app_context():
        assert db.session.get(Municipality, copy) is None
        assert db.session.get(Attachment, plan).municipality_id == twins["rijeka"]
