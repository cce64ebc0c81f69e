"""Demo data: testimonials.

Three published ones paraphrase what officials said about the program (the
MFSA tool, the capacity-building program, anticorruption planning); the
rest are illustrative ones from the demo contacts of Rijeka and Belgrade,
in every workflow state, taken through the model's own workflow steps.
Programs and events are linked by code or title only when those seeds made
them. A testimonial is found again by its municipality and quote, so
running the seed twice adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import extract, or_, select
from sqlalchemy.orm import Session

from tracker.models import (
    Event,
    Municipality,
    Person,
    Program,
    Testimonial,
    TestimonialStatus,
    User,
    utcnow,
)


@dataclass(frozen=True)
class Demo:
    municipality: str
    quote: str
    person_email: str | None = None
    author_name: str = ""
    author_position: str = ""
    program_code: str | None = None
    # (word in the title or city, year) of the event it is about
    event: tuple[str, int] | None = None
    # draft, submitted, approved, featured or rejected
    state: str = "approved"
    note: str = ""
    contact_email: str | None = None
    submitted_at: datetime | None = None


def _at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


# Officials' views, in our own words (the facts are in DEMO-FACTS.md).
PUBLISHED = [
    Demo(
        municipality="Shkodër",
        person_email="r.duraj@shkoder.example.org",
        program_code="MFSA",
        state="featured",
        submitted_at=_at(2017, 10, 18),
        quote=(
            "The self-assessment gives a municipality an honest picture of its "
            "own finances and shows where extra funding could come from. The "
            "harder part comes after: turning the budget into a strategy that "
            "really moves the city forward is a heavy responsibility."
        ),
    ),
    Demo(
        municipality="Križevci",
        person_email="manager@krizevci.example.org",
        program_code="ACP",
        state="featured",
        submitted_at=_at(2017, 10, 18),
        quote=(
            "A program like this builds know-how inside the town hall itself. "
            "Local governments of every size learn from it, and medium-sized "
            "and larger cities stand to gain the most."
        ),
    ),
    Demo(
        municipality="Vinica",
        person_email="mayor@vinica.example.org",
        program_code="ACP",
        state="featured",
        submitted_at=_at(2014, 3, 3),
        quote=(
            "Working out our anticorruption plan step by step changed how the "
            "administration is organised. Everyone now knows who answers for "
            "what, and citizens can follow the decisions we take."
        ),
    ),
]

RIJEKA = "contact.rijeka@example.org"
BELGRADE = "contact.belgrade@example.org"

# Illustrative testimonials of the two demo contacts, in every state.
FROM_CONTACTS = [
    Demo(
        municipality="Rijeka",
        contact_email=RIJEKA,
        person_email="ivana.horvat@rijeka.example.org",
        event=("Smart City", 2017),
        state="featured",
        quote=(
            "Seeing Seoul's services at work, from the complaint reporting "
            "system to the citizens' budget, gave us concrete ideas for the "
            "next version of our open data portal."
        ),
    ),
    Demo(
        municipality="Rijeka",
        contact_email=RIJEKA,
        # Rijeka's representative in Seoul, who held the water-project talks.
        person_email="ivana.horvat@rijeka.example.org",
        event=("Smart City", 2017),
        state="approved",
        quote=(
            "The most useful hour of the week was comparing notes with a water "
            "utility on how to prepare a large, mostly EU-funded project like "
            "our water agglomeration."
        ),
    ),
    Demo(
        municipality="Rijeka",
        contact_email=RIJEKA,
        person_email="ivana.horvat@rijeka.example.org",
        event=("NEXPO", 2013),
        state="submitted",
        quote=(
            "Hosting the regional exhibition let our departments show their "
            "work to neighbouring cities, and we left with three new contacts "
            "for joint projects."
        ),
    ),
    Demo(
        municipality="Rijeka",
        contact_email=RIJEKA,
        author_name="Demo Deputy Mayor",
        author_position="Deputy Mayor",
        state="draft",
        quote=(
            "Draft: what we would tell other cities about starting a smart city "
            "strategy (to be agreed with the Deputy Mayor)."
        ),
    ),
    Demo(
        municipality="Rijeka",
        contact_email=RIJEKA,
        author_name="Demo Council Member",
        state="rejected",
        note=(
            "Thank you. Please add the author's position and say which event "
            "or program this is about, then send a new testimonial."
        ),
        quote="It was a very good event and we learned a lot.",
    ),
    Demo(
        municipality="Belgrade",
        contact_email=BELGRADE,
        person_email="jelena.markovic@beograd.example.org",
        event=("Smart City", 2017),
        state="featured",
        quote=(
            "Presenting the Beokom centre beside cities from around the world "
            "showed us how much further one portal for citizens' requests can "
            "go, with the mobile apps we are now planning."
        ),
    ),
    Demo(
        municipality="Belgrade",
        contact_email=BELGRADE,
        person_email="nikola.jovanovic@beograd.example.org",
        program_code="MFSA",
        event=("Prčanj", 2017),
        state="approved",
        quote=(
            "Scoring our own finances against clear indicators was sobering, "
            "and it gave the city council a shared list of what to fix first."
        ),
    ),
    Demo(
        municipality="Belgrade",
        contact_email=BELGRADE,
        person_email="nikola.jovanovic@beograd.example.org",
        event=("C2C", 2016),
        state="submitted",
        quote=(
            "The city-to-city dialogue worked because mayors spoke plainly "
            "about what had failed, not only about what had worked."
        ),
    ),
    Demo(
        municipality="Belgrade",
        contact_email=BELGRADE,
        person_email="jelena.markovic@beograd.example.org",
        state="draft",
        quote=(
            "Draft: a few lines on what the Beokom centre changed for citizens "
            "(waiting for the figures for last year)."
        ),
    ),
    Demo(
        municipality="Belgrade",
        contact_email=BELGRADE,
        author_name="Demo Press Officer",
        author_position="Press Officer",
        state="rejected",
        note=(
            "Testimonials carry an official's own view; a press statement "
            "cannot be published here. Please ask the person concerned."
        ),
        quote="The City of Belgrade welcomes every initiative of its partners.",
    ),
]


def seed(session: Session) -> None:
    """Create the demo testimonials that do not exist yet."""
    coordinator = session.scalar(
        select(User).where(User.email == "coordinator@example.org")
    )
    if coordinator is None:
        return
    demos = PUBLISHED + FROM_CONTACTS
    for number, demo in enumerate(demos):
        _create(session, demo, coordinator, days_ago=len(demos) - number)
    session.flush()


def _create(session: Session, demo: Demo, coordinator: User, days_ago: int) -> None:
    municipality = session.scalar(
        select(Municipality).where(Municipality.name == demo.municipality)
    )
    if municipality is None:
        return
    if session.scalar(
        select(Testimonial.id).where(
            Testimonial.municipality_id == municipality.id,
            Testimonial.quote == demo.quote,
        )
    ):
        return
    contact = None
    if demo.contact_email:
        contact = session.scalar(select(User).where(User.email == demo.contact_email))
        if contact is None or contact.municipality_id != municipality.id:
            return
    person = None
    if demo.person_email:
        person = session.scalar(select(Person).where(Person.email == demo.person_email))
    testimonial = Testimonial(
        quote=demo.quote,
        municipality=municipality,
        municipality_id=municipality.id,
        person=person,
        author_name=person.full_name if person else demo.author_name,
        author_position=person.position if person else demo.author_position,
        program=_program(session, demo.program_code),
        event=_event(session, demo.event),
        has_consent=demo.state != "draft",
        submitted_by=contact,
        submitted_by_id=contact.id if contact else None,
    )
    session.add(testimonial)
    if contact is not None:
        # The contacts' ones go through the real workflow steps.
        if demo.state != "draft":
            testimonial.submit(contact)
        if demo.state in ("approved", "featured"):
            testimonial.approve(coordinator)
        if demo.state == "featured":
            testimonial.feature(coordinator)
        if demo.state == "rejected":
            testimonial.reject(coordinator, demo.note)
    else:
        # Quotes the program published: recorded by staff, already approved.
        testimonial.status = TestimonialStatus.APPROVED
        testimonial.is_featured = demo.state == "featured"
        testimonial.reviewed_by = coordinator
        testimonial.reviewed_by_id = coordinator.id
    # Spread the dates so the lists and the review queue have an order. A
    # reviewed one about an event was written in the weeks after it (Seoul
    # 2017 in 2017), so it sorts among its own year's, not as the newest;
    # the review queue's are recent (nobody leaves one waiting for years).
    if testimonial.status != TestimonialStatus.DRAFT:
        reviewed = testimonial.status != TestimonialStatus.SUBMITTED
        submitted_at = (
            demo.submitted_at
            or (_after_event(testimonial.event, days_ago) if reviewed else None)
            or utcnow() - timedelta(days=days_ago + 2)
        )
        testimonial.submitted_at = submitted_at
        testimonial.created_at = submitted_at - timedelta(days=1)
        if reviewed:
            testimonial.reviewed_at = submitted_at + timedelta(days=1)
    session.flush()


def _after_event(event: Event | None, days_ago: int) -> datetime | None:
    """A few weeks after the event ended (a different day for each demo)."""
    if event is None:
        return None
    written = datetime.combine(event.ends_on, time(9), tzinfo=UTC) + timedelta(
        days=14 + days_ago
    )
    return min(written, utcnow() - timedelta(days=1))


def _program(session: Session, code: str | None) -> Program | None:
    if code is None:
        return None
    return session.scalar(select(Program).where(Program.code == code))


def _event(session: Session, about: tuple[str, int] | None) -> Event | None:
    if about is None:
        return None
    word, year = about
    pattern = f"%{word}%"
    return session.scalar(
        select(Event)
        .where(
            or_(Event.title.ilike(pattern), Event.city.ilike(pattern)),
            extract("year", Event.starts_on) == year,
        )
        .order_by(Event.starts_on, Event.id)
        .limit(1)
    )
