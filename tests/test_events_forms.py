"""The form battery for the events forms: empty fields, 10,000 characters,
wrong types, script text and extra fields never give a 500, never lose the
input and never change what they should not."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.fixtures.events import in_days
from tracker.extensions import db
from tracker.models import (
    Attendance,
    AuditEntry,
    Event,
    EventSession,
    Participation,
    Person,
    Role,
)

LONG = "x" * 10_001
SCRIPT = "<script>alert('boo')</script>"
ESCAPED = "&lt;script&gt;alert(&#39;boo&#39;)&lt;/script&gt;"


@pytest.fixture
def setup(make_municipality, make_person, make_event, make_participation):
    """One past event with a participant, one upcoming event, Rijeka's people."""
    rijeka = make_municipality("Rijeka", country="HR")
    belgrade = make_municipality("Belgrade", country="RS")
    ivana = make_person("Ivana Horvat", municipality_id=rijeka)
    luka = make_person("Luka Perić", municipality_id=rijeka)
    past = make_event(
        "Past event", starts_on=date(2017, 9, 4), ends_on=date(2017, 9, 8)
    )
    upcoming = make_event("Upcoming event", starts_on=in_days(30))
    participation = make_participation(past, ivana)
    return {
        "rijeka": rijeka,
        "belgrade": belgrade,
        "ivana": ivana,
        "luka": luka,
        "past": past,
        "upcoming": upcoming,
        "participation": participation,
    }


def _changes(app) -> int:
    """Audit entries so far: every saved row writes one."""
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEntry.id)))


# (name, role, url template, valid data, text fields)
FORMS = {
    "event": (
        Role.COORDINATOR,
        "/events/new",
        {
            "title": "A title",
            "kind": "workshop",
            "starts_on": "2017-06-14",
            "ends_on": "2017-06-15",
        },
        ["title", "city", "venue", "organisers"],
    ),
    "event_edit": (
        Role.COORDINATOR,
        "/events/{past}/edit",
        {
            "title": "A title",
            "kind": "summit",
            "starts_on": "2017-09-04",
            "ends_on": "2017-09-08",
            "version_id": "1",
        },
        ["title", "city", "venue", "organisers"],
    ),
    "session": (
        Role.COORDINATOR,
        "/events/{past}/sessions",
        {"held_on": "2017-09-05", "kind": "keynote", "title": "Keynote"},
        ["title", "speakers", "description"],
    ),
    "participation": (
        Role.COORDINATOR,
        "/events/{upcoming}/participants",
        {"person_id": "{luka}", "role": "delegate", "attendance": "registered"},
        ["presentation_title"],
    ),
    "new_person": (
        Role.COORDINATOR,
        "/events/{upcoming}/participants/new-person",
        {"full_name": "New Person", "role": "delegate", "attendance": "registered"},
        ["full_name", "position", "organisation", "phone", "presentation_title"],
    ),
    "participation_edit": (
        Role.ADMIN,
        "/events/{past}/participants/{participation}/edit",
        {
            "municipality_id": "{rijeka}",
            "role": "speaker",
            "attendance": "attended",
            "version_id": "1",
        },
        ["presentation_title"],
    ),
    "proposal": (
        Role.CONTACT,
        "/events/{upcoming}/propose",
        {"person_id": "{luka}", "role": "delegate"},
        ["presentation_title"],
    ),
}


def _sign_in(login_as, role, setup):
    if role == Role.CONTACT:
        return login_as(role, municipality_id=setup["rijeka"])
    return login_as(role)


def _fill(data: dict, setup) -> dict:
    return {key: value.format(**setup) for key, value in data.items()}


@pytest.mark.parametrize("name", FORMS)
def test_empty_form_comes_back_with_messages(client, login_as, setup, app, name):
    role, url, _, _ = FORMS[name]
    _sign_in(login_as, role, setup)
    before = _changes(app)
    response = client.post_form(url.format(**setup), {})
    assert response.status_code == 200
    assert "invalid-feedback" in response.get_data(as_text=True)
    assert _changes(app) == before


@pytest.mark.parametrize("name", FORMS)
def test_ten_thousand_characters_are_refused_beside_the_field(
    client, login_as, setup, app, name
):
    role, url, valid, fields = FORMS[name]
    _sign_in(login_as, role, setup)
    before = _changes(app)
    for field in fields:
        data = {**_fill(valid, setup), field: LONG}
        if name == "proposal" and field != "presentation_title":
            data["person_id"] = ""
        response = client.post_form(url.format(**setup), data)
        assert response.status_code == 200, field
        page = response.get_data(as_text=True)
        # Forms sharing the event page prefix their ids ("session-title").
        assert re.search(rf'id="([a-z-]+-)?{field}-errors"', page), field
        assert "characters" in page
        assert LONG in page, f"{field}: the input was lost"
    assert _changes(app) == before


