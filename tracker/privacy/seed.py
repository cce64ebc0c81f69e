"""Demo consent answers and one event's legal basis for naming presenters.

At Seoul, Rijeka's representative consented (on the registration form) and
Belgrade's and the World Bank's did not answer, so the public page names one
and counts two. The two officials quoted in public testimonials and UPP's
trainer agreed by e-mail. At the Skopje city-to-city dialogue a coordinator
chose "public task" for officials presenting in an official capacity.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import (
    ConsentMethod,
    Event,
    ListingBasis,
    ListingConsent,
    Person,
    PresenterListingBasis,
    utcnow,
)

CONSENTS = [
    ("ivana.horvat@rijeka.example.org", ConsentMethod.FORM, "Seoul registration form"),
    ("r.duraj@shkoder.example.org", ConsentMethod.EMAIL, "E-mail of 12 May 2017"),
    ("mayor@vinica.example.org", ConsentMethod.EMAIL, "E-mail of 3 April 2016"),
    ("sara.lindner@upp.example.org", ConsentMethod.PAPER, "Signed staff form"),
]
BASES = [
    (
        "City-to-city dialogue on urban audit, Skopje",
        ListingBasis.PUBLIC_TASK,
        "Presenters spoke as municipal officials about their city's audit "
        "practice, a task carried out in the public interest; the agenda was "
        "published before the dialogue.",
    ),
]


def seed(session: Session) -> None:
    """Record the demo answers and bases that do not exist yet."""
    for email, method, note in CONSENTS:
        person = session.scalar(select(Person).where(Person.email == email))
        if person is None:
            continue
        exists = session.scalar(
            select(ListingConsent.id).where(ListingConsent.person_id == person.id)
        )
        if exists is None:
            session.add(
                ListingConsent(
                    person=person, method=method, note=note, recorded_at=utcnow()
                )
            )
    for title, basis, explanation in BASES:
        event = session.scalar(select(Event).where(Event.title == title))
        if event is None:
            continue
        exists = session.scalar(
            select(PresenterListingBasis.id).where(
                PresenterListingBasis.event_id == event.id
            )
        )
        if exists is None:
            session.add(
                PresenterListingBasis(
                    event=event,
                    basis=basis,
                    explanation=explanation,
                    chosen_at=utcnow(),
                )
            )
    session.flush()
