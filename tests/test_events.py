"""Events, sessions, participations, proposals, exports and the public pages."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from markupsafe import escape
from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from tests.fixtures.events import in_days
from tracker.extensions import db
from tracker.models import (
    Attendance,
    Event,
    EventSession,
    Notification,
    Participation,
    ParticipationRole,
    Person,
    Role,
)


@pytest.fixture
def places(make_municipality, make_person):
    """Rijeka and Belgrade with one person each (and a phone and e-mail)."""
    rijeka = make_municipality("Rijeka", country="HR")
    belgrade = make_municipality("Belgrade", country="RS")
    return {
        "rijeka": rijeka,
        "belgrade": belgrade,
        "ivana": make_person(
            "Ivana Horvat",
            municipality_id=rijeka,
            email="ivana@rijeka.example.org",
            phone="+385 51 111 222",
        ),
        "jelena": make_person(
            "Jelena Marković",
            municipality_id=belgrade,
            email="jelena@beograd.example.org",
            phone="+381 11 333 444",
        ),
    }


def _get(app, model, object_id):
    with app.app_context():
        return db.session.get(model, object_id)


def _count(app, model, *conditions) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(model).where(*conditions)
        )


EVENT_FORM = {
    "title": "Regional conference",
    "kind": "conference",
    "starts_on": "2013-12-16",
    "ends_on": "2013-12-18",
    "city": "Ljubljana",
    "country_id": "",
    "venue": "",
    "organisers": "UPP",
    "description": "",
    "program_id": "",
}


# ------------------------------------------------------------------ events


def test_coordinator_creates_event(client, login_as, app):
    login_as(Role.COORDINATOR)
    response = client.post_form("/events/new", {**EVENT_FORM, "is_public": "y"})
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalar(
            select(Event).where(Event.title == EVENT_FORM["title"])
        )
        assert event.ends_on == date(2013, 12, 18)
        assert event.is_public is True
    assert response.headers["Location"].endswith(f"/events/{event.id}")


def test_end_before_start_is_refused_with_a_field_message(client, login_as, app):
    login_as(Role.COORDINATOR)
    response = client.post_form(
        "/events/new",
        {**EVENT_FORM, "starts_on": "2013-12-18", "ends_on": "2013-12-16"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="ends_on-errors"' in page
    assert "The end date cannot be before the start date." in page
    assert 'value="Regional conference"' in page
    assert _count(app, Event) == 0


def test_database_refuses_end_before_start(app):
    with app.app_context():
        db.session.add(
            Event(
                title="Backwards",
                kind="workshop",
                starts_on=date(2020, 1, 2),
                ends_on=date(2020, 1, 1),
            )
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_edit_with_an_old_version_is_refused_and_keeps_input(
    client, login_as, make_event, app
):
    event_id = make_event("Old title", starts_on=date(2016, 1, 1))
    login_as(Role.COORDINATOR)
    form = {
        **EVENT_FORM,
        "title": "My new title",
        "starts_on": "2016-01-01",
        "ends_on": "2016-01-02",
    }
    stale = client.post_form(f"/events/{event_id}/edit", {**form, "version_id": "0"})
    assert stale.status_code == 409
    assert "Someone else changed this record" in stale.get_data(as_text=True)
    assert 'value="My new title"' in stale.get_data(as_text=True)
    assert _get(app, Event, event_id).title == "Old title"
    saved = client.post_form(f"/events/{event_id}/edit", {**form, "version_id": "1"})
    assert saved.status_code == 302
    assert _get(app, Event, event_id).title == "My new title"


def test_event_dates_cannot_leave_sessions_outside(
    client, login_as, make_event, make_session, app
):
    event_id = make_event(starts_on=date(2017, 9, 4), ends_on=date(2017, 9, 8))
    make_session(event_id, held_on=date(2017, 9, 8))
    login_as(Role.COORDINATOR)
    response = client.post_form(
        f"/events/{event_id}/edit",
        {
            **EVENT_FORM,
            "starts_on": "2017-09-04",
            "ends_on": "2017-09-06",
            "version_id": "1",
        },
    )
    assert response.status_code == 200
    assert "Some sessions are dated after this end date" in response.get_data(
        as_text=True
    )
    assert _get(app, Event, event_id).ends_on == date(2017, 9, 8)


def test_delete_is_refused_while_people_take_part(
    client, login_as, make_event, make_participation, places, app
):
    event_id = make_event()
    make_participation(event_id, places["ivana"])
    login_as(Role.COORDINATOR)
    response = client.post_form(f"/events/{event_id}/delete", follow_redirects=True)
    assert "remove them before deleting the event" in response.get_data(as_text=True)
    assert _get(app, Event, event_id) is not None


def test_delete_removes_the_event_and_its_agenda(
    client, login_as, make_event, make_session, app
):
    event_id = make_event()
    make_session(event_id)
    login_as(Role.ADMIN)
    response = client.post_form(f"/events/{event_id}/delete")
    assert response.status_code == 302
    assert _get(app, Event, event_id) is None
    assert _count(app, EventSession, EventSession.event_id == event_id) == 0


def test_manager_sees_events_but_no_edit_buttons(client, login_as, make_event):
    event_id = make_event("Visible to managers")
    login_as(Role.MANAGER)
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Visible to managers" in page
    assert f"/events/{event_id}/edit" not in page
    assert "Add a participant" not in page
    assert client.get(f"/events/{event_id}/edit").status_code == 403


# ------------------------------------------------------------------ list


def test_list_filters_by_kind_year_country_program_when_and_text(
    client, login_as, make_event, make_country, app
):
    from tracker.models import Program

    kr_id = make_country("KR", "Korea, Republic of")
    with app.app_context():
        iltp = Program(code="ILTP", name="Integrity Leadership Training Program")
        db.session.add(iltp)
        db.session.commit()
        iltp_id = iltp.id
    seoul = make_event(
        "Smart City Week, Seoul",
        kind="summit",
        starts_on=date(2017, 9, 4),
        country_id=kr_id,
        city="Seoul",
    )
    training = make_event(
        "ILTP training",
        kind="training",
        starts_on=date(2016, 4, 12),
        program_id=iltp_id,
    )
    future = make_event("Next workshop", starts_on=in_days(20))
    login_as(Role.COORDINATOR)

    def titles(query: str) -> set[str]:
        page = client.get("/events/?" + query).get_data(as_text=True)
        found = set()
        for event_id, title in (
            (seoul, "Smart City Week, Seoul"),
            (training, "ILTP training"),
            (future, "Next workshop"),
        ):
            if f'href="/events/{event_id}"' in page:
                found.add(title)
        return found

    assert titles("kind=summit") == {"Smart City Week, Seoul"}
    assert titles("year=2016") == {"ILTP training"}
    assert titles("country=kr") == {"Smart City Week, Seoul"}
    assert titles("program=ILTP") == {"ILTP training"}
    assert titles("when=upcoming") == {"Next workshop"}
    assert titles("when=past") == {"Smart City Week, Seoul", "ILTP training"}
    assert titles("q=seoul") == {"Smart City Week, Seoul"}
    # Junk filters are ignored, never an error.
    assert client.get("/events/?year=abc&kind=<script>&page=x").status_code == 200


def test_contact_lists_only_events_they_may_see(
    client, login_as, make_event, make_participation, places
):
    mine = make_event("Past, Rijeka took part")
    make_participation(mine, places["ivana"])
    theirs = make_event("Past, only Belgrade")
    make_participation(theirs, places["jelena"])
    public = make_event("Past public", is_public=True)
    upcoming = make_event("Coming soon", starts_on=in_days(10))
    login_as(Role.CONTACT, municipality_id=places["rijeka"])
    page = client.get("/events/").get_data(as_text=True)
    for event_id in (mine, public, upcoming):
        assert f'href="/events/{event_id}"' in page
    assert f'href="/events/{theirs}"' not in page
    assert client.get(f"/events/{theirs}").status_code == 404


# ------------------------------------------------------------------ sessions


def test_sessions_are_added_within_the_event_and_ordered(
    client, login_as, make_event, app
):
    event_id = make_event(starts_on=date(2017, 9, 4), ends_on=date(2017, 9, 8))
    login_as(Role.COORDINATOR)
    url = f"/events/{event_id}/sessions"
    base = {"kind": "site_visit", "speakers": "", "description": ""}
    client.post_form(
        url, {**base, "held_on": "2017-09-06", "title": "B", "position": "1"}
    )
    client.post_form(
        url, {**base, "held_on": "2017-09-06", "title": "A", "position": "0"}
    )
    client.post_form(url, {**base, "held_on": "2017-09-05", "title": "C"})
    outside = client.post_form(url, {**base, "held_on": "2017-09-09", "title": "Late"})
    assert outside.status_code == 200
    assert "The session must take place during the event" in outside.get_data(
        as_text=True
    )
    with app.app_context():
        titles = [item.title for item in db.session.get(Event, event_id).sessions]
    assert titles == ["C", "A", "B"]


def test_session_is_edited_in_place_on_the_event_page(
    client, login_as, make_event, make_session, app
):
    event_id = make_event(starts_on=date(2017, 9, 4), ends_on=date(2017, 9, 8))
    session_id = make_session(event_id, "Old name")
    login_as(Role.COORDINATOR)
    url = f"/events/{event_id}/sessions/{session_id}/edit"
    page = client.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Agenda and site visits" in text and 'value="Old name"' in text
    form = {
        "held_on": "2017-09-05",
        "kind": "keynote",
        "title": "New name",
        "position": "0",
        "version_id": "1",
    }
    assert client.post_form(url, form).status_code == 302
    assert _get(app, EventSession, session_id).title == "New name"
    stale = client.post_form(url, {**form, "title": "Late edit"})
    assert stale.status_code == 409
    assert _get(app, EventSession, session_id).title == "New name"


# ------------------------------------------------------------------ participations


def _add(client, event_id, person_id, **fields):
    return client.post_form(
        f"/events/{event_id}/participants",
        {
            "person_id": str(person_id),
            "municipality_id": "",
            "role": "delegate",
            "attendance": "registered",
            "presentation_title": "",
            **fields,
        },
    )


def test_duplicate_participation_is_refused_with_a_message(
    client, login_as, make_event, places, app
):
    event_id = make_event()
    login_as(Role.COORDINATOR)
    assert _add(client, event_id, places["ivana"]).status_code == 302
    again = _add(client, event_id, places["ivana"])
    assert again.status_code == 200
    assert "Ivana Horvat is already a participant of this event." in again.get_data(
        as_text=True
    )
    assert _count(app, Participation, Participation.event_id == event_id) == 1


def test_database_refuses_a_second_participation_of_one_person(
    app, make_event, make_participation, places
):
    event_id = make_event()
    make_participation(event_id, places["ivana"])
    with pytest.raises(IntegrityError):
        make_participation(event_id, places["ivana"])


def test_represented_municipality_stays_after_the_person_moves(
    client, login_as, make_event, places, app
):
    event_id = make_event()
    login_as(Role.COORDINATOR)
    _add(client, event_id, places["ivana"])
    with app.app_context():
        person = db.session.get(Person, places["ivana"])
        person.municipality_id = places["belgrade"]
        db.session.commit()
        participation = db.session.scalar(
            select(Participation).where(Participation.event_id == event_id)
        )
        assert participation.municipality_id == places["rijeka"]
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert ": Rijeka</h3>" in page


def test_person_is_created_inline_and_added(client, login_as, make_event, places, app):
    event_id = make_event()
    login_as(Role.COORDINATOR)
    response = client.post_form(
        f"/events/{event_id}/participants/new-person",
        {
            "full_name": "Reisa Duraj",
            "position": "Head of Finance",
            "organisation": "",
            "municipality_id": str(places["rijeka"]),
            "email": "reisa@example.org",
            "phone": "",
            "role": "speaker",
            "presentation_title": "MFSA in practice",
            "attendance": "attended",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        participation = db.session.scalar(
            select(Participation).where(Participation.event_id == event_id)
        )
        assert participation.person.full_name == "Reisa Duraj"
        assert participation.municipality_id == places["rijeka"]
        assert participation.role == ParticipationRole.SPEAKER


def test_inline_person_with_a_taken_email_is_refused(
    client, login_as, make_event, places, app
):
    event_id = make_event()
    login_as(Role.COORDINATOR)
    response = client.post_form(
        f"/events/{event_id}/participants/new-person",
        {
            "full_name": "Someone Else",
            "email": "ivana@rijeka.example.org",
            "role": "delegate",
            "attendance": "registered",
        },
    )
    assert response.status_code == 200
    assert "Someone with this e-mail address is already recorded" in (
        response.get_data(as_text=True)
    )
    assert _count(app, Person, Person.full_name == "Someone Else") == 0


def test_search_finds_people_not_yet_taking_part(
    client, login_as, make_event, make_participation, places
):
    event_id = make_event()
    make_participation(event_id, places["jelena"])
    login_as(Role.COORDINATOR)
    page = client.get(f"/events/{event_id}?person_q=example.org").get_data(as_text=True)
    assert f'<option value="{places["ivana"]}">Ivana Horvat (Rijeka)</option>' in page
    assert "Jelena Marković (Belgrade)" not in page


def test_attendance_cannot_be_marked_before_the_event(
    client, login_as, make_event, places, app
):
    event_id = make_event(starts_on=in_days(5))
    login_as(Role.COORDINATOR)
    response = _add(client, event_id, places["ivana"], attendance="attended")
    assert response.status_code == 200
    assert "Nobody can be marked attended before the event starts" in (
        response.get_data(as_text=True)
    )
    assert _count(app, Participation) == 0


def test_bulk_attendance_marks_everyone_selected(
    client, login_as, make_event, make_participation, places, app
):
    event_id = make_event()
    ids = [make_participation(event_id, places[who]) for who in ("ivana", "jelena")]
    login_as(Role.COORDINATOR)
    response = client.post_form(
        f"/events/{event_id}/attendance",
        {"participation_ids": [str(i) for i in ids], "attendance": "attended"},
    )
    assert response.status_code == 302
    assert {_get(app, Participation, i).attendance for i in ids} == {
        Attendance.ATTENDED
    }


@pytest.mark.parametrize("spoiler", ["other_event", "proposed", "unknown"])
def test_bulk_attendance_is_all_or_nothing(
    client, login_as, make_event, make_participation, make_person, places, app, spoiler
):
    event_id = make_event()
    good = [make_participation(event_id, places[who]) for who in ("ivana", "jelena")]
    if spoiler == "other_event":
        bad = make_participation(make_event(), places["ivana"])
    elif spoiler == "proposed":
        bad = make_participation(
            event_id, make_person("Proposed One"), attendance=Attendance.PROPOSED
        )
    else:
        bad = 999_999
    login_as(Role.COORDINATOR)
    response = client.post_form(
        f"/events/{event_id}/attendance",
        {"participation_ids": [str(i) for i in [*good, bad]], "attendance": "absent"},
    )
    assert response.status_code == 200
    assert "Nothing was changed." in response.get_data(as_text=True)
    assert {_get(app, Participation, i).attendance for i in good} == {
        Attendance.REGISTERED
    }


def test_bulk_attendance_with_nobody_selected_says_so(
    client, login_as, make_event, make_participation, places
):
    event_id = make_event()
    make_participation(event_id, places["ivana"])
    login_as(Role.COORDINATOR)
    response = client.post_form(
        f"/events/{event_id}/attendance", {"attendance": "attended"}
    )
    assert "Select at least one participant." in response.get_data(as_text=True)


# ------------------------------------------------------------------ proposals


def _propose(client, event_id, **fields):
    return client.post_form(
        f"/events/{event_id}/propose",
        {"role": "delegate", "presentation_title": "", **fields},
    )


def test_contact_proposes_a_person_of_their_municipality(
    client, login_as, make_event, make_user, places, app
):
    coordinator = make_user(role=Role.COORDINATOR)
    event_id = make_event("Upcoming", starts_on=in_days(20))
    contact = login_as(Role.CONTACT, municipality_id=places["rijeka"])
    page = client.get(f"/events/{event_id}/propose").get_data(as_text=True)
    assert "Ivana Horvat" in page and "Jelena Marković" not in page
    response = _propose(client, event_id, person_id=str(places["ivana"]))
    assert response.status_code == 302
    with app.app_context():
        participation = db.session.scalar(select(Participation))
        assert participation.attendance == Attendance.PROPOSED
        assert participation.proposed_by_id == contact
        assert participation.municipality_id == places["rijeka"]
        assert db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == coordinator
            )
        )


def test_contact_cannot_propose_another_municipalitys_person(
    client, login_as, make_event, places, app
):
    event_id = make_event("Upcoming", starts_on=in_days(20))
    login_as(Role.CONTACT, municipality_id=places["rijeka"])
    response = _propose(
        client, event_id, person_id=str(places["jelena"]), municipality_id="x"
    )
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert _count(app, Participation) == 0


def test_contact_cannot_propose_for_an_event_that_has_started(
    client, login_as, make_event, make_participation, places, app
):
    past = make_event("Past", starts_on=in_days(-30))
    make_participation(past, places["ivana"])
    ongoing = make_event("Ongoing", starts_on=in_days(0), ends_on=in_days(2))
    login_as(Role.CONTACT, municipality_id=places["rijeka"])
    for event_id in (past, ongoing):
        assert client.get(f"/events/{event_id}/propose").status_code == 403
        response = _propose(client, event_id, full_name="New Colleague")
        assert response.status_code == 403
    assert _count(app, Person, Person.full_name == "New Colleague") == 0
    page = client.get(f"/events/{ongoing}").get_data(as_text=True)
    assert "Propose participants" not in page


def test_contact_proposes_a_new_colleague_for_their_municipality(
    client, login_as, make_event, places, app
):
    event_id = make_event("Upcoming", starts_on=in_days(20))
    login_as(Role.CONTACT, municipality_id=places["rijeka"])
    response = _propose(
        client,
        event_id,
        person_id="",
        full_name="Novi Kolega",
        email="novi@rijeka.example.org",
        municipality_id=str(places["belgrade"]),
        status="registered",
        attendance="attended",
    )
    assert response.status_code == 302
    with app.app_context():
        participation = db.session.scalar(select(Participation))
        assert participation.person.municipality_id == places["rijeka"]
        assert participation.municipality_id == places["rijeka"]
        assert participation.attendance == Attendance.PROPOSED


def test_proposing_needs_a_person_or_a_name(client, login_as, make_event, places):
    event_id = make_event("Upcoming", starts_on=in_days(20))
    login_as(Role.CONTACT, municipality_id=places["rijeka"])
    response = _propose(client, event_id, person_id="")
    assert "Choose a person of your municipality or enter a new person" in (
        response.get_data(as_text=True)
    )
    both = _propose(client, event_id, person_id=str(places["ivana"]), full_name="X")
    assert "not both" in both.get_data(as_text=True)


@pytest.mark.parametrize(
    ("decision", "expected"),
    [("confirm", Attendance.REGISTERED), ("decline", Attendance.CANCELLED)],
)
def test_coordinator_decides_on_a_proposal(
    client,
    login_as,
    make_event,
    make_participation,
    make_user,
    places,
    app,
    decision,
    expected,
):
    proposer = make_user(role=Role.CONTACT, municipality_id=places["rijeka"])
    event_id = make_event(starts_on=in_days(20))
    participation_id = make_participation(
        event_id,
        places["ivana"],
        attendance=Attendance.PROPOSED,
        proposed_by_id=proposer,
    )
    login_as(Role.COORDINATOR)
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Proposals waiting for a decision" in page
    url = f"/events/{event_id}/participants/{participation_id}/{decision}"
    assert client.post_form(url).status_code == 302
    assert _get(app, Participation, participation_id).attendance == expected
    assert _count(app, Notification, Notification.user_id == proposer) == 1
    again = client.post_form(url, follow_redirects=True)
    assert "Only a proposed participant can be" in again.get_data(as_text=True)


# ------------------------------------------------------------------ who sees what


def test_contact_sees_contact_details_of_their_own_municipality_only(
    client, login_as, make_event, make_participation, places
):
    event_id = make_event(starts_on=in_days(20))
    make_participation(event_id, places["ivana"])
    make_participation(event_id, places["jelena"])
    login_as(Role.CONTACT, municipality_id=places["rijeka"])
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Jelena Marković" in page
    assert "ivana@rijeka.example.org" in page and "+385 51 111 222" in page
    assert "jelena@beograd.example.org" not in page
    assert "+381 11 333 444" not in page
    api = client.get(f"/api/v1/events/{event_id}/participants").get_json()
    by_name = {item["person"]["full_name"]: item for item in api["items"]}
    assert by_name["Ivana Horvat"]["email"] == "ivana@rijeka.example.org"
    assert "email" not in by_name["Jelena Marković"]
    assert "phone" not in by_name["Jelena Marković"]


def test_other_municipalities_proposals_stay_hidden_from_a_contact(
    client, login_as, make_event, make_participation, places
):
    event_id = make_event(starts_on=in_days(20))
    make_participation(event_id, places["jelena"], attendance=Attendance.PROPOSED)
    make_participation(event_id, places["ivana"], attendance=Attendance.PROPOSED)
    login_as(Role.CONTACT, municipality_id=places["rijeka"])
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Ivana Horvat" in page
    assert "Jelena Marković" not in page


def test_public_pages_show_public_events_without_contact_details(
    client, make_event, make_participation, make_person, make_consent, places
):
    public = make_event("Open summit", is_public=True)
    hidden = make_event("Internal workshop")
    make_participation(public, places["ivana"], presentation_title="Open Data Portal")
    make_participation(public, places["jelena"], attendance=Attendance.ATTENDED)
    make_consent(places["ivana"])
    make_consent(places["jelena"])
    make_participation(
        public, make_person("Not Yet Confirmed"), attendance=Attendance.PROPOSED
    )
    index = client.get("/events/public").get_data(as_text=True)
    assert "Open summit" in index and "Internal workshop" not in index
    response = client.get(f"/events/public/{public}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Ivana Horvat" in page and "Open Data Portal" in page
    assert "Rijeka" in page and "Jelena Marković" in page
    for secret in ("@", "+385", "+381", "Not Yet Confirmed"):
        assert secret not in page.split("<main", 1)[1]
    assert client.get(f"/events/public/{hidden}").status_code == 404
    assert client.get(f"/events/{public}").status_code == 302  # staff page: sign in


def test_municipality_partial_query_hides_what_the_viewer_may_not_see(
    app, make_event, make_participation, places, make_user
):
    from flask_login import AnonymousUserMixin

    from tracker.events.queries import municipality_participations

    public = make_event("Public one", is_public=True)
    private = make_event("Private one")
    make_participation(public, places["ivana"], attendance=Attendance.ATTENDED)
    make_participation(private, places["ivana"], attendance=Attendance.ATTENDED)
    make_participation(
        make_event("Proposed one", is_public=True),
        places["ivana"],
        attendance=Attendance.PROPOSED,
    )
    rijeka_contact = make_user(role=Role.CONTACT, municipality_id=places["rijeka"])
    belgrade_contact = make_user(role=Role.CONTACT, municipality_id=places["belgrade"])
    with app.app_context():
        from tracker.models import User

        def titles(viewer):
            return {
                p.event.title
                for p in municipality_participations(places["rijeka"], viewer)
            }

        everything = {"Public one", "Private one", "Proposed one"}
        assert titles(db.session.get(User, rijeka_contact)) == everything
        assert titles(db.session.get(User, belgrade_contact)) == {"Public one"}
        assert titles(AnonymousUserMixin()) == {"Public one"}
        # Outside a request (CLI, exports) and with no viewer: everything.
        assert {
            p.event.title for p in municipality_participations(places["rijeka"])
        } == everything


# ------------------------------------------------------------------ exports


def test_csv_export_opens_in_a_spreadsheet(
    client, login_as, make_event, make_participation, make_municipality, make_person
):
    shkoder = make_municipality("Shkodër", country="AL")
    event_id = make_event("MFSA workshop")
    for number in range(3):
        make_participation(
            event_id,
            make_person(
                f"Reisa Duraj {number}",
                municipality_id=shkoder,
                phone="=HYPERLINK(1)" if number == 0 else "",
            ),
        )
    login_as(Role.MANAGER)
    response = client.get(f"/events/{event_id}/participants.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:4] == [
        "Name",
        "Position",
        "Organisation",
        "Municipality represented",
    ]
    assert len(rows) == 1 + 3
    assert {row[3] for row in rows[1:]} == {"Shkodër"}
    # A cell a spreadsheet would run as a formula is defused.
    assert "'=HYPERLINK(1)" in {row[9] for row in rows[1:]}


def test_sign_in_sheet_lists_expected_people(
    client, login_as, make_event, make_participation, make_person, places
):
    event_id = make_event("Training day")
    make_participation(event_id, places["ivana"])
    make_participation(
        event_id, make_person("Declined Person"), attendance=Attendance.CANCELLED
    )
    login_as(Role.COORDINATOR)
    page = client.get(f"/events/{event_id}/sign-in-sheet").get_data(as_text=True)
    assert "Sign-in sheet: Training day" in page
    assert "Ivana Horvat" in page and "Declined Person" not in page
    assert "Signature" in page


# ------------------------------------------------------------------ query count


def _count_queries(client, url) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
            statements.append(statement)

    sa_event.listen(Engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        sa_event.remove(Engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


def test_event_page_query_count_does_not_grow_with_participants(
    client, login_as, make_event, make_session, app, places, record_figure
):
    small = make_event("Small", starts_on=date(2017, 1, 1))
    large = make_event("Large", starts_on=date(2017, 1, 1))
    for event_id in (small, large):
        make_session(event_id)
        make_session(event_id)
    with app.app_context():
        municipalities = [places["rijeka"], places["belgrade"], None]
        for event_id, size in ((small, 5), (large, 500)):
            people = [
                Person(
                    full_name=f"Person {event_id}-{n}",
                    municipality_id=municipalities[n % 3],
                    email=f"p{event_id}-{n}@example.org",
                )
                for n in range(size)
            ]
            db.session.add_all(people)
            db.session.flush()
            db.session.add_all(
                Participation(
                    event_id=event_id,
                    person=person,
                    municipality_id=person.municipality_id,
                    role=ParticipationRole.DELEGATE,
                    attendance=Attendance.ATTENDED,
                    presentation_title="Talk" if n % 7 == 0 else "",
                )
                for n, person in enumerate(people)
            )
        db.session.commit()
    login_as(Role.COORDINATOR)
    client.get(f"/events/{small}")  # warm up: first-request work is not counted
    counts = {
        size: _count_queries(client, f"/events/{event_id}")
        for size, event_id in ((5, small), (500, large))
    }
    record_figure(
        "event page queries (5 / 500 participants)", f"{counts[5]} / {counts[500]}"
    )
    assert counts[5] == counts[500]
    api = {
        size: _count_queries(
            client, f"/api/v1/events/{event_id}/participants?per_page=100"
        )
        for size, event_id in ((5, small), (500, large))
    }
    assert api[5] == api[500]


# ------------------------------------------------------------------ demo data


def _seed(app, runner) -> str:
    # The test runner calls the command without the CLI's app context.
    with app.app_context():
        result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_data_shows_seoul_with_its_agenda_and_representatives(
    client, runner, login_as, app
):
    from tracker.models import Program

    with app.app_context():
        db.session.add(
            Program(code="ILTP", name="Integrity Leadership", required_trainings=3)
        )
        db.session.commit()
    assert "Demo data is loaded." in _seed(app, runner)
    with app.app_context():
        counts = (
            _count(app, Event),
            _count(app, EventSession),
            _count(app, Participation),
        )
    _seed(app, runner)
    with app.app_context():
        assert counts == (
            _count(app, Event),
            _count(app, EventSession),
            _count(app, Participation),
        )
        seoul = db.session.scalar(
            select(Event).where(Event.title.startswith("World Smart City Summit"))
        )
        assert seoul.starts_on == date(2017, 9, 4) and seoul.ends_on == date(2017, 9, 8)
        assert len(seoul.sessions) >= 8
        seoul_id = seoul.id
        # Trained ILTP leaders: attended three ILTP-linked trainings.
        iltp_attended = db.session.execute(
            select(Participation.person_id, func.count())
            .join(Participation.event)
            .join(Event.program)
            .where(
                Program.code == "ILTP",
                Event.kind == "training",
                Participation.attendance == Attendance.ATTENDED,
            )
            .group_by(Participation.person_id)
        ).all()
        assert sum(1 for _, attended in iltp_attended if attended >= 3) >= 3
        assert any(attended < 3 for _, attended in iltp_attended)
    login_as(Role.COORDINATOR)
    page = client.get(f"/events/{seoul_id}").get_data(as_text=True)
    for text in (
        "4 Sep 2017",
        "8 Sep 2017",
        "Ministry of Land, Infrastructure and Transport",
        "Korea–World Bank Partnership Facility",
        "Ivana Demo-Horvat",
        "Jelena Demo-Marković",
        "Open Data Portal, iURBAN and MySMARTLife",
        "Beokom",
        "Korea Water Resources Corporation",
        "mVoting",
        "Memorandum of Understanding",
    ):
        assert text in page, text
    client.post_form("/auth/logout")
    public = client.get(f"/events/public/{seoul_id}").get_data(as_text=True)
    assert "Ivana Demo-Horvat" in public and "Jelena Demo-Marković" in public
    assert "Open Data Portal" in public and "Beokom" in public
    assert "example.org" not in public
    assert "Seoul" in client.get("/events/public?q=seoul").get_data(as_text=True)


def test_every_event_page_of_the_demo_renders(client, runner, login_as, app):
    _seed(app, runner)
    with app.app_context():
        titles = dict(db.session.execute(select(Event.id, Event.title)).all())
        ids = list(titles)
        upcoming = db.session.scalars(
            select(Event.id).where(Event.starts_on > date.today())
        ).all()
    assert upcoming
    login_as(Role.ADMIN)
    for event_id, title in titles.items():
        page = client.get(f"/events/{event_id}")
        assert page.status_code == 200
        assert f">{escape(title)}</h1>" in page.get_data(as_text=True), title
        sheet = client.get(f"/events/{event_id}/sign-in-sheet")
        assert sheet.status_code == 200
        assert str(escape(title)) in sheet.get_data(as_text=True), title
    listed = client.get("/events/?per_page=100").get_data(as_text=True)
    for event_id in ids:
        assert f'href="/events/{event_id}"' in listed


def test_today_moves_events_from_upcoming_to_past(make_event, app):
    event_id = make_event(starts_on=in_days(1), ends_on=in_days(1))
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert event.is_upcoming() and not event.is_over()
        later = date.today() + timedelta(days=2)
        assert not event.is_upcoming(later) and event.is_over(later)


def test_participations_partial_links_events_the_viewer_may_open(
    app, make_event, make_participation, places, make_user
):
    from flask import render_template
    from flask_login import login_user

    from tracker.events.queries import municipality_participations
    from tracker.models import User

    past_private = make_event("Private, Rijeka took part")
    make_participation(past_private, places["ivana"], presentation_title="Our talk")
    contact = make_user(role=Role.CONTACT, municipality_id=places["rijeka"])
    with app.test_request_context("/"):
        login_user(db.session.get(User, contact))
        html = render_template(
            "events/_participations.html",
            participations=municipality_participations(places["rijeka"]),
            show_person=True,
        )
    assert f'href="/events/{past_private}"' in html
    assert "Ivana Horvat" in html and "Our talk" in html
    assert "ivana@rijeka.example.org" not in html


def test_event_pages_show_approved_testimonials_about_the_event(
    client, app, login_as, make_municipality
):
    from datetime import date

    from tracker.models import (
        Event,
        EventKind,
        Testimonial,
        TestimonialStatus,
        utcnow,
    )

    municipality_id = make_municipality("Rijeka")
    with app.app_context():
        event = Event(
            title="Smart City Week",
            kind=EventKind.STUDY_WEEK,
            starts_on=date(2017, 9, 4),
            ends_on=date(2017, 9, 8),
            is_public=True,
        )
        db.session.add(event)
        db.session.flush()
        for status, quote in (
            (TestimonialStatus.APPROVED, "Seoul <b>opened</b> eyes"),
            (TestimonialStatus.SUBMITTED, "Still under review"),
        ):
            db.session.add(
                Testimonial(
                    quote=quote,
                    author_name="Official",
                    municipality_id=municipality_id,
                    event_id=event.id,
                    has_consent=True,
                    status=status,
                    submitted_at=utcnow(),
                    reviewed_at=utcnow()
                    if status == TestimonialStatus.APPROVED
                    else None,
                )
            )
        db.session.commit()
        event_id = event.id
    public = client.get(f"/events/public/{event_id}").data.decode()
    assert "Seoul &lt;b&gt;opened&lt;/b&gt; eyes" in public
    assert "Still under review" not in public
    login_as("coordinator")
    staff = client.get(f"/events/{event_id}").data.decode()
    assert (
        "Seoul &lt;b&gt;opened&lt;/b&gt; eyes" in staff
        and "Still under review" in staff
    )