@pytest.mark.parametrize(
    ("name", "field", "value", "message"),
    [
        ("event", "starts_on", "2017-02-31", "Not a valid date value."),
        ("event", "ends_on", "tomorrow", "Not a valid date value."),
        ("event", "kind", "party", "Not a valid choice."),
        ("event", "country_id", "abc", "could not coerce"),
        ("event", "country_id", "999999", "Not a valid choice."),
        ("event", "program_id", "1.5", "could not coerce"),
        ("session", "held_on", "31/02/2017", "Not a valid date value."),
        ("session", "position", "first", "Not a valid integer value."),
        ("session", "position", "-3", "Number must be between 0 and 999."),
        ("session", "kind", "lunch", "Not a valid choice."),
        ("participation", "person_id", "somebody", "could not coerce"),
        ("participation", "person_id", "999999", "Choose a person"),
        ("participation", "attendance", "proposed", "Not a valid choice."),
        ("new_person", "email", "not-an-email", "Invalid email address."),
        ("new_person", "role", "mayor", "Not a valid choice."),
        ("participation_edit", "municipality_id", "x", "could not coerce"),
        ("proposal", "person_id", "abc", "could not coerce"),
        ("proposal", "role", "admin", "Not a valid choice."),
    ],
)
def test_wrong_types_are_refused_with_a_message(
    client, login_as, setup, app, name, field, value, message
):
    role, url, valid, _ = FORMS[name]
    _sign_in(login_as, role, setup)
    before = _changes(app)
    response = client.post_form(
        url.format(**setup), {**_fill(valid, setup), field: value}
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _changes(app) == before


def test_bulk_attendance_refuses_junk_ids(client, login_as, setup, app):
    login_as(Role.COORDINATOR)
    response = client.post_form(
        f"/events/{setup['past']}/attendance",
        {"participation_ids": ["abc"], "attendance": "attended"},
    )
    assert response.status_code == 200
    response = client.post_form(
        f"/events/{setup['past']}/attendance",
        {"participation_ids": [str(setup["participation"])], "attendance": "maybe"},
    )
    assert "Not a valid choice." in response.get_data(as_text=True)
    with app.app_context():
        participation = db.session.get(Participation, setup["participation"])
        assert participation.attendance == Attendance.REGISTERED


def test_script_text_is_shown_escaped(client, login_as, setup, app):
    login_as(Role.COORDINATOR)
    response = client.post_form(
        "/events/new",
        {**_fill(FORMS["event"][2], setup), "title": SCRIPT, "organisers": SCRIPT},
    )
    assert response.status_code == 302
    client.post_form(
        f"/events/{setup['past']}/sessions",
        {**_fill(FORMS["session"][2], setup), "title": SCRIPT, "speakers": SCRIPT},
    )
    client.post_form(
        f"/events/{setup['past']}/participants/new-person",
        {
            **_fill(FORMS["new_person"][2], setup),
            "full_name": SCRIPT,
            "presentation_title": SCRIPT,
        },
    )
    with app.app_context():
        event_id = db.session.scalar(select(Event.id).where(Event.title == SCRIPT))
    for url in (
        f"/events/{event_id}",
        f"/events/{setup['past']}",
        f"/events/{setup['past']}/sign-in-sheet",
        "/events/",
    ):
        page = client.get(url).get_data(as_text=True)
        assert SCRIPT not in page, url
        assert ESCAPED in page, url
    bad = client.post_form(
        "/events/new", {**_fill(FORMS["event"][2], setup), "title": SCRIPT, "kind": ""}
    )
    assert SCRIPT not in bad.get_data(as_text=True)
    assert ESCAPED in bad.get_data(as_text=True)


def test_extra_fields_a_contact_adds_change_nothing(client, login_as, setup, app):
    contact = login_as(Role.CONTACT, municipality_id=setup["rijeka"])
    response = client.post_form(
        f"/events/{setup['upcoming']}/propose",
        {
            **_fill(FORMS["proposal"][2], setup),
            "municipality_id": str(setup["belgrade"]),
            "status": "approved",
            "attendance": "attended",
            "proposed_by_id": "1",
            "event_id": str(setup["past"]),
            "is_public": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        participation = db.session.scalar(
            select(Participation).where(Participation.person_id == setup["luka"])
        )
        assert participation.event_id == setup["upcoming"]
        assert participation.municipality_id == setup["rijeka"]
        assert participation.attendance == Attendance.PROPOSED
        assert participation.proposed_by_id == contact
        assert db.session.get(Event, setup["upcoming"]).is_public is False
        assert db.session.get(Person, setup["luka"]).municipality_id == setup["rijeka"]


def test_extra_fields_on_staff_forms_change_nothing(client, login_as, setup, app):
    login_as(Role.COORDINATOR)
    client.post_form(
        f"/events/{setup['past']}/sessions",
        {**_fill(FORMS["session"][2], setup), "event_id": str(setup["upcoming"])},
    )
    client.post_form(
        f"/events/{setup['past']}/participants/{setup['participation']}/edit",
        {
            **_fill(FORMS["participation_edit"][2], setup),
            "person_id": str(setup["luka"]),
            "event_id": str(setup["upcoming"]),
            "proposed_by_id": "1",
        },
    )
    with app.app_context():
        item = db.session.scalar(select(EventSession))
        assert item.event_id == setup["past"]
        participation = db.session.get(Participation, setup["participation"])
        assert participation.person_id == setup["ivana"]
        assert participation.event_id == setup["past"]
        assert participation.proposed_by_id is None
        assert participation.attendance == Attendance.ATTENDED


def test_a_form_without_csrf_token_is_refused(client, login_as, setup, app):
    login_as(Role.COORDINATOR)
    response = client.post("/events/new", data=_fill(FORMS["event"][2], setup))
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(Event.id))) == 2
