"""Access rules of the events pages and API.

The rule, decided here and enforced by ``Event.can_view``:
- staff (coordinator, manager, admin) see every event; coordinators and
  admins change events, sessions and participations;
- a municipal contact sees public events, events that are not over (to
  propose people of their municipality: only before the event starts) and
  events their municipality took part in; any other event is 404 to them;
- e-mail and phone of a participant: staff and the contacts of the
  municipality they represented; CSV export and sign-in sheet: staff only;
- anonymous visitors: the public pages and API for public events only
  (404 for the others), never contact details.
"""

from datetime import date, timedelta

from tests.access.matrix import (
    DENIED,
    HIDDEN,
    LOGIN,
    OK,
    Row,
    editors_only,
    public_page,
    rijeka_private,
    row,
    signed_in,
    staff_only,
)
from tests.access.world import World
from tracker.extensions import db
from tracker.models import (
    Attendance,
    Event,
    EventKind,
    EventSession,
    Participation,
    ParticipationRole,
    Person,
    SessionKind,
    User,
)


def build(world: World) -> None:
    """An upcoming event, a past public event and a past private event of Rijeka,
    with participations of both municipalities' people."""
    today = date.today()
    upcoming = Event(
        title="Upcoming training (matrix)",
        kind=EventKind.TRAINING,
        starts_on=today + timedelta(days=30),
        ends_on=today + timedelta(days=31),
        country_id=world["serbia"],
    )
    past_public = Event(
        title="Past public summit (matrix)",
        kind=EventKind.SUMMIT,
        starts_on=today - timedelta(days=300),
        ends_on=today - timedelta(days=298),
        country_id=world["croatia"],
        is_public=True,
    )
    past_rijeka = Event(
        title="Past private workshop of Rijeka (matrix)",
        kind=EventKind.WORKSHOP,
        starts_on=today - timedelta(days=200),
        ends_on=today - timedelta(days=200),
    )
    proposed_person = Person(
        full_name="Petra Rijeka-Proposed", municipality_id=world["rijeka"]
    )
    db.session.add_all([upcoming, past_public, past_rijeka, proposed_person])
    db.session.flush()
    contact_rijeka = db.session.get(User, world["user_contact_rijeka"])
    sessions = {
        "session_upcoming": EventSession(
            event=upcoming,
            held_on=upcoming.starts_on,
            kind=SessionKind.OPENING,
            title="Opening",
        ),
        "session_past_public": EventSession(
            event=past_public,
            held_on=past_public.starts_on,
            kind=SessionKind.KEYNOTE,
            title="Keynote",
        ),
    }

    def take_part(event, person_id, municipality_id, attendance, **fields):
        return Participation(
            event=event,
            person_id=person_id,
            municipality_id=municipality_id,
            role=ParticipationRole.DELEGATE,
            attendance=attendance,
            **fields,
        )

    rijeka, belgrade = world["rijeka"], world["belgrade"]
    participations = {
        "participation_rijeka_upcoming": take_part(
            upcoming, world["person_rijeka"], rijeka, Attendance.REGISTERED
        ),
        "participation_belgrade_upcoming": take_part(
            upcoming, world["person_belgrade"], belgrade, Attendance.REGISTERED
        ),
        "participation_rijeka_proposed": take_part(
            upcoming,
            proposed_person.id,
            rijeka,
            Attendance.PROPOSED,
            proposed_by=contact_rijeka,
        ),
        "participation_rijeka_past": take_part(
            past_public, world["person_rijeka"], rijeka, Attendance.ATTENDED
        ),
        "participation_belgrade_past": take_part(
            past_public, world["person_belgrade"], belgrade, Attendance.ATTENDED
        ),
        "participation_rijeka_private": take_part(
            past_rijeka, world["person_rijeka"], rijeka, Attendance.ATTENDED
        ),
    }
    db.session.add_all([*sessions.values(), *participations.values()])
    db.session.flush()
    world.update(
        event_upcoming=upcoming.id,
        event_past_public=past_public.id,
        event_past_rijeka=past_rijeka.id,
        person_rijeka_proposed=proposed_person.id,
        **{name: item.id for name, item in sessions.items()},
        **{name: item.id for name, item in participations.items()},
    )


UP = "/events/{event_upcoming}"
PAST = "/events/{event_past_public}"
PRIVATE = "/events/{event_past_rijeka}"


def contacts_only(method: str, url: str, **kw) -> Row:
    """Proposing: municipal contacts; staff add people directly instead."""
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


