"""Access rules of the testimonials pages and API.

The world holds, for Rijeka and for Belgrade, a testimonial in every state
(draft, submitted, approved, featured, rejected) written by that city's
contact, plus a draft and a submitted one by a second Rijeka contact (a
colleague): Rijeka's contact may see those but not change them.
"""

from tests.access.matrix import (
    DENIED,
    HIDDEN,
    LOGIN,
    OK,
    Row,
    editors_only,
    public_page,
    rijeka_editable_by_contact,
    row,
    signed_in,
)
from tests.access.world import World
from tests.conftest import FAST_HASH
from tests.fixtures.testimonials import STATES, new_testimonial
from tracker.extensions import db
from tracker.models import Role, User


def build(world: World) -> None:
    """A testimonial in every state for each city, and a colleague's ones."""
    for city in ("rijeka", "belgrade"):
        for state in STATES:
            testimonial = new_testimonial(
                db.session,
                municipality_id=world[city],
                submitted_by_id=world[f"user_contact_{city}"],
                state=state,
            )
            world[f"testimonial_{city}_{state}"] = testimonial.id
    colleague = User(
        email="colleague.rijeka@example.org",
        role=Role.CONTACT,
        municipality_id=world["rijeka"],
        password_hash=FAST_HASH,
    )
    db.session.add(colleague)
    db.session.flush()
    world["user_colleague_rijeka"] = colleague.id
    for state in ("draft", "submitted"):
        testimonial = new_testimonial(
            db.session,
            municipality_id=world["rijeka"],
            submitted_by_id=colleague.id,
            state=state,
        )
        world[f"testimonial_rijeka_colleague_{state}"] = testimonial.id


def hidden_until_approved(method: str, url: str, city: str = "rijeka", **kw) -> Row:
    """A city's unpublished testimonial: staff and that city's contact only;
    everyone else gets a 404, anonymous callers included."""
    return row(
        method,
        url,
        anonymous=HIDDEN,
        contact_rijeka=OK if city == "rijeka" else HIDDEN,
        contact_belgrade=OK if city == "belgrade" else HIDDEN,
        coordinator=OK,
        manager=OK,
        admin=OK,
        **kw,
    )


def contacts_only(method: str, url: str, **kw) -> Row:
    return row(
        method,
        url,
        anonymous=LOGIN,
        contact_rijeka=OK,
        contact_belgrade=OK,
        coordinator=DENIED,
        manager=DENIED,
        admin=DENIED,
        **kw,
    )


def rijeka_submitter_only(method: str, url: str, **kw) -> Row:
    """A step only the contact who wrote it takes (Rijeka's contact here)."""
    return row(
        method,
        url,
        anonymous=LOGIN,
        contact_rijeka=OK,
        contact_belgrade=HIDDEN,
        coordinator=DENIED,
        manager=DENIED,
        admin=DENIED,
        **kw,
    )


def rijeka_colleague_only(method: str, url: str, **kw) -> Row:
    """A Rijeka colleague's unpublished testimonial: Rijeka's contact sees it
    but may not change it (403); Belgrade's does not see it (404)."""
    return row(
        method,
        url,
        anonymous=LOGIN,
        contact_rijeka=DENIED,
        contact_belgrade=HIDDEN,
        coordinator=DENIED,
        manager=DENIED,
        admin=DENIED,
        **kw,
    )


def nobody_may_change(method: str, url: str, *, belgrade: str, **kw) -> Row:
    """A reviewed testimonial's edit form: read-only to everyone."""
    return row(
        method,
        url,
        anonymous=LOGIN,
        contact_rijeka=DENIED,
        contact_belgrade=belgrade,
        coordinator=DENIED,
        manager=DENIED,
        admin=DENIED,
        **kw,
    )


NOTE = {"note": "Taken down at the author's request."}
T = "/testimonials/{testimonial_rijeka_%s}"
COLLEAGUE = "/testimonials/{testimonial_rijeka_colleague_%s}"
BELGRADE = "/testimonials/{testimonial_belgrade_%s}"

