"""Testimonials: submitted by municipal contacts, reviewed by coordinators,
published to the public (issue 5)."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import jsonschema
import pytest
from flask import render_template
from flask_login import AnonymousUserMixin
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from sqlalchemy import event, select

from tests.conftest import PASSWORD, TrackerClient
from tests.fixtures.testimonials import get_testimonial
from tracker.audit import acting_as
from tracker.extensions import db
from tracker.models import (
    ApiToken,
    AuditEntry,
    Notification,
    Role,
    Testimonial,
    TestimonialStatus,
    User,
    utcnow,
)
from tracker.testimonials.api import OPENAPI_PATHS, OPENAPI_SCHEMAS
from tracker.testimonials.queries import (
    featured_testimonials,
    visible_testimonials,
)

SCRIPT = '<script>alert("x")</script>'


# --- Setting the scene -------------------------------------------------------


@pytest.fixture
def scene(app, make_municipality, make_user, make_subject_program, make_subject_event):
    """Rijeka and Belgrade, their contacts, the staff, and what Rijeka may
    speak about (a program it is enrolled in, an event it attended) beside
    Belgrade's (which Rijeka may not link)."""
    rijeka = make_municipality("Rijeka", country="HR")
    belgrade = make_municipality("Belgrade", country="RS")
    return SimpleNamespace(
        rijeka=rijeka,
        belgrade=belgrade,
        contact=make_user(
            Role.CONTACT, email="c.rijeka@example.org", municipality_id=rijeka
        ),
        colleague=make_user(
            Role.CONTACT, email="c2.rijeka@example.org", municipality_id=rijeka
        ),
        belgrade_contact=make_user(
            Role.CONTACT, email="c.belgrade@example.org", municipality_id=belgrade
        ),
        coordinator=make_user(Role.COORDINATOR, email="coordinator@example.org"),
        admin=make_user(Role.ADMIN, email="admin@example.org"),
        manager=make_user(Role.MANAGER, email="manager@example.org"),
        program=make_subject_program(rijeka),
        other_program=make_subject_program(belgrade),
        event=make_subject_event(rijeka, title="Smart City Week"),
        other_event=make_subject_event(belgrade),
    )


@pytest.fixture
def visitor(app):
    """``visitor(email)``: a new client signed in as that user (None: anonymous)."""
    app.test_client_class = TrackerClient

    def open_(email: str | None = None) -> TrackerClient:
        client = app.test_client()
        if email:
            response = client.post_form(
                "/auth/login", {"email": email, "password": PASSWORD}
            )
            assert response.status_code == 302
        return client

    return open_


def form_data(**changes: Any) -> dict[str, Any]:
    data = {
        "quote": "The program helped us plan.",
        "person_id": "",
        "author_name": "Ana Demo",
        "author_position": "Mayor",
        "program_id": "",
        "event_id": "",
        "has_consent": "y",
        "action": "submit",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def version_of(app, testimonial_id: int) -> str:
    return str(get_testimonial(app, testimonial_id).version_id)


def created_id(response) -> int:
    assert response.status_code == 302, response.data[:2000]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def notifications_of(app, user_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification.message)
                .where(Notification.user_id == user_id)
                .order_by(Notification.id)
            )
        )


def page_text(response) -> str:
    return response.get_data(as_text=True)


# --- Acceptance --------------------------------------------------------------


def test_rijeka_testimonial_is_hidden_until_approved_then_public(app, scene, visitor):
    contact = visitor("c.rijeka@example.org")
    response = contact.post_form(
        "/testimonials/new",
        form_data(
            quote="Rijeka learned a lot in Seoul.",
            program_id=str(scene.program),
            event_id=str(scene.event),
        ),
    )
    testimonial_id = created_id(response)
    assert get_testimonial(app, testimonial_id).status == TestimonialStatus.SUBMITTED

    anonymous = visitor()
    belgrade = visitor("c.belgrade@example.org")
    for client in (anonymous, belgrade):
        assert client.get(f"/testimonials/{testimonial_id}").status_code == 404
        assert client.get(f"/api/v1/testimonials/{testimonial_id}").status_code == 404
        assert b"Rijeka learned" not in client.get("/testimonials/public").data
        assert b"Rijeka learned" not in client.get("/api/v1/testimonials").data

    coordinator = visitor("coordinator@example.org")
    response = coordinator.post_form(
        f"/testimonials/{testimonial_id}/approve",
        {"version_id": version_of(app, testimonial_id)},
    )
    assert response.status_code == 302
    assert get_testimonial(app, testimonial_id).status == TestimonialStatus.APPROVED

    public_page = page_text(anonymous.get("/testimonials/public"))
    assert "Rijeka learned a lot in Seoul." in public_page
    assert "Ana Demo, Mayor" in public_page
    assert "Smart City Week" in public_page
    assert anonymous.get(f"/testimonials/{testimonial_id}").status_code == 200
    api = anonymous.get(f"/api/v1/testimonials/{testimonial_id}")
    assert api.status_code == 200
    assert api.json["status"] == "approved"
    assert "review_note" not in api.json
    assert belgrade.get(f"/testimonials/{testimonial_id}").status_code == 200

    # Rijeka's page includes the shared partial with visible_testimonials.
    with app.test_request_context():
        html = render_template(
            "testimonials/_list.html",
            testimonials=visible_testimonials(
                AnonymousUserMixin(), municipality_id=scene.rijeka
            ),
        )
    assert "Rijeka learned a lot in Seoul." in html


