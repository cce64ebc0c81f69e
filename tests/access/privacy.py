"""Access rules of the privacy pages: staff see a person's consent page,
editors change it and erase; a person's export for editors and for the
person themself; the retention page for administrators."""

from tests.access.matrix import (
    DENIED,
    HIDDEN,
    LOGIN,
    OK,
    Row,
    admins_only,
    editors_only,
    row,
    signed_in,
    staff_only,
)
from tests.access.world import World
from tracker.extensions import db
from tracker.models import ConsentMethod, ListingConsent, Person, User, utcnow


def build(world: World) -> None:
    """A consent answer to withdraw, and a person linked to Rijeka's contact."""
    consent = ListingConsent(
        person_id=world["person_rijeka"],
        method=ConsentMethod.FORM,
        recorded_at=utcnow(),
    )
    own = Person(full_name="Rijeka Contact-Person", municipality_id=world["rijeka"])
    db.session.add_all([consent, own])
    db.session.flush()
    db.session.get(User, world["user_contact_rijeka"]).person_id = own.id
    db.session.flush()
    world.update(listing_consent=consent.id, person_contact_rijeka=own.id)


def exporters(method: str, url: str) -> Row:
    """Coordinators and admins; the person themself (Rijeka's contact)."""
    return row(
        method,
        url,
        anonymous=LOGIN,
        contact_rijeka=OK,
        contact_belgrade=HIDDEN,
        coordinator=OK,
        manager=DENIED,
        admin=OK,
    )


def others_export(method: str, url: str) -> Row:
    """Someone else's data: contacts learn nothing, managers are refused."""
    return row(
        method,
        url,
        anonymous=LOGIN,
        contact_rijeka=HIDDEN,
        contact_belgrade=HIDDEN,
        coordinator=OK,
        manager=DENIED,
        admin=OK,
    )


PERSON = "/privacy/people/{person_rijeka}"
OWN = "/privacy/people/{person_contact_rijeka}"

ROWS: list[Row] = [
    staff_only("GET", PERSON),
    # Without a form the answer is the form again (422): access is what counts.
    editors_only("POST", PERSON + "/consents"),
    editors_only("POST", "/privacy/consents/{listing_consent}/withdraw"),
    editors_only("POST", PERSON + "/erase"),
    others_export("GET", PERSON + "/export"),
    others_export("GET", PERSON + "/export.json"),
    exporters("GET", OWN + "/export"),
    exporters("GET", OWN + "/export.json"),
    signed_in("GET", "/privacy/me"),
    editors_only("GET", "/privacy/events/{event_past_public}/basis"),
    editors_only("POST", "/privacy/events/{event_past_public}/basis"),
    admins_only("GET", "/privacy/retention"),
]
