"""Calendar files: an event's .ics, the public feed, and personal feeds
behind a secret, revocable address. Every file is parsed with icalendar."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import select

from tests.fixtures.events import in_days
from tracker.extensions import db
from tracker.models import Attendance, AuditEntry, CalendarFeed, Role


def entries(response) -> dict[str, icalendar.Event]:
    """The VEVENTs of a calendar response, by SUMMARY; checks the envelope."""
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.data.decode("utf-8"))
    assert calendar["VERSION"] == "2.0"
    found = {}
    for entry in calendar.walk("VEVENT"):
        assert entry["UID"] and entry["DTSTAMP"]
        found[str(entry["SUMMARY"])] = entry
    return found


def feed_url_on(page) -> str:
    match = re.search(r'id="feed-url"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    assert match, "no feed address on the page"
    return match.group(1).replace("http://localhost", "")


@pytest.fixture
def events(make_municipality, make_person, make_event, make_participation):
    """Rijeka's delegate goes to "Seoul" (upcoming); Belgrade's to "Beokom";
    "Open day" is public with nobody; "Long ago" is public and long over."""
    rijeka = make_municipality("Rijeka")
    belgrade = make_municipality("Belgrade", country="RS")
    ana = make_person("Ana", municipality_id=rijeka)
    marko = make_person("Marko", municipality_id=belgrade)
    seoul = make_event(
        "Smart City Week – Seoul",
        in_days(20),
        in_days(24),
        city="Seoul",
        venue="COEX",
        description="Write to ana@example.org or call +385 51 000 000.",
    )
    beokom = make_event("Beokom presentation", in_days(5), in_days(5))
    open_day = make_event("Open day", in_days(40), in_days(40), is_public=True)
    long_ago = make_event("Long ago", in_days(-400), in_days(-399), is_public=True)
    cancelled = make_event("Called off for Rijeka", in_days(10), in_days(11))
    make_participation(seoul, ana)
    make_participation(beokom, marko)
    make_participation(cancelled, ana, attendance=Attendance.CANCELLED)
    return {
        "rijeka": rijeka,
        "belgrade": belgrade,
        "ana": ana,
        "seoul": seoul,
        "beokom": beokom,
        "open_day": open_day,
        "long_ago": long_ago,
        "cancelled": cancelled,
    }


def test_an_event_downloads_as_an_all_day_calendar_entry(client, login_as, events):
    login_as(Role.COORDINATOR)
    response = client.get(f"/calendar/events/{events['seoul']}.ics")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="event-{events["seoul"]}.ics"'
    )
    [(summary, entry)] = entries(response).items()
    assert summary == "Smart City Week – Seoul"
    assert entry["UID"] == f"event-{events['seoul']}@localhost"
    # All day: dates, not times, and DTEND the day after the last day.
    assert entry.decoded("DTSTART") == in_days(20)
    assert entry.decoded("DTEND") == in_days(24) + timedelta(days=1)
    assert str(entry["LOCATION"]) == "COEX, Seoul"
    # The file may leave the staff: no e-mail addresses or phone numbers.
    assert "ana@example.org" not in str(entry["DESCRIPTION"])
    assert "000 000" not in str(entry["DESCRIPTION"])
    assert str(entry["URL"]).endswith(f"/events/{events['seoul']}")
    again = entries(client.get(f"/calendar/events/{events['seoul']}.ics"))
    assert again[summary]["UID"] == entry["UID"]  # stable: calendars update it


def test_an_event_file_is_for_those_who_may_see_the_event(
    client, login_as, make_user, login, events
):
    # Anyone gets a public event; a non-public one is not found.
    [(summary, entry)] = entries(
        client.get(f"/calendar/events/{events['open_day']}.ics")
    ).items()
    assert summary == "Open day"
    assert str(entry["URL"]).endswith(f"/events/public/{events['open_day']}")
    assert client.get(f"/calendar/events/{events['seoul']}.ics").status_code == 404
    assert client.get("/calendar/events/999999.ics").status_code == 404
    # A contact sees upcoming events (to propose people), so gets their files.
    make_user(Role.CONTACT, email="c@example.org", municipality_id=events["belgrade"])
    login("c@example.org")
    assert entries(client.get(f"/calendar/events/{events['seoul']}.ics"))


def test_the_public_feed_holds_current_public_events_only(client, events):
    found = entries(client.get("/calendar/public.ics"))
    assert sorted(found) == ["Open day"]


def test_a_contacts_feed_holds_the_events_their_municipality_takes_part_in(
    app, client, make_user, login, events
):
    make_user(Role.CONTACT, email="r@example.org", municipality_id=events["rijeka"])
    login("r@example.org")
    page = client.post_form("/calendar/feed")
    assert page.status_code == 200
    assert "shown only this once" in page.get_data(as_text=True)
    url = feed_url_on(page)
    client.post_form("/auth/logout")  # calendar programs do not sign in
    found = entries(client.get(url))
    # Not Belgrade's event, not the public event nobody of Rijeka attends,
    # not the one Rijeka's participation was cancelled for.
    assert sorted(found) == ["Smart City Week – Seoul"]
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    with app.app_context():
        feed = db.session.scalar(select(CalendarFeed))
        assert feed.token_hash == CalendarFeed.hash_secret(secret) != secret
        # The audit trail records the feed, never its secret or hash.
        changes = [
            str(entry.changes)
            for entry in db.session.scalars(
                select(AuditEntry).where(AuditEntry.entity_type == "calendar_feed")
            )
        ]
        assert changes and not any(
            secret in change or feed.token_hash in change for change in changes
        )


def test_staff_feeds_hold_every_current_event(client, login_as, events):
    login_as(Role.MANAGER)
    found = entries(client.get(feed_url_on(client.post_form("/calendar/feed"))))
    assert sorted(found) == [
        "Beokom presentation",
        "Called off for Rijeka",
        "Open day",
        "Smart City Week – Seoul",
    ]


def test_a_revoked_or_replaced_feed_address_is_not_found(client, login_as, events):
    login_as(Role.COORDINATOR)
    first = feed_url_on(client.post_form("/calendar/feed"))
    assert client.get(first).status_code == 200
    profile = client.get("/auth/profile").get_data(as_text=True)
    assert "Revoke the feed address" in profile and first not in profile
    second = feed_url_on(client.post_form("/calendar/feed"))
    assert second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    revoked = client.post_form("/calendar/feed/revoke")
    assert revoked.status_code == 302
    assert client.get(second).status_code == 404
    assert "Make a feed address" in client.get("/auth/profile").get_data(as_text=True)
    assert client.get("/calendar/feed/not-a-secret.ics").status_code == 404


def test_a_deactivated_users_feed_stops(app, client, make_user, login, events):
    from tracker.models import User

    user_id = make_user(Role.COORDINATOR, email="gone@example.org")
    login("gone@example.org")
    url = feed_url_on(client.post_form("/calendar/feed"))
    client.post_form("/auth/logout")
    with app.app_context():
        db.session.get(User, user_id).is_active = False
        db.session.commit()
    assert client.get(url).status_code == 404


def test_making_a_feed_needs_the_csrf_token(app, client, login_as):
    login_as(Role.COORDINATOR)
    assert client.post("/calendar/feed").status_code == 400
    with app.app_context():
        assert db.session.scalar(select(CalendarFeed)) is None


def test_the_request_log_shows_the_feeds_route_not_its_secret(
    client, login_as, monkeypatch, events
):
    logger = logging.getLogger("tracker.requests")
    # Migrations (alembic's fileConfig) may have disabled the logger.
    monkeypatch.setattr(logger, "disabled", False)
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    handler = Collect()
    logger.addHandler(handler)
    try:
        login_as(Role.COORDINATOR)
        url = feed_url_on(client.post_form("/calendar/feed"))
        assert client.get(url).status_code == 200
    finally:
        logger.removeHandler(handler)
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert not any(secret in line for line in lines)
    assert any('"/calendar/feed/<token>.ics"' in line for line in lines)