def test_rejection_without_a_note_is_refused(app, scene, make_testimonial, visitor):
    testimonial_id = make_testimonial(scene.rijeka, scene.contact, "submitted")
    coordinator = visitor("coordinator@example.org")
    for note in ("", "   \r\n  "):
        response = coordinator.post_form(
            f"/testimonials/{testimonial_id}/reject",
            {"note": note, "version_id": version_of(app, testimonial_id)},
        )
        assert response.status_code == 200
        assert "Write a note for the submitter" in page_text(response)
        assert get_testimonial(app, testimonial_id).status == "submitted"
    response = coordinator.post_form(
        f"/testimonials/{testimonial_id}/reject",
        {"note": "Name the event.", "version_id": version_of(app, testimonial_id)},
    )
    assert response.status_code == 302
    rejected = get_testimonial(app, testimonial_id)
    assert rejected.status == "rejected"
    assert rejected.review_note == "Name the event."


def test_submission_without_consent_is_refused(app, scene, visitor):
    contact = visitor("c.rijeka@example.org")
    response = contact.post_form(
        "/testimonials/new", form_data(has_consent=None, quote="No consent yet.")
    )
    assert response.status_code == 200
    assert "Consent to publish is required" in page_text(response)
    assert "No consent yet." in page_text(response)
    with app.app_context():
        assert db.session.scalar(select(Testimonial.id)) is None

    # A draft needs no consent, but it cannot be submitted without it.
    draft_id = created_id(
        contact.post_form(
            "/testimonials/new",
            form_data(has_consent=None, action="save", quote="Draft."),
        )
    )
    assert get_testimonial(app, draft_id).status == "draft"
    response = contact.post_form(
        f"/testimonials/{draft_id}/submit", {"version_id": version_of(app, draft_id)}
    )
    assert response.status_code == 302
    follow = contact.get(response.headers["Location"])
    assert "Tick the consent to publish" in page_text(follow)
    assert get_testimonial(app, draft_id).status == "draft"


def test_a_quote_of_2001_characters_is_refused_and_kept(app, scene, visitor):
    contact = visitor("c.rijeka@example.org")
    quote = "a" * 1990 + "bcdefghijkl"
    assert len(quote) == 2001
    response = contact.post_form("/testimonials/new", form_data(quote=quote))
    assert response.status_code == 200
    html = page_text(response)
    assert "The quote can be at most 2,000 characters." in html
    assert quote in html
    assert 'data-maxlength="2000"' in html
    with app.app_context():
        assert db.session.scalar(select(Testimonial.id)) is None


def test_line_breaks_count_as_one_character_like_the_live_counter(app, scene, visitor):
    contact = visitor("c.rijeka@example.org")
    quote = ("x" * 99 + "\r\n") * 20  # 2,000 characters once CRLF is one
    response = contact.post_form("/testimonials/new", form_data(quote=quote))
    testimonial = get_testimonial(app, created_id(response))
    assert len(testimonial.quote) == 1999  # the final line break is trimmed
    assert "\r" not in testimonial.quote


def test_a_contact_cannot_submit_for_another_municipality(app, scene, visitor):
    contact = visitor("c.rijeka@example.org")
    response = contact.post_form(
        "/testimonials/new",
        form_data(
            municipality_id=str(scene.belgrade),
            status="approved",
            is_featured="y",
            submitted_by_id=str(scene.belgrade_contact),
            reviewed_by_id=str(scene.coordinator),
            role="admin",
        ),
    )
    testimonial = get_testimonial(app, created_id(response))
    assert testimonial.municipality_id == scene.rijeka
    assert testimonial.status == TestimonialStatus.SUBMITTED
    assert testimonial.submitted_by_id == scene.contact
    assert testimonial.is_featured is False
    assert testimonial.reviewed_by_id is None
    with app.app_context():
        assert db.session.get(User, scene.contact).role == Role.CONTACT


def test_only_the_municipalitys_programs_and_events_are_offered(scene, visitor):
    html = page_text(visitor("c.rijeka@example.org").get("/testimonials/new"))
    assert f'<option value="{scene.program}">' in html
    assert f'<option value="{scene.event}">' in html
    assert f'<option value="{scene.other_program}">' not in html
    assert f'<option value="{scene.other_event}">' not in html


@pytest.mark.parametrize(
    "field, message",
    [
        ("program_id", "Choose a program the municipality is enrolled in."),
        ("event_id", "Choose an event the municipality took part in."),
    ],
)
def test_a_crafted_post_cannot_link_another_municipalitys_program_or_event(
    app, scene, visitor, make_testimonial, field, message
):
    foreign = scene.other_program if field == "program_id" else scene.other_event
    contact = visitor("c.rijeka@example.org")
    response = contact.post_form(
        "/testimonials/new", form_data(**{field: str(foreign)}, quote="Crafted.")
    )
    assert response.status_code == 200
    assert message in page_text(response)
    assert "Crafted." in page_text(response)
    with app.app_context():
        assert db.session.scalar(select(Testimonial.id)) is None

    # Nor by editing an existing one.
    testimonial_id = make_testimonial(scene.rijeka, scene.contact, "draft")
    response = contact.post_form(
        f"/testimonials/{testimonial_id}/edit",
        form_data(**{field: str(foreign)}, version_id=version_of(app, testimonial_id)),
    )
    assert response.status_code == 200
    assert message in page_text(response)
    stored = get_testimonial(app, testimonial_id)
    assert (stored.program_id, stored.event_id) == (None, None)


