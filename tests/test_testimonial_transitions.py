"""The testimonial workflow's whole state-transition table.

Every (state, action, role) combination is tried twice: on the model (the
workflow methods and the ``can_*`` predicates the templates use must agree)
and over HTTP (the real views, each cell in a savepoint that is rolled
back). Only the combinations in ``ALLOWED`` may succeed.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from tests.access import testimonials as testimonial_access
from tests.access.world import World, build_base
from tests.conftest import PASSWORD, TrackerClient
from tests.fixtures.testimonials import STATES
from tracker.extensions import db
from tracker.models import Role, Testimonial, TestimonialStatus, User
from tracker.models.testimonials import TestimonialError

ROLES = (
    "anonymous",
    "submitter",  # the Rijeka contact who wrote it
    "colleague",  # another contact of Rijeka
    "other_contact",  # Belgrade's contact
    "coordinator",
    "manager",
    "admin",
)
ACTIONS = (
    "edit",
    "submit",
    "withdraw",
    "delete",
    "approve",
    "reject",
    "feature",
    "unfeature",
    "unpublish",
)
REVIEWERS = ("coordinator", "admin")

# (state, action) -> roles that may take that step; everything else fails.
ALLOWED: dict[tuple[str, str], tuple[str, ...]] = {
    ("draft", "edit"): ("submitter",),
    ("submitted", "edit"): ("submitter", *REVIEWERS),
    ("draft", "submit"): ("submitter",),
    ("submitted", "withdraw"): ("submitter",),
    ("draft", "delete"): ("submitter",),
    ("submitted", "approve"): REVIEWERS,
    ("submitted", "reject"): REVIEWERS,
    ("approved", "feature"): REVIEWERS,
    ("featured", "unfeature"): REVIEWERS,
    ("approved", "unpublish"): REVIEWERS,
    ("featured", "unpublish"): REVIEWERS,
}

# What the testimonial looks like after each step succeeds:
# (exists, status, featured, quote edited)
AFTER = {
    "submit": (True, "submitted", False),
    "withdraw": (True, "draft", False),
    "delete": (False, None, None),
    "approve": (True, "approved", False),
    "reject": (True, "rejected", False),
    "feature": (True, "approved", True),
    "unfeature": (True, "approved", False),
    "unpublish": (True, "rejected", False),
}
NOTE = "Please name the event."
EDITED = "An edited quote."


def allowed(state: str, action: str, role: str) -> bool:
    return role in ALLOWED.get((state, action), ())


def before(state: str) -> tuple[bool, str, bool]:
    status = "approved" if state == "featured" else state
    return True, status, state == "featured"


# --- On the model ------------------------------------------------------------


def model_users() -> dict[str, object]:
    rijeka, belgrade = 10, 20
    return {
        "anonymous": AnonymousUserMixin(),
        "submitter": User(id=1, role=Role.CONTACT, municipality_id=rijeka),
        "colleague": User(id=2, role=Role.CONTACT, municipality_id=rijeka),
        "other_contact": User(id=3, role=Role.CONTACT, municipality_id=belgrade),
        "coordinator": User(id=4, role=Role.COORDINATOR),
        "manager": User(id=5, role=Role.MANAGER),
        "admin": User(id=6, role=Role.ADMIN),
    }


def model_testimonial(state: str) -> Testimonial:
    _, status, featured = before(state)
    return Testimonial(
        quote="A quote.",
        author_name="Demo Author",
        municipality_id=10,
        submitted_by_id=1,
        status=TestimonialStatus(status),
        is_featured=featured,
        has_consent=True,
    )


STEPS: dict[str, Callable[[Testimonial, object], None]] = {
    "submit": lambda t, user: t.submit(user),
    "withdraw": lambda t, user: t.withdraw(user),
    "delete": lambda t, user: t.ensure_deletable(user),
    "approve": lambda t, user: t.approve(user),
    "reject": lambda t, user: t.reject(user, NOTE),
    "feature": lambda t, user: t.feature(user),
    "unfeature": lambda t, user: t.unfeature(user),
    "unpublish": lambda t, user: t.unpublish(user, NOTE),
}
PREDICATES = {
    "edit": "can_edit",
    "submit": "can_submit",
    "withdraw": "can_withdraw",
    "delete": "can_delete",
    "approve": "can_decide",
    "reject": "can_decide",
    "feature": "can_feature",
    "unfeature": "can_unfeature",
    "unpublish": "can_unpublish",
}


def test_the_model_allows_only_the_listed_transitions(record_figure):
    users = model_users()
    cells = mismatches = 0
    problems = []
    for state in STATES:
        for action in ACTIONS:
            for role, user in users.items():
                cells += 1
                testimonial = model_testimonial(state)
                expected = allowed(state, action, role)
                predicate = getattr(testimonial, PREDICATES[action])(user)
                if action == "edit":
                    succeeded = testimonial.can_edit(user)
                else:
                    try:
                        STEPS[action](testimonial, user)
                        succeeded = True
                    except TestimonialError as error:
                        assert str(error).endswith("."), str(error)
                        succeeded = False
                        # A refused step changes nothing.
                        assert (testimonial.status, testimonial.is_featured) == (
                            before(state)[1],
                            before(state)[2],
                        )
                if succeeded and action in AFTER and action != "delete":
                    assert (
                        True,
                        testimonial.status,
                        testimonial.is_featured,
                    ) == AFTER[action], (state, action, role)
                if succeeded != expected or predicate != expected:
                    mismatches += 1
                    problems.append(
                        f"{state} {action} {role}: expected {expected}, "
                        f"method {succeeded}, predicate {predicate}"
                    )
    allowed_cells = sum(len(roles) for roles in ALLOWED.values())
    record_figure(
        "testimonial transitions (model)",
        f"{len(STATES)} states x {len(ACTIONS)} actions x {len(users)} roles = "
        f"{cells} cells, {allowed_cells} allowed, {mismatches} mismatches",
    )
    assert problems == []


def test_a_step_names_what_is_wrong():
    users = model_users()
    with pytest.raises(TestimonialError, match="Only a testimonial awaiting review"):
        model_testimonial("draft").approve(users["coordinator"])
    with pytest.raises(TestimonialError, match="Only coordinators and administrators"):
        model_testimonial("submitted").approve(users["manager"])
    with pytest.raises(TestimonialError, match="Write a note"):
        model_testimonial("submitted").reject(users["coordinator"], "  ")
    with pytest.raises(TestimonialError, match="consent to publish"):
        draft = model_testimonial("draft")
        draft.has_consent = False
        draft.submit(users["submitter"])
    with pytest.raises(TestimonialError, match="already featured"):
        model_testimonial("featured").feature(users["admin"])


# --- Over HTTP ---------------------------------------------------------------


@pytest.fixture
def world(app) -> World:
    world = World()
    with app.app_context():
        build_base(world)
        testimonial_access.build(world)
        db.session.commit()
    world.emails["submitter"] = world.emails["contact_rijeka"]
    world.emails["other_contact"] = world.emails["contact_belgrade"]
    world.emails["colleague"] = "colleague.rijeka@example.org"
    return world


def _session_of(app, email: str | None) -> tuple[str | None, str]:
    """A signed-in session cookie and its CSRF token, taken once and replayed."""
    client = app.test_client()
    client.__class__ = TrackerClient
    if email:
        token = client.csrf_token()
        response = client.post(
            "/auth/login",
            data={"email": email, "password": PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 302
    token = client.csrf_token()
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return (cookie.value if cookie else None), token


def _edit_data() -> dict[str, str]:
    return {
        "quote": EDITED,
        "author_name": "Demo Author",
        "author_position": "Head of Demo",
        "person_id": "",
        "program_id": "",
        "event_id": "",
        "has_consent": "y",
        "action": "save",
    }


def test_the_views_allow_only_the_listed_transitions(
    app, world, db_connection, record_figure
):
    sessions = {
        role: _session_of(app, None if role == "anonymous" else world.emails[role])
        for role in ROLES
    }
    cells = 0
    problems = []
    statuses: dict[int, int] = {}
    for state in STATES:
        testimonial_id = world[f"testimonial_rijeka_{state}"]
        version = db_connection.scalar(
            select(Testimonial.version_id).where(Testimonial.id == testimonial_id)
        )
        for action in ACTIONS:
            url = f"/testimonials/{testimonial_id}/{action}"
            data = {"version_id": str(version), "note": NOTE}
            if action == "edit":
                data |= _edit_data()
            for role in ROLES:
                cookie, token = sessions[role]
                savepoint = db_connection.begin_nested()
                try:
                    client = app.test_client()
                    if cookie:
                        client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
                    response = client.post(url, data={**data, "csrf_token": token})
                    statuses[response.status_code] = (
                        statuses.get(response.status_code, 0) + 1
                    )
                    row = db_connection.execute(
                        select(
                            Testimonial.status,
                            Testimonial.is_featured,
                            Testimonial.quote,
                        ).where(Testimonial.id == testimonial_id)
                    ).first()
                finally:
                    savepoint.rollback()
                cells += 1
                now = (
                    (False, None, None)
                    if row is None
                    else (True, row.status, row.is_featured)
                )
                edited = row is not None and row.quote == EDITED
                if action == "edit":
                    succeeded = edited and now == before(state)
                else:
                    # A step succeeds when it changed the record as it should.
                    succeeded = (
                        now == AFTER[action] and now != before(state) and not edited
                    )
                    if not succeeded and now != before(state):
                        problems.append(f"{state} {action} {role}: half-done {now}")
                if response.status_code >= 500:
                    problems.append(f"{state} {action} {role}: server error")
                if succeeded != allowed(state, action, role):
                    problems.append(
                        f"{state} {action} {role}: expected "
                        f"{allowed(state, action, role)}, got {succeeded} "
                        f"({response.status_code})"
                    )
    record_figure(
        "testimonial transitions (HTTP)",
        f"{len(STATES)} states x {len(ACTIONS)} actions x {len(ROLES)} roles = "
        f"{cells} cells, {sum(len(r) for r in ALLOWED.values())} allowed, "
        f"{len(problems)} mismatches; statuses "
        + ", ".join(f"{code}: {count}" for code, count in sorted(statuses.items())),
    )
    assert problems == []
