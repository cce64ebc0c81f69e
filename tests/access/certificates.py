"""Access rules of certificates and calendar files.

The world gets Rijeka's person's attendance certificate of the past public
event (issued), and a calendar feed of Rijeka's contact with a known secret.
Certificates: staff and the holder's own account (Rijeka's contact is not
Ana, so gets 404); managers download but issue nothing.
"""

from datetime import date

from tests.access.matrix import (
    DENIED,
    HIDDEN,
    LOGIN,
    OK,
    Row,
    editors_only,
    public_page,
    row,
    signed_in,
)
from tests.access.world import World
from tracker.extensions import db
from tracker.models import CalendarFeed, Certificate, CertificateKind, User

FEED_SECRET = "matrix-feed-secret-of-rijeka"


def build(world: World) -> None:
    """An issued certificate and a calendar feed (needs the events' world)."""
    certificate = Certificate(
        kind=CertificateKind.EVENT_ATTENDANCE,
        person_id=world["person_rijeka"],
        event_id=world["event_past_public"],
        subject_id=world["event_past_public"],
        holder_name="Ana Rijeka-Demo",
        subject_title="Past public event",
        issued_on=date(2026, 1, 5),
    )
    feed = CalendarFeed(
        user=db.session.get(User, world["user_contact_rijeka"]),
        token_hash=CalendarFeed.hash_secret(FEED_SECRET),
    )
    db.session.add_all([certificate, feed])
    db.session.flush()
    world.update(
        certificate_rijeka=certificate.id,
        certificate_code=certificate.code,
        feed_secret=FEED_SECRET,
    )


def holder_or_editors(method: str, url: str, **kw) -> Row:
    """Issuing Ana's certificates: coordinators and admins (Ana has no account)."""
    return row(
        method,
        url,
        anonymous=LOGIN,
        contact_rijeka=HIDDEN,
        contact_belgrade=HIDDEN,
        coordinator=OK,
        manager=DENIED,
        admin=OK,
        **kw,
    )


def everyone(outcome: str, method: str, url: str) -> Row:
    return row(
        method,
        url,
        anonymous=outcome,
        contact_rijeka=outcome,
        contact_belgrade=outcome,
        coordinator=outcome,
        manager=outcome,
        admin=outcome,
    )


ROWS: list[Row] = [
    holder_or_editors("POST", "/certificates/iltp/{iltp_code}/{person_rijeka}"),
    holder_or_editors(
        "POST", "/certificates/events/{event_past_public}/people/{person_rijeka}"
    ),
    row(
        "GET",
        "/certificates/{certificate_rijeka}.pdf",
        anonymous=LOGIN,
        contact_rijeka=HIDDEN,
        contact_belgrade=HIDDEN,
        coordinator=OK,
        manager=OK,
        admin=OK,
    ),
    editors_only("POST", "/certificates/events/{event_past_public}/attendance.zip"),
    public_page("GET", "/certificates/verify"),
    public_page("GET", "/certificates/verify/{certificate_code}"),
    everyone(HIDDEN, "GET", "/certificates/verify/0000000000000000"),
    public_page("GET", "/calendar/events/{event_past_public}.ics"),
    # Not public and over: staff and Rijeka (it took part); hidden from others.
    row(
        "GET",
        "/calendar/events/{event_past_rijeka}.ics",
        anonymous=HIDDEN,
        contact_rijeka=OK,
        contact_belgrade=HIDDEN,
        coordinator=OK,
        manager=OK,
        admin=OK,
    ),
    public_page("GET", "/calendar/public.ics"),
    # The secret is the key: whoever holds it reads the feed, signed in or not.
    public_page("GET", "/calendar/feed/{feed_secret}.ics"),
    everyone(HIDDEN, "GET", "/calendar/feed/not-the-secret.ics"),
    signed_in("POST", "/calendar/feed"),
    signed_in("POST", "/calendar/feed/revoke"),
]