def test_a_contact_can_link_their_own_program_event_and_person(
    app, scene, visitor, make_person
):
    person = make_person(
        "Ivana Demo", position="Smart City Lead", municipality_id=scene.rijeka
    )
    outsider = make_person("Marko Demo", municipality_id=scene.belgrade)
    contact = visitor("c.rijeka@example.org")
    refused = contact.post_form(
        "/testimonials/new", form_data(person_id=str(outsider), author_name="")
    )
    assert "Choose a person of this municipality." in page_text(refused)
    response = contact.post_form(
        "/testimonials/new",
        form_data(
            person_id=str(person),
            author_name="",
            author_position="",
            program_id=str(scene.program),
            event_id=str(scene.event),
        ),
    )
    testimonial = get_testimonial(app, created_id(response))
    assert testimonial.person_id == person
    assert testimonial.author_name == "Ivana Demo"
    assert testimonial.author_position == "Smart City Lead"
    assert (testimonial.program_id, testimonial.event_id) == (
        scene.program,
        scene.event,
    )


def test_staff_cannot_write_testimonials(scene, visitor):
    for email in (
        "coordinator@example.org",
        "manager@example.org",
        "admin@example.org",
    ):
        client = visitor(email)
        assert client.get("/testimonials/new").status_code == 403
        assert client.post_form("/testimonials/new", form_data()).status_code == 403


# --- Escaping ----------------------------------------------------------------


def assert_escaped(html: str) -> None:
    assert SCRIPT not in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html


def test_script_in_a_quote_is_shown_escaped_on_every_page(
    app, scene, visitor, make_testimonial
):
    hostile = {
        "quote": SCRIPT + " quote",
        "author_name": SCRIPT,
        "author_position": SCRIPT,
    }
    approved = make_testimonial(
        scene.rijeka, scene.contact, "featured", program_id=scene.program, **hostile
    )
    submitted = make_testimonial(scene.rijeka, scene.contact, "submitted", **hostile)
    rejected = make_testimonial(
        scene.rijeka, scene.contact, "rejected", review_note=SCRIPT, **hostile
    )
    contact = visitor("c.rijeka@example.org")
    coordinator = visitor("coordinator@example.org")
    anonymous = visitor()
    pages = [
        anonymous.get("/testimonials/public"),
        anonymous.get(f"/testimonials/{approved}"),
        contact.get("/testimonials/"),
        contact.get(f"/testimonials/{submitted}"),
        contact.get(f"/testimonials/{submitted}/edit"),
        contact.get(f"/testimonials/{rejected}"),
        coordinator.get("/testimonials/"),
        coordinator.get("/testimonials/review"),
        coordinator.get(f"/testimonials/{submitted}"),
        coordinator.get(f"/testimonials/{submitted}/edit"),
        coordinator.get(f"/testimonials/{approved}"),
    ]
    for response in pages:
        assert response.status_code == 200, response.request.path
        assert_escaped(page_text(response))
    # The reviewer's correction panel and notifications show it escaped too.
    coordinator.post_form(
        f"/testimonials/{submitted}/edit",
        form_data(
            quote=SCRIPT + " fixed",
            author_name=SCRIPT,
            version_id=version_of(app, submitted),
        ),
    )
    assert_escaped(page_text(contact.get(f"/testimonials/{submitted}")))
    assert_escaped(page_text(contact.get("/notifications/")))
    # Partials other pages include.
    with app.test_request_context():
        assert_escaped(
            render_template(
                "testimonials/_featured.html", testimonials=featured_testimonials()
            )
        )
        assert_escaped(
            render_template(
                "testimonials/_list.html",
                testimonials=visible_testimonials(
                    AnonymousUserMixin(), municipality_id=scene.rijeka
                ),
            )
        )
    # JSON is not HTML; the quote comes back as the plain text it is.
    api = anonymous.get(f"/api/v1/testimonials/{approved}")
    assert api.json["quote"] == SCRIPT + " quote"
    assert api.content_type == "application/json"


# --- The workflow, its notifications and the review queue --------------------


def test_submission_notifies_the_reviewers_only(app, scene, visitor):
    contact = visitor("c.rijeka@example.org")
    created_id(contact.post_form("/testimonials/new", form_data()))
    assert notifications_of(app, scene.coordinator) == [
        "Rijeka submitted a testimonial by Ana Demo for review."
    ]
    assert len(notifications_of(app, scene.admin)) == 1
    assert notifications_of(app, scene.manager) == []
    assert notifications_of(app, scene.contact) == []
    coordinator = visitor("coordinator@example.org")
    home = page_text(coordinator.get("/"))
    assert 'aria-label="1 unread"' in home
    assert 'aria-label="1 waiting"' in home


def test_each_review_decision_notifies_the_submitter(
    app, scene, visitor, make_testimonial
):
    coordinator = visitor("coordinator@example.org")
    approved = make_testimonial(scene.rijeka, scene.contact, "submitted")
    rejected = make_testimonial(scene.rijeka, scene.contact, "submitted")

    def post(testimonial_id: int, step: str, **data: str) -> None:
        response = coordinator.post_form(
            f"/testimonials/{testimonial_id}/{step}",
            {"version_id": version_of(app, testimonial_id), **data},
        )
        assert response.status_code == 302

    post(approved, "approve")
    post(rejected, "reject", note="Please name the event.")
    post(approved, "feature")
    post(approved, "unfeature")
    post(approved, "unpublish", note="The author asked us to remove it.")
    messages = notifications_of(app, scene.contact)
    assert messages == [
        "Your testimonial by Demo Author is approved and now public.",
        "Your testimonial by Demo Author was not approved. "
        "Reviewer's note: Please name the event.",
        "Your testimonial by Demo Author is now featured.",
        "Your testimonial by Demo Author was taken off the public pages. "
        "Reviewer's note: The author asked us to remove it.",
    ]
    assert notifications_of(app, scene.colleague) == []
    page = page_text(visitor("c.rijeka@example.org").get("/notifications/"))
    assert "Please name the event." in page
    assert f'href="/testimonials/{rejected}"' in page