def nobody(method: str, url: str, **kw) -> Row:
    """A record nobody may reach through this URL (not public): 404 for all."""
    return row(
        method,
        url,
        anonymous=HIDDEN,
        contact_rijeka=HIDDEN,
        contact_belgrade=HIDDEN,
        coordinator=HIDDEN,
        manager=HIDDEN,
        admin=HIDDEN,
        **kw,
    )


def signed_in_api(method: str, url: str, **kw) -> Row:
    """API for a non-public event every signed-in role sees: anonymous gets 404."""
    return row(
        method,
        url,
        anonymous=HIDDEN,
        contact_rijeka=OK,
        contact_belgrade=OK,
        coordinator=OK,
        manager=OK,
        admin=OK,
        **kw,
    )


def rijeka_private_api(method: str, url: str, **kw) -> Row:
    return row(
        method,
        url,
        anonymous=HIDDEN,
        contact_rijeka=OK,
        contact_belgrade=HIDDEN,
        coordinator=OK,
        manager=OK,
        admin=OK,
        **kw,
    )


ROWS: list[Row] = [
    # The staff list: contacts get it too, limited to the events they may see.
    signed_in("GET", "/events/"),
    signed_in("GET", "/events/?kind=training&when=upcoming&country=RS&q=matrix"),
    signed_in("GET", UP),
    signed_in("GET", PAST),
    rijeka_private("GET", PRIVATE),
    editors_only("GET", "/events/new"),
    editors_only("POST", "/events/new"),
    editors_only("GET", UP + "/edit"),
    editors_only("POST", UP + "/edit"),
    # Refused (it has participants) with a redirect: still past access control.
    editors_only("POST", UP + "/delete"),
    # Sessions, edited in place on the event page.
    editors_only("POST", UP + "/sessions"),
    editors_only("GET", UP + "/sessions/{session_upcoming}/edit"),
    editors_only("POST", UP + "/sessions/{session_upcoming}/edit"),
    editors_only("POST", UP + "/sessions/{session_upcoming}/delete"),
    # Participations.
    editors_only("POST", UP + "/participants"),
    editors_only("POST", UP + "/participants/new-person"),
    # E-mail invitations (tracker/events/invitations.py).
    editors_only("GET", UP + "/invite"),
    # Nobody chosen: the form comes back (422) past access control.
    editors_only("POST", UP + "/invite"),
    editors_only("GET", UP + "/participants/{participation_rijeka_upcoming}/edit"),
    editors_only("POST", UP + "/participants/{participation_rijeka_upcoming}/edit"),
    editors_only("POST", UP + "/participants/{participation_belgrade_upcoming}/delete"),
    editors_only("POST", UP + "/attendance"),
    editors_only("POST", UP + "/participants/{participation_rijeka_proposed}/confirm"),
    editors_only("POST", UP + "/participants/{participation_rijeka_proposed}/decline"),
    # Proposals: contacts, for upcoming events only.
    contacts_only("GET", UP + "/propose"),
    contacts_only("POST", UP + "/propose"),
    row(
        "GET",
        PAST + "/propose",
        anonymous=LOGIN,
        contact_rijeka=DENIED,
        contact_belgrade=DENIED,
        coordinator=DENIED,
        manager=DENIED,
        admin=DENIED,
    ),
    row(
        "POST",
        PRIVATE + "/propose",
        anonymous=LOGIN,
        contact_rijeka=DENIED,
        contact_belgrade=HIDDEN,
        coordinator=DENIED,
        manager=DENIED,
        admin=DENIED,
    ),
    # Exports carry contact details: staff only.
    staff_only("GET", UP + "/participants.csv"),
    staff_only("GET", PAST + "/sign-in-sheet"),
    # Public pages.
    public_page("GET", "/events/public"),
    public_page("GET", "/events/public?kind=summit&when=past"),
    public_page("GET", "/events/public/{event_past_public}"),
    nobody("GET", "/events/public/{event_upcoming}"),
    nobody("GET", "/events/public/{event_past_rijeka}"),
    # API: the same rules; anonymous callers see public events only.
    public_page("GET", "/api/v1/events"),
    public_page("GET", "/api/v1/events?when=past&kind=summit"),
    public_page("GET", "/api/v1/events/{event_past_public}"),
    public_page("GET", "/api/v1/events/{event_past_public}/participants"),
    signed_in_api("GET", "/api/v1/events/{event_upcoming}"),
    signed_in_api("GET", "/api/v1/events/{event_upcoming}/participants"),
    rijeka_private_api("GET", "/api/v1/events/{event_past_rijeka}"),
    rijeka_private_api("GET", "/api/v1/events/{event_past_rijeka}/participants"),
]