ROWS: list[Row] = [
    # Lists
    signed_in("GET", "/testimonials/"),
    signed_in("GET", "/testimonials/?status=submitted&q=demo&sort=-submitted"),
    public_page("GET", "/testimonials/public"),
    public_page("GET", "/testimonials/public?country=HR&program=1&event=1"),
    editors_only("GET", "/testimonials/review"),
    # Writing: contacts only, for their own municipality
    contacts_only("GET", "/testimonials/new"),
    contacts_only("POST", "/testimonials/new"),
    # One testimonial: public once approved, hidden before
    hidden_until_approved("GET", T % "draft"),
    hidden_until_approved("GET", T % "submitted"),
    public_page("GET", T % "approved"),
    public_page("GET", T % "featured"),
    hidden_until_approved("GET", T % "rejected"),
    hidden_until_approved("GET", COLLEAGUE % "draft"),
    hidden_until_approved("GET", BELGRADE % "submitted", city="belgrade"),
    public_page("GET", BELGRADE % "approved"),
    # Editing: the submitter until reviewed; reviewers while submitted
    rijeka_submitter_only("GET", T % "draft" + "/edit"),
    rijeka_submitter_only("POST", T % "draft" + "/edit"),
    rijeka_editable_by_contact("GET", T % "submitted" + "/edit"),
    rijeka_editable_by_contact("POST", T % "submitted" + "/edit"),
    nobody_may_change("GET", T % "approved" + "/edit", belgrade=DENIED),
    nobody_may_change("POST", T % "approved" + "/edit", belgrade=DENIED),
    nobody_may_change("GET", T % "rejected" + "/edit", belgrade=HIDDEN),
    nobody_may_change("POST", T % "rejected" + "/edit", belgrade=HIDDEN),
    rijeka_colleague_only("GET", COLLEAGUE % "draft" + "/edit"),
    row(
        "GET",
        COLLEAGUE % "submitted" + "/edit",
        anonymous=LOGIN,
        contact_rijeka=DENIED,
        contact_belgrade=HIDDEN,
        coordinator=OK,
        manager=DENIED,
        admin=OK,
    ),
    row(
        "GET",
        BELGRADE % "submitted" + "/edit",
        anonymous=LOGIN,
        contact_rijeka=HIDDEN,
        contact_belgrade=OK,
        coordinator=OK,
        manager=DENIED,
        admin=OK,
    ),
    # The submitter's steps
    rijeka_submitter_only("POST", T % "draft" + "/submit"),
    rijeka_colleague_only("POST", COLLEAGUE % "draft" + "/submit"),
    # A step in the wrong state is refused with a message, not a 403.
    row(
        "POST",
        T % "approved" + "/submit",
        anonymous=LOGIN,
        contact_rijeka=OK,
        contact_belgrade=DENIED,
        coordinator=DENIED,
        manager=DENIED,
        admin=DENIED,
    ),
    rijeka_submitter_only("POST", T % "submitted" + "/withdraw"),
    rijeka_colleague_only("POST", COLLEAGUE % "submitted" + "/withdraw"),
    rijeka_submitter_only("POST", T % "draft" + "/delete"),
    rijeka_colleague_only("POST", COLLEAGUE % "draft" + "/delete"),
    # The reviewers' steps
    editors_only("POST", T % "submitted" + "/approve"),
    editors_only("POST", BELGRADE % "submitted" + "/approve"),
    editors_only("POST", T % "submitted" + "/reject", data=NOTE),
    editors_only("POST", T % "submitted" + "/reject"),
    editors_only("POST", T % "approved" + "/feature"),
    editors_only("POST", T % "featured" + "/unfeature"),
    editors_only("POST", T % "approved" + "/unpublish", data=NOTE),
    # The API: approved ones for everyone, the rest as on the pages
    public_page("GET", "/api/v1/testimonials"),
    public_page("GET", "/api/v1/testimonials?status=submitted&per_page=5"),
    public_page("GET", "/api/v1/testimonials/{testimonial_rijeka_approved}"),
    hidden_until_approved("GET", "/api/v1/testimonials/{testimonial_rijeka_submitted}"),
    hidden_until_approved("GET", "/api/v1/testimonials/{testimonial_rijeka_draft}"),
    hidden_until_approved(
        "GET", "/api/v1/testimonials/{testimonial_belgrade_rejected}", city="belgrade"
    ),
]