def test_withdrawing_returns_a_draft_leaves_the_queue_and_tells_reviewers(
    app, scene, visitor, make_testimonial
):
    testimonial_id = make_testimonial(scene.rijeka, scene.contact, "submitted")
    contact = visitor("c.rijeka@example.org")
    response = contact.post_form(
        f"/testimonials/{testimonial_id}/withdraw",
        {"version_id": version_of(app, testimonial_id)},
    )
    assert response.status_code == 302
    withdrawn = get_testimonial(app, testimonial_id)
    assert withdrawn.status == "draft"
    assert withdrawn.submitted_at is None
    assert notifications_of(app, scene.coordinator) == [
        "Rijeka withdrew the testimonial by Demo Author from review."
    ]
    queue = page_text(visitor("coordinator@example.org").get("/testimonials/review"))
    assert "Nothing is waiting for review." in queue


def test_a_contact_deletes_their_own_draft_only(app, scene, visitor, make_testimonial):
    own = make_testimonial(scene.rijeka, scene.contact, "draft")
    colleagues = make_testimonial(scene.rijeka, scene.colleague, "draft")
    contact = visitor("c.rijeka@example.org")
    response = contact.post_form(
        f"/testimonials/{colleagues}/delete",
        {"version_id": version_of(app, colleagues)},
    )
    assert response.status_code == 403
    response = contact.post_form(
        f"/testimonials/{own}/delete", {"version_id": version_of(app, own)}
    )
    assert response.status_code == 302
    assert get_testimonial(app, own) is None
    assert get_testimonial(app, colleagues) is not None
    with app.app_context():
        assert db.session.scalar(
            select(AuditEntry.id).where(
                AuditEntry.entity_type == "testimonial",
                AuditEntry.entity_id == own,
                AuditEntry.action == "delete",
            )
        )


def test_the_review_queue_lists_submitted_ones_oldest_first(
    app, scene, visitor, make_testimonial
):
    now = utcnow()
    for days, name in ((1, "Newest"), (5, "Oldest"), (3, "Middle")):
        make_testimonial(
            scene.rijeka,
            scene.contact,
            "submitted",
            author_name=name,
            submitted_at=now - timedelta(days=days),
        )
    make_testimonial(scene.rijeka, scene.contact, "draft", author_name="Drafty")
    make_testimonial(scene.rijeka, scene.contact, "approved", author_name="Public")
    html = page_text(visitor("coordinator@example.org").get("/testimonials/review"))
    positions = [html.index(name) for name in ("Oldest", "Middle", "Newest")]
    assert positions == sorted(positions)
    assert "Drafty" not in html
    assert "Public" not in html
    assert visitor("manager@example.org").get("/testimonials/review").status_code == 403


def test_a_reviewer_fixes_a_typo_before_approving_and_the_submitter_sees_it(
    app, scene, visitor, make_testimonial
):
    testimonial_id = make_testimonial(
        scene.rijeka, scene.contact, "submitted", quote="We lerned a lot."
    )
    coordinator = visitor("coordinator@example.org")
    edit_page = page_text(coordinator.get(f"/testimonials/{testimonial_id}/edit"))
    assert "Save and approve" in edit_page
    assert "has_consent" not in edit_page
    response = coordinator.post_form(
        f"/testimonials/{testimonial_id}/edit",
        form_data(
            quote="We learned a lot.",
            author_name="Demo Author",
            author_position="Head of Demo",
            has_consent=None,
            action="approve",
            version_id=version_of(app, testimonial_id),
        ),
    )
    assert response.status_code == 302
    stored = get_testimonial(app, testimonial_id)
    assert stored.quote == "We learned a lot."
    assert stored.status == "approved"
    with app.app_context():
        changes = db.session.scalars(
            select(AuditEntry.changes).where(
                AuditEntry.entity_type == "testimonial",
                AuditEntry.entity_id == testimonial_id,
                AuditEntry.actor_id == scene.coordinator,
            )
        ).all()
    assert {"quote": ["We lerned a lot.", "We learned a lot."]} in changes
    assert notifications_of(app, scene.contact)[0].startswith(
        "A reviewer corrected your testimonial"
    )
    detail = page_text(
        visitor("c.rijeka@example.org").get(f"/testimonials/{testimonial_id}")
    )
    assert "Corrections by the reviewer" in detail
    assert '<del class="quote">We lerned a lot.</del>' in detail
    # The public sees the corrected text and not the correction.
    public = page_text(visitor().get(f"/testimonials/{testimonial_id}"))
    assert "Corrections by the reviewer" not in public
    assert "History" not in public


def test_after_review_the_testimonial_is_read_only_to_its_contact(
    app, scene, visitor, make_testimonial
):
    contact = visitor("c.rijeka@example.org")
    for state in ("approved", "rejected"):
        testimonial_id = make_testimonial(scene.rijeka, scene.contact, state)
        assert contact.get(f"/testimonials/{testimonial_id}/edit").status_code == 403
        detail = page_text(contact.get(f"/testimonials/{testimonial_id}"))
        assert f"/testimonials/{testimonial_id}/edit" not in detail
        assert "Withdraw" not in detail
    submitted = make_testimonial(scene.rijeka, scene.contact, "submitted")
    detail = page_text(contact.get(f"/testimonials/{submitted}"))
    assert f"/testimonials/{submitted}/edit" in detail
    assert "Withdraw from review" in detail
    assert "Approve" not in detail


