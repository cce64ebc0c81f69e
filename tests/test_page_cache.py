"""Read-only pages are rendered once per reader and served again until the
next write (``tracker.cache.cached_page``), never longer and never to
anyone else."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.conftest import PASSWORD, TrackerClient
from tests.fixtures.dashboards import counting_queries as counting
from tracker import cache
from tracker.extensions import db
from tracker.models import Municipality, Notification, Role, User

CSRF_META = re.compile(rb'name="csrf-token" content="([^"]+)"')


def second_client(app: Flask, email: str) -> TrackerClient:
    """Another browser signed in as ``email``: a session of its own."""
    app.test_client_class = TrackerClient
    other: TrackerClient = app.test_client()  # type: ignore[assignment]
    response = other.post_form("/auth/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302
    other.get("/")  # shows (and so clears) the sign-in message
    return other


def email_of(app: Flask, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).email


def test_a_page_is_served_again_until_the_next_write(
    app, client, login_as, make_municipality, db_connection, record_figure
):
    town = make_municipality("Kuçovë", "AL")
    login_as(Role.COORDINATOR)
    client.get("/")  # the sign-in message is shown once
    cache.clear()

    with counting(db_connection) as rendered:
        first = client.get("/municipalities/")
    with counting(db_connection) as served:
        again = client.get("/municipalities/")
    assert first.status_code == again.status_code == 200
    assert again.data == first.data
    assert "Kuçovë" in again.get_data(as_text=True)
    # Served again: the account, then the data version with the badges.
    assert len(served) == 2 < len(rendered)
    record_figure(
        "municipality list queries (rendered / served again)",
        f"{len(rendered)} / {len(served)}",
    )

    with app.app_context():  # any write through the ORM is audited
        db.session.get(Municipality, town).name = "Kuçova"
        db.session.commit()
    after_write = client.get("/municipalities/").get_data(as_text=True)
    assert "Kuçova" in after_write and "Kuçovë" not in after_write
    # The page of the old name, never to be served again, is not kept either.
    kept = [body.decode() for body in cache._pages.bodies()]
    assert kept and not any("Kuçovë" in body for body in kept)


def test_readers_never_get_each_others_pages(app, client, login_as, make_user):
    login_as(Role.COORDINATOR, full_name="Ana Coordinator")
    client.get("/")
    manager = make_user(role=Role.MANAGER, full_name="Marko Manager")
    other = second_client(app, email_of(app, manager))

    assert "Ana Coordinator" in client.get("/events/").get_data(as_text=True)
    theirs = other.get("/events/").get_data(as_text=True)
    assert "Marko Manager" in theirs and "Ana Coordinator" not in theirs

    anonymous = app.test_client()
    public = anonymous.get("/").get_data(as_text=True)
    assert "Marko Manager" not in public and "Ana Coordinator" not in public


def test_a_page_served_again_carries_the_token_of_its_own_session(
    app, client, login_as
):
    user = login_as(Role.COORDINATOR)
    client.get("/")
    other = second_client(app, email_of(app, user))

    mine = client.get("/events/")
    theirs = other.get("/events/")  # the same reader, the same page: served again
    assert cache.TOKEN_STAND_IN.encode() not in mine.data + theirs.data
    my_token = CSRF_META.search(mine.data).group(1)
    their_token = CSRF_META.search(theirs.data).group(1)
    assert my_token != their_token
    # The token on the page served again is the one its session accepts.
    switched = other.post(
        "/language",
        data={"language": "hr", "next": "/events/", "csrf_token": their_token.decode()},
    )
    assert switched.status_code == 302
    assert "Događaji" in other.get("/events/").get_data(as_text=True)
    refused = other.post(
        "/language", data={"language": "en", "csrf_token": my_token.decode()}
    )
    assert refused.status_code == 400


def test_a_flashed_message_is_shown_on_a_page_served_before(
    app, client, login_as, make_event, make_person, make_participation
):
    event_id = make_event("Smart City Week")
    make_participation(event_id, make_person("Marija Kovač"))
    login_as(Role.COORDINATOR)
    client.get("/")
    page = f"/events/{event_id}"
    assert client.get(page).status_code == 200
    assert client.get(page).status_code == 200  # kept

    refused = client.post_form(f"/events/{event_id}/delete", follow_redirects=True)
    assert "The event was not deleted." in refused.get_data(as_text=True)
    assert "The event was not deleted." not in client.get(page).get_data(as_text=True)


def test_an_unread_notification_shows_on_a_page_served_before(app, client, login_as):
    user = login_as(Role.MANAGER)
    client.get("/")
    assert "1 unread" not in client.get("/dashboard/").get_data(as_text=True)
    assert "1 unread" not in client.get("/dashboard/").get_data(as_text=True)
    with app.app_context():  # notifications are not audited
        db.session.add(Notification(user_id=user, message="A testimonial waits."))
        db.session.commit()
    assert "1 unread" in client.get("/dashboard/").get_data(as_text=True)


def test_an_anonymous_page_follows_the_language_cookie(app):
    visitor = app.test_client()
    assert 'lang="en"' in visitor.get("/").get_data(as_text=True)
    visitor.set_cookie("tracker_lang", "sq")
    assert 'lang="sq"' in visitor.get("/").get_data(as_text=True)


@pytest.mark.usefixtures("pages_rendered_afresh")
def test_pages_can_be_rendered_every_time(client, login_as, db_connection):
    login_as(Role.COORDINATOR)
    client.get("/")
    client.get("/events/")
    with counting(db_connection) as statements:
        client.get("/events/")
    assert len(statements) > 3
