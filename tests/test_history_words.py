"""The History panel speaks in words: stage and record names, field labels,
booleans and local dates; administrators can still read the raw diff."""

from __future__ import annotations

import re
from datetime import date

from tests.fixtures.programs import stage_id
from tests.test_programs import move, text_of
from tracker.extensions import db
from tracker.models import Event, Role


def history_text(response) -> str:
    page = text_of(response)
    assert "History" in page
    return page[page.index("History") :]


def test_enrollment_history_names_the_stages_not_their_ids(client, app, login_as, acp):
    login_as(Role.COORDINATOR)
    diagnosis = stage_id(app, acp.program, "diagnosis")
    assert (
        move(
            client,
            app,
            acp.rijeka_enrollment,
            stage_id=diagnosis,
            effective_on="2016-01-11",
        ).status_code
        == 302
    )
    history = history_text(client.get(f"/enrollments/{acp.rijeka_enrollment}"))
    assert "Stage: Ready to join → Diagnosis" in history
    assert "Current stage id" not in history
    assert not re.search(r"Stage: \d+ → \d+", history)
    # The creation names the municipality and the program, not their ids.
    assert "Municipality: — → Rijeka" in history
    assert "Raw changes" not in history  # a coordinator reads words only


def test_history_shows_booleans_in_words_and_dates_in_the_readers_time_zone(
    client, app, login_as, make_event
):
    event_id = make_event("Smart City Week", is_public=False)
    login_as(Role.ADMIN)
    with app.app_context():
        event = db.session.get(Event, event_id)
        event.is_public = True
        event.starts_on = date(2017, 9, 4)
        db.session.commit()
    history = history_text(client.get(f"/events/{event_id}"))
    assert "Public: No → Yes" in history
    assert "Starts on:" in history and "→ 4 Sep 2017" in history
    assert "Is public" not in history and "True" not in history
    assert "2017-09-04" not in history.split("Raw changes")[0]
    # Administrators keep the raw diff behind a toggle.
    assert "Raw changes" in history and "is_public" in history


def test_testimonial_history_names_people_and_reads_times_and_statuses(
    client, app, login_as, make_municipality, make_user, make_testimonial
):
    rijeka = make_municipality("Rijeka")
    reviewer = make_user(Role.COORDINATOR, email="reviewer@example.org")
    testimonial = make_testimonial(rijeka, None, "approved", reviewed_by_id=reviewer)
    login_as(Role.MANAGER)
    history = history_text(client.get(f"/testimonials/{testimonial}"))
    assert "Municipality: — → Rijeka" in history
    assert "Status: — → Approved" in history
    assert "Reviewed by: — → reviewer@example.org" in history
    assert "Consent to publish: — → Yes" in history
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", history)  # no ISO timestamps