def test_a_contact_sees_their_testimonials_with_status_and_note(
    app, scene, visitor, make_testimonial
):
    make_testimonial(
        scene.rijeka, scene.contact, "rejected", review_note="Add the position, please."
    )
    make_testimonial(
        scene.belgrade, scene.belgrade_contact, "approved", author_name="Belgrader"
    )
    html = page_text(visitor("c.rijeka@example.org").get("/testimonials/"))
    assert "Add the position, please." in html
    assert "Rejected" in html
    assert "Belgrader" not in html
    staff = page_text(visitor("manager@example.org").get("/testimonials/"))
    assert "Belgrader" in staff and "Add the position, please." in staff


def test_a_stale_edit_is_refused_and_keeps_the_input(
    app, scene, visitor, make_testimonial
):
    testimonial_id = make_testimonial(scene.rijeka, scene.contact, "submitted")
    seen = version_of(app, testimonial_id)
    coordinator = visitor("coordinator@example.org")
    coordinator.post_form(
        f"/testimonials/{testimonial_id}/edit",
        form_data(quote="Reviewer's fix.", version_id=seen, action="save"),
    )
    response = visitor("c.rijeka@example.org").post_form(
        f"/testimonials/{testimonial_id}/edit",
        form_data(quote="My late change.", version_id=seen, action="save"),
    )
    assert response.status_code == 409
    assert "Someone else changed this record" in page_text(response)
    assert "My late change." in page_text(response)
    assert get_testimonial(app, testimonial_id).quote == "Reviewer's fix."


def test_approving_a_text_changed_since_it_was_read_is_refused(
    app, scene, visitor, make_testimonial
):
    testimonial_id = make_testimonial(scene.rijeka, scene.contact, "submitted")
    seen = version_of(app, testimonial_id)
    visitor("c.rijeka@example.org").post_form(
        f"/testimonials/{testimonial_id}/edit",
        form_data(quote="Changed after the reviewer read it.", version_id=seen),
    )
    coordinator = visitor("coordinator@example.org")
    response = coordinator.post_form(
        f"/testimonials/{testimonial_id}/approve", {"version_id": seen}
    )
    assert response.status_code == 302
    assert "Someone else changed this record" in page_text(
        coordinator.get(response.headers["Location"])
    )
    assert get_testimonial(app, testimonial_id).status == "submitted"


def test_unpublishing_makes_it_rejected_with_the_note_and_not_public(
    app, scene, visitor, make_testimonial
):
    testimonial_id = make_testimonial(scene.rijeka, scene.contact, "featured")
    coordinator = visitor("coordinator@example.org")
    response = coordinator.post_form(
        f"/testimonials/{testimonial_id}/unpublish",
        {"note": "", "version_id": version_of(app, testimonial_id)},
    )
    assert response.status_code == 200
    assert "Write a note for the submitter" in page_text(response)
    response = coordinator.post_form(
        f"/testimonials/{testimonial_id}/unpublish",
        {"note": "Outdated.", "version_id": version_of(app, testimonial_id)},
    )
    assert response.status_code == 302
    stored = get_testimonial(app, testimonial_id)
    assert (stored.status, stored.is_featured, stored.review_note) == (
        "rejected",
        False,
        "Outdated.",
    )
    assert visitor().get(f"/testimonials/{testimonial_id}").status_code == 404
    assert "Outdated." in page_text(
        visitor("c.rijeka@example.org").get(f"/testimonials/{testimonial_id}")
    )


def test_a_post_without_the_csrf_token_is_refused(
    app, scene, visitor, make_testimonial
):
    testimonial_id = make_testimonial(scene.rijeka, scene.contact, "submitted")
    coordinator = visitor("coordinator@example.org")
    response = coordinator.post(
        f"/testimonials/{testimonial_id}/approve",
        data={"version_id": version_of(app, testimonial_id)},
    )
    assert response.status_code == 400
    assert get_testimonial(app, testimonial_id).status == "submitted"


# --- The public page and the shared queries ----------------------------------


def test_the_public_page_shows_approved_ones_featured_first_and_filters(
    app, scene, visitor, make_testimonial, make_subject_event
):
    now = utcnow()
    make_testimonial(
        scene.rijeka,
        scene.contact,
        "approved",
        author_name="Plain Newest",
        reviewed_at=now,
        program_id=scene.program,
    )
    make_testimonial(
        scene.belgrade,
        scene.belgrade_contact,
        "featured",
        author_name="Featured Older",
        reviewed_at=now - timedelta(days=30),
    )
    make_testimonial(
        scene.rijeka,
        scene.contact,
        "approved",
        author_name="At the event",
        event_id=scene.event,
    )
    for state in ("draft", "submitted", "rejected"):
        make_testimonial(scene.rijeka, scene.contact, state, author_name=f"Not {state}")
    anonymous = visitor()
    html = page_text(anonymous.get("/testimonials/public"))
    assert html.index("Featured Older") < html.index("Plain Newest")
    for state in ("draft", "submitted", "rejected"):
        assert f"Not {state}" not in html
    assert "Country HR" in html and "Published" in html

    def names(query: str) -> set[str]:
        page = page_text(anonymous.get("/testimonials/public?" + query))
        return {
            name
            for name in ("Plain Newest", "Featured Older", "At the event")
            if name in page
        }

    assert names(f"program={scene.program}") == {"Plain Newest"}
    assert names(f"event={scene.event}") == {"At the event"}
    assert names("country=RS") == {"Featured Older"}
    assert names("country=hr") == {"Plain Newest", "At the event"}
    assert names("program=abc&event=%27;--&country=") == {
        "Plain Newest",
        "Featured Older",
        "At the event",
    }


def test_an_internal_event_is_not_revealed_to_the_public(
    app, scene, visitor, make_testimonial, make_subject_event
):
    internal = make_subject_event(scene.rijeka, is_public=False, title="Closed meeting")
    testimonial_id = make_testimonial(
        scene.rijeka,
        scene.contact,
        "approved",
        event_id=internal,
        author_name="Insider",
    )
    anonymous = visitor()
    assert "Closed meeting" not in page_text(anonymous.get("/testimonials/public"))
    assert "Closed meeting" not in page_text(
        anonymous.get(f"/testimonials/{testimonial_id}")
    )
    assert anonymous.get(f"/api/v1/testimonials/{testimonial_id}").json["event"] is None
    assert "Insider" not in page_text(
        anonymous.get(f"/testimonials/public?event={internal}")
    )
    contact = visitor("c.rijeka@example.org")
    assert "Closed meeting" in page_text(contact.get(f"/testimonials/{testimonial_id}"))


def test_featured_testimonials_fall_back_to_the_newest_approved(
    app, scene, make_testimonial
):
    now = utcnow()
    make_testimonial(
        scene.rijeka,
        scene.contact,
        "approved",
        author_name="Old",
        reviewed_at=now - timedelta(days=9),
    )
    make_testimonial(
        scene.rijeka, scene.contact, "approved", author_name="New", reviewed_at=now
    )
    make_testimonial(scene.rijeka, scene.contact, "submitted", author_name="Waiting")
    with app.app_context():
        assert [t.author_name for t in featured_testimonials()] == ["New", "Old"]
    make_testimonial(
        scene.rijeka,
        scene.contact,
        "featured",
        author_name="Star",
        reviewed_at=now - timedelta(days=20),
    )
    make_testimonial(
        scene.rijeka,
        scene.contact,
        "featured",
        author_name="Star 2",
        reviewed_at=now - timedelta(days=10),
    )
    with app.app_context():
        assert [t.author_name for t in featured_testimonials()] == [
            "Star 2",
            "Star",
            "New",
        ]
        assert [t.author_name for t in featured_testimonials(limit=1)] == ["Star 2"]
        with app.test_request_context():
            html = render_template(
                "testimonials/_featured.html", testimonials=featured_testimonials()
            )
    assert 'href="/testimonials/public">All testimonials</a>' in html


def test_visible_testimonials_follow_who_may_see_them(app, scene, make_testimonial):
    for state in ("draft", "submitted", "approved", "rejected"):
        make_testimonial(scene.rijeka, scene.contact, state, author_name=f"R {state}")
        make_testimonial(
            scene.belgrade, scene.belgrade_contact, state, author_name=f"B {state}"
        )
    with app.app_context():
        users = {
            "anonymous": AnonymousUserMixin(),
            "rijeka": db.session.get(User, scene.contact),
            "manager": db.session.get(User, scene.manager),
        }
        seen = {
            who: {t.author_name for t in visible_testimonials(user)}
            for who, user in users.items()
        }
        by_program = visible_testimonials(users["manager"], program_id=scene.program)
    assert seen["anonymous"] == {"R approved", "B approved"}
    assert seen["rijeka"] == {
        "R draft",
        "R submitted",
        "R approved",
        "R rejected",
        "B approved",
    }
    assert len(seen["manager"]) == 8
    assert by_program == []


# --- Cost of the lists -------------------------------------------------------


def count_queries(db_connection, call) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db_connection, "before_cursor_execute", count)
    try:
        call()
    finally:
        event.remove(db_connection, "before_cursor_execute", count)
    return len(statements)


@pytest.mark.usefixtures("pages_rendered_afresh")
def test_list_pages_cost_the_same_number_of_queries_for_more_rows(
    app,
    scene,
    visitor,
    make_testimonial,
    make_subject_program,
    db_connection,
    record_figure,
):
    coordinator = visitor("coordinator@example.org")
    anonymous = visitor()
    pages = {
        "staff list": (coordinator, "/testimonials/?per_page=100"),
        "review queue": (coordinator, "/testimonials/review?per_page=100"),
        "public page": (anonymous, "/testimonials/public?per_page=100"),
        "API list": (coordinator, "/api/v1/testimonials?per_page=100"),
    }

    def add(count: int) -> None:
        for _ in range(count):
            program = make_subject_program(scene.rijeka)
            for state in ("submitted", "approved"):
                make_testimonial(
                    scene.rijeka,
                    scene.contact,
                    state,
                    program_id=program,
                    event_id=scene.event,
                )

    add(2)
    few = {
        name: count_queries(db_connection, lambda c=client, u=url: c.get(u))
        for name, (client, url) in pages.items()
    }
    add(10)
    many = {
        name: count_queries(db_connection, lambda c=client, u=url: c.get(u))
        for name, (client, url) in pages.items()
    }
    assert few == many
    record_figure(
        "testimonial list queries per page (4 vs 24 rows)",
        ", ".join(f"{name} {count}" for name, count in many.items()),
    )


# --- The API -----------------------------------------------------------------


def validate(instance: Any, schema_name: str) -> None:
    """Check an API answer against this module's OpenAPI schemas."""
    document = {"$id": "urn:testimonials", "components": {"schemas": OPENAPI_SCHEMAS}}
    registry = Registry().with_resource(
        "urn:testimonials", DRAFT202012.create_resource(document)
    )
    jsonschema.Draft202012Validator(
        {"$ref": f"urn:testimonials#/components/schemas/{schema_name}"},
        registry=registry,
    ).validate(instance)


def test_the_api_shows_each_caller_what_they_may_see(
    app, scene, visitor, make_testimonial
):
    ids = {}
    for city, contact in (("R", scene.contact), ("B", scene.belgrade_contact)):
        municipality = scene.rijeka if city == "R" else scene.belgrade
        for state in ("draft", "submitted", "approved", "rejected"):
            ids[city, state] = make_testimonial(
                municipality, contact, state, author_name=f"{city} {state}"
            )

    def names(client, query: str = "") -> set[str]:
        response = client.get("/api/v1/testimonials?per_page=100" + query)
        assert response.status_code == 200
        validate(response.json, "TestimonialPage")
        return {item["author"]["name"] for item in response.json["items"]}

    anonymous = visitor()
    rijeka = visitor("c.rijeka@example.org")
    manager = visitor("manager@example.org")
    assert names(anonymous) == {"R approved", "B approved"}
    assert names(anonymous, "&status=submitted") == set()
    assert names(rijeka) == {
        "R draft",
        "R submitted",
        "R approved",
        "R rejected",
        "B approved",
    }
    assert len(names(manager)) == 8
    assert names(manager, "&status=submitted") == {"R submitted", "B submitted"}
    assert names(manager, "&country=RS&status=rejected") == {"B rejected"}
    assert names(anonymous, "&featured=true") == set()
    assert names(anonymous, "&featured=false") == {"R approved", "B approved"}

    item = rijeka.get(f"/api/v1/testimonials/{ids['R', 'rejected']}").json
    validate(item, "Testimonial")
    assert item["review_note"] == "Please name the program you mean."
    public_item = anonymous.get(f"/api/v1/testimonials/{ids['B', 'approved']}").json
    validate(public_item, "Testimonial")
    assert "has_consent" not in public_item
    assert rijeka.get(f"/api/v1/testimonials/{ids['B', 'draft']}").status_code == 404
    missing = anonymous.get("/api/v1/testimonials/999999")
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == "not_found"


def test_an_api_token_acts_with_its_users_role(app, scene, make_testimonial):
    make_testimonial(scene.rijeka, scene.contact, "submitted", author_name="Waiting")
    with app.app_context():
        token, secret = ApiToken.issue(db.session.get(User, scene.manager), "reports")
        db.session.add(token)
        db.session.commit()
    client = app.test_client()
    response = client.get(
        "/api/v1/testimonials?status=submitted",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert [item["author"]["name"] for item in response.json["items"]] == ["Waiting"]
    assert client.get("/api/v1/testimonials?status=submitted").json["items"] == []


def test_the_api_pages_and_refuses_bad_parameters(
    app, scene, visitor, make_testimonial
):
    for _ in range(5):
        make_testimonial(scene.rijeka, scene.contact, "approved")
    client = visitor()
    page = client.get("/api/v1/testimonials?per_page=2&page=3").json
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (
        5,
        3,
        2,
        1,
    )
    for query in (
        "per_page=101",
        "page=0",
        "status=published",
        "program=abc",
        "event=-1",
        "sort=quote",
        "country=Croatia",
        "q=" + "x" * 101,
    ):
        response = client.get("/api/v1/testimonials?" + query)
        assert response.status_code == 400, query
        assert response.json["error"]["code"] == "bad_request"


def test_the_openapi_fragments_are_consistent():
    jsonschema.Draft202012Validator.check_schema(OPENAPI_SCHEMAS["Testimonial"])
    text = repr(OPENAPI_PATHS) + repr(OPENAPI_SCHEMAS)
    for name in re.findall(r"#/components/schemas/(\w+)", text):
        assert name in OPENAPI_SCHEMAS
    assert set(OPENAPI_PATHS) == {"/testimonials", "/testimonials/{testimonial_id}"}
    for path in OPENAPI_PATHS.values():
        assert set(path) == {"get"}
        assert "200" in path["get"]["responses"]


# --- The form battery --------------------------------------------------------


LONG = "x" * 10_000


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"quote": ""}, "quote", "Write the quote."),
        ({"quote": "   "}, "quote", "Write the quote."),
        ({"author_name": "", "person_id": ""}, "author_name", "Pick the author"),
        ({"quote": LONG}, "quote", "at most 2,000 characters"),
        ({"author_name": LONG}, "author_name", "at most 200 characters."),
        ({"author_position": LONG}, "author_position", "at most 200 characters."),
        ({"program_id": "abc"}, "program_id", "Choose a program"),
        ({"event_id": "31 February"}, "event_id", "Choose an event"),
        ({"person_id": "1e3"}, "person_id", "Choose a person"),
        ({"program_id": LONG}, "program_id", "Choose a program"),
        ({"event_id": "-5"}, "event_id", "Choose an event"),
    ],
)
def test_bad_input_comes_back_with_a_message_beside_the_field(
    app, scene, visitor, make_testimonial, changes, field, message
):
    contact = visitor("c.rijeka@example.org")
    response = contact.post_form("/testimonials/new", form_data(**changes))
    assert response.status_code == 200
    html = page_text(response)
    errors = re.search(rf'id="{field}-errors">(.*?)</div>\s*</div>', html, re.S)
    assert errors and message in errors.group(1), html[:3000]
    for name, value in changes.items():
        if not name.endswith("_id") and value.strip():
            assert value in html  # what the user typed is kept
    testimonial_id = make_testimonial(scene.rijeka, scene.contact, "submitted")
    response = contact.post_form(
        f"/testimonials/{testimonial_id}/edit",
        form_data(**changes, version_id=version_of(app, testimonial_id)),
    )
    assert response.status_code == 200
    assert message in page_text(response)
    with app.app_context():
        assert (
            db.session.scalar(select(Testimonial.id).where(Testimonial.quote == LONG))
            is None
        )


def test_an_empty_post_and_junk_never_give_a_server_error(
    app, scene, visitor, make_testimonial
):
    contact = visitor("c.rijeka@example.org")
    coordinator = visitor("coordinator@example.org")
    submitted = make_testimonial(scene.rijeka, scene.contact, "submitted")
    approved = make_testimonial(scene.rijeka, scene.contact, "approved")
    junk = {
        "version_id": "abc",
        "note": LONG,
        "action": "<script>",
        "has_consent": LONG,
    }
    for client, url in (
        (contact, "/testimonials/new"),
        (contact, f"/testimonials/{submitted}/edit"),
        (contact, f"/testimonials/{submitted}/withdraw"),
        (coordinator, f"/testimonials/{submitted}/edit"),
        (coordinator, f"/testimonials/{submitted}/approve"),
        (coordinator, f"/testimonials/{submitted}/reject"),
        (coordinator, f"/testimonials/{approved}/feature"),
        (coordinator, f"/testimonials/{approved}/unpublish"),
    ):
        for data in ({}, junk):
            response = client.post_form(url, data)
            assert response.status_code in (200, 302, 409), (url, data)
    assert get_testimonial(app, submitted).status == "submitted"
    assert get_testimonial(app, approved).status == "approved"
    response = coordinator.post_form(
        f"/testimonials/{submitted}/reject",
        {"note": LONG, "version_id": version_of(app, submitted)},
    )
    assert "The note can be at most 2,000 characters." in page_text(response)
    for query in ("status=nope", "program=x", "sort=evil", "page=-3", "q=" + LONG):
        assert coordinator.get("/testimonials/?" + query).status_code == 200
        assert visitor().get("/testimonials/public?" + query).status_code == 200


def test_extra_fields_a_contact_adds_to_an_edit_change_nothing(
    app, scene, visitor, make_testimonial
):
    testimonial_id = make_testimonial(scene.rijeka, scene.contact, "submitted")
    contact = visitor("c.rijeka@example.org")
    response = contact.post_form(
        f"/testimonials/{testimonial_id}/edit",
        form_data(
            quote="Edited.",
            version_id=version_of(app, testimonial_id),
            municipality_id=str(scene.belgrade),
            status="approved",
            is_featured="y",
            review_note="self-approved",
            submitted_by_id=str(scene.belgrade_contact),
            role="admin",
        ),
    )
    assert response.status_code == 302
    stored = get_testimonial(app, testimonial_id)
    assert stored.quote == "Edited."
    assert (stored.municipality_id, stored.status, stored.is_featured) == (
        scene.rijeka,
        "submitted",
        False,
    )
    assert (stored.review_note, stored.submitted_by_id) == ("", scene.contact)


def test_a_submitted_testimonial_keeps_its_consent(
    app, scene, visitor, make_testimonial
):
    testimonial_id = make_testimonial(scene.rijeka, scene.contact, "submitted")
    response = visitor("c.rijeka@example.org").post_form(
        f"/testimonials/{testimonial_id}/edit",
        form_data(has_consent=None, version_id=version_of(app, testimonial_id)),
    )
    assert response.status_code == 200
    assert "withdraw it instead" in page_text(response)
    assert get_testimonial(app, testimonial_id).has_consent is True


# --- Demo data ---------------------------------------------------------------


def test_the_demo_seed_covers_every_state_and_runs_twice(app):
    from tracker.admin import seed as accounts
    from tracker.models import Event, EventKind, Program
    from tracker.municipalities import seed as places
    from tracker.people import seed as people
    from tracker.testimonials import seed as testimonials

    with app.app_context():
        places.seed(db.session)
        people.seed(db.session)
        accounts.seed(db.session)
        mfsa = Program(code="MFSA", name="Municipal Finance Self-Assessment")
        seoul = Event(
            title="World Smart City Summit and Smart City Week",
            kind=EventKind.SUMMIT,
            starts_on=utcnow().date().replace(year=2017, month=9, day=4),
            ends_on=utcnow().date().replace(year=2017, month=9, day=8),
            city="Seoul",
            is_public=True,
        )
        db.session.add_all([mfsa, seoul])
        db.session.flush()
        testimonials.seed(db.session)
        first = db.session.scalars(select(Testimonial)).all()
        testimonials.seed(db.session)
        assert len(db.session.scalars(select(Testimonial)).all()) == len(first)
        by_author = {t.author_name: t for t in first}
        reisa = by_author["Reisa Duraj"]
        assert reisa.municipality.name == "Shkodër"
        assert reisa.author_position == "Head of Finance and Treasury Relations Sector"
        assert reisa.program.code == "MFSA"
        assert reisa.is_published
        assert by_author["Emil Doncev"].municipality.name == "Vinica"
        assert by_author["Emil Doncev"].program is None  # no ACP seeded here
        states = {
            (t.municipality.name, "featured" if t.is_featured else t.status.value)
            for t in first
        }
        for city in ("Rijeka", "Belgrade"):
            for state in ("draft", "submitted", "approved", "rejected", "featured"):
                assert (city, state) in states
        for t in first:
            if t.municipality.name in ("Rijeka", "Belgrade"):
                assert t.submitted_by.email.startswith("contact.")
        assert any(t.event_id == seoul.id for t in first)
        db.session.rollback()


def test_home_page_shows_featured_testimonials_and_links_to_all(client, app):
    from tracker.seed import seed_demo

    with app.app_context(), acting_as("tests"):
        seed_demo(db.session)
        db.session.commit()
        featured = featured_testimonials(limit=3)
        assert all(t.is_featured for t in featured)
        hidden = db.session.scalars(
            select(Testimonial).where(Testimonial.status != TestimonialStatus.APPROVED)
        ).all()
    page = client.get("/").data.decode()
    assert len(featured) == 3 and all(t.author_name in page for t in featured)
    assert not any(t.quote[:40] in page for t in hidden)
    assert page.count(">All testimonials<") == 1
