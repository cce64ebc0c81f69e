"""Demo data: the program's events, their agendas and who took part.

Dates, places, hosts and topics come from the program's public record
(DEMO-FACTS.md, the Seoul 2017 report); every text is written for the demo.
Participants are the fictional demo people of the places seed plus a few
more made here (example.org addresses). ILTP trainings give some people
three attended trainings, so the programs pages count them as trained.
Events are looked up by title, sessions by event and title, participations
by event and person: running the seed twice adds nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import (
    Attendance,
    Country,
    Event,
    EventKind,
    EventSession,
    Municipality,
    Participation,
    ParticipationRole,
    Person,
    Program,
    SessionKind,
    User,
)
from tracker.seed.common import get_or_create

A = Attendance
R = ParticipationRole
S = SessionKind

# Demo people who appear only at events: (name, position, municipality, e-mail).
EXTRA_PEOPLE = [
    ("Milan Demo-Petrović", "Head of Budget", "Šabac", "budget@sabac.example.org"),
    ("Jovana Demo-Ristić", "Finance Officer", "Pančevo", "finance@pancevo.example.org"),
    ("Stefan Demo-Nikolić", "Treasury Adviser", "Niš", "treasury@nis.example.org"),
    ("Vesna Demo-Kovač", "Head of Finance", "Subotica", "finance@subotica.example.org"),
    (
        "Dejan Demo-Bulatović",
        "Secretary for Finance",
        "Mojkovac",
        "fin@mojkovac.example.org",
    ),
    ("Marko Demo-Đurović", "Budget Analyst", "Kotor", "budget@kotor.example.org"),
    ("Selma Demo-Begić", "Head of Finance", "Tuzla", "finance@tuzla.example.org"),
    (
        "Adnan Demo-Mehić",
        "Budget Officer",
        "Novo Sarajevo",
        "budget@novosarajevo.example.org",
    ),
    ("Eriona Demo-Shehu", "Deputy Mayor", "Elbasan", "deputy@elbasan.example.org"),
    (
        "Gentian Demo-Leka",
        "Director of Finance",
        "Tirana",
        "finance@tirana.example.org",
    ),
    ("Kristina Demo-Babić", "City Official", "Zagreb", "upp@zagreb.example.org"),
]

# E-mail addresses of the seeded people, by short name, for the tables below.
P = {
    "ivana": "ivana.horvat@rijeka.example.org",
    "luka": "luka.peric@rijeka.example.org",
    "jelena": "jelena.markovic@beograd.example.org",
    "nikola": "nikola.jovanovic@beograd.example.org",
    "emil": "mayor@vinica.example.org",
    "reisa": "r.duraj@shkoder.example.org",
    "arben": "integrity@kucove.example.org",
    "amra": "procurement@zenica.example.org",
    "marija": "manager@krizevci.example.org",
    "driton": "admin@gjakova.example.org",
    "blerim": "finance@istog.example.org",
    "elena": "hr@gostivar.example.org",
    "petar": "secretary@hercegnovi.example.org",
    "ana": "led@tivat.example.org",
    "dragan": "uprava@boljevac.example.org",
    "sara": "sara.lindner@upp.example.org",
    "tomas": "tomas.ortega@worldbank.example.org",
    "milan": "budget@sabac.example.org",
    "jovana": "finance@pancevo.example.org",
    "stefan": "treasury@nis.example.org",
    "vesna": "finance@subotica.example.org",
    "dejan": "fin@mojkovac.example.org",
    "marko": "budget@kotor.example.org",
    "selma": "finance@tuzla.example.org",
    "adnan": "budget@novosarajevo.example.org",
    "eriona": "deputy@elbasan.example.org",
    "gentian": "finance@tirana.example.org",
    "kristina": "upp@zagreb.example.org",
}

SEOUL = "World Smart City Summit and Smart City Week, Seoul"
UPP_HOSTS = "Urban Partnership Program (World Bank and Austria's Ministry of Finance)"


def _awareness_workshop(city: str, country: str, day: int, people: list) -> dict:
    return {
        "title": f"Anticorruption awareness workshop, {city}",
        "kind": EventKind.WORKSHOP,
        "starts_on": date(2012, 3, day),
        "ends_on": date(2012, 3, day),
        "city": city,
        "country": country,
        "organisers": UPP_HOSTS,
        "program": "ACP",
        "description": (
            "One of four workshops in March 2012 (Zagreb, Tirana, Belgrade, "
            "Sarajevo) that introduced local governments to the anticorruption "
            "program; about 110 people from four countries came to the series."
        ),
        "participants": people,
    }


EVENTS: list[dict[str, Any]] = [
    _awareness_workshop(
        "Zagreb",
        "HR",
        5,
        [
            ("marija", R.DELEGATE, A.ATTENDED, ""),
            ("kristina", R.DELEGATE, A.ATTENDED, ""),
            ("sara", R.SPEAKER, A.ATTENDED, "How the program works, step by step"),
        ],
    ),
    _awareness_workshop(
        "Tirana",
        "AL",
        7,
        [
            ("arben", R.DELEGATE, A.ATTENDED, ""),
            ("eriona", R.DELEGATE, A.ATTENDED, ""),
            ("gentian", R.OBSERVER, A.ATTENDED, ""),
            ("sara", R.SPEAKER, A.ATTENDED, "How the program works, step by step"),
        ],
    ),
    _awareness_workshop(
        "Belgrade",
        "RS",
        13,
        [
            ("dragan", R.DELEGATE, A.ATTENDED, ""),
            ("nikola", R.DELEGATE, A.ATTENDED, ""),
            ("milan", R.OBSERVER, A.ABSENT, ""),
        ],
    ),
    _awareness_workshop(
        "Sarajevo",
        "BA",
        14,
        [
            ("amra", R.DELEGATE, A.ATTENDED, ""),
            ("selma", R.DELEGATE, A.ATTENDED, ""),
            ("adnan", R.OBSERVER, A.ATTENDED, ""),
        ],
    ),
    {
        "title": "Regional conference on urban integrity, Zagreb",
        "kind": EventKind.CONFERENCE,
        "starts_on": date(2012, 12, 17),
        "ends_on": date(2012, 12, 18),
        "city": "Zagreb",
        "country": "HR",
        "organisers": UPP_HOSTS,
        "program": "ACP",
        "description": (
            "Sixty-five delegates, over twenty of them mayors, took stock of the "
            "first cohort's diagnoses and compared early solutions."
        ),
        "sessions": [
            (date(2012, 12, 17), 0, S.OPENING, "Welcome and program overview", "", ""),
            (
                date(2012, 12, 17),
                1,
                S.PRESENTATION,
                "What the diagnoses found: ten municipalities compared",
                "Sara Demo-Lindner",
                "",
            ),
            (
                date(2012, 12, 18),
                0,
                S.OTHER,
                "Mayors' round table on accountability",
                "",
                "",
            ),
        ],
        "participants": [
            ("arben", R.DELEGATE, A.ATTENDED, ""),
            ("amra", R.PRESENTER, A.ATTENDED, "Procurement risks in Zenica"),
            ("marija", R.DELEGATE, A.ATTENDED, ""),
            ("driton", R.DELEGATE, A.ATTENDED, ""),
            ("blerim", R.DELEGATE, A.ATTENDED, ""),
            ("elena", R.DELEGATE, A.ATTENDED, ""),
            ("emil", R.SPEAKER, A.ATTENDED, "Strategic planning against corruption"),
            ("petar", R.DELEGATE, A.ATTENDED, ""),
            ("ana", R.DELEGATE, A.ABSENT, ""),
            ("dragan", R.DELEGATE, A.ATTENDED, ""),
            ("sara", R.ORGANISER, A.ATTENDED, ""),
        ],
    },
    {
        "title": "NEXPO, Rijeka",
        "kind": EventKind.CONFERENCE,
        "starts_on": date(2013, 9, 25),
        "ends_on": date(2013, 9, 27),
        "city": "Rijeka",
        "country": "HR",
        "organisers": "City of Rijeka, with the Urban Partnership Program",
        "description": (
            "A fair of urban solutions; the program ran a workshop for partner "
            "cities on its second day."
        ),
        "sessions": [
            (
                date(2013, 9, 26),
                0,
                S.PRESENTATION,
                "UPP workshop for partner cities",
                "",
                "",
            ),
        ],
        "participants": [
            ("ivana", R.ORGANISER, A.ATTENDED, ""),
            ("luka", R.DELEGATE, A.ATTENDED, ""),
            ("kristina", R.DELEGATE, A.ATTENDED, ""),
        ],
    },
    {
        "title": "City-to-city dialogue on urban audit, Skopje",
        "kind": EventKind.WORKSHOP,
        "starts_on": date(2013, 12, 11),
        "ends_on": date(2013, 12, 13),
        "city": "Skopje",
        "country": "MK",
        "organisers": UPP_HOSTS,
        "description": "Peers compared how cities audit their own services.",
        "participants": [
            ("elena", R.DELEGATE, A.ATTENDED, ""),
            ("emil", R.DELEGATE, A.ATTENDED, ""),
            ("luka", R.PRESENTER, A.ATTENDED, "Internal audit in Rijeka"),
        ],
    },
    {
        "title": "Regional conference, Ljubljana",
        "kind": EventKind.CONFERENCE,
        "starts_on": date(2013, 12, 16),
        "ends_on": date(2013, 12, 18),
        "city": "Ljubljana",
        "country": "SI",
        "organisers": UPP_HOSTS,
        "description": "The program's partners met to review the year's work.",
        "participants": [
            ("marija", R.DELEGATE, A.ATTENDED, ""),
            ("petar", R.DELEGATE, A.ATTENDED, ""),
            ("tomas", R.SPEAKER, A.ATTENDED, "Cities and integrity in the region"),
        ],
    },
    {
        "title": "Mayors Symposium, Vienna",
        "kind": EventKind.CONFERENCE,
        "starts_on": date(2014, 2, 10),
        "ends_on": date(2014, 2, 12),
        "city": "Vienna",
        "country": "AT",
        "organisers": UPP_HOSTS,
        "description": "Over a hundred people, among them more than twenty mayors.",
        "participants": [
            ("emil", R.SPEAKER, A.ATTENDED, "A mayor's view of integrity planning"),
            ("nikola", R.DELEGATE, A.ATTENDED, ""),
            ("eriona", R.DELEGATE, A.ATTENDED, ""),
            ("tomas", R.ORGANISER, A.ATTENDED, ""),
        ],
    },
    {
        "title": "Mayors Symposium, Graz",
        "kind": EventKind.CONFERENCE,
        "starts_on": date(2016, 2, 29),
        "ends_on": date(2016, 3, 1),
        "city": "Graz",
        "country": "AT",
        "organisers": UPP_HOSTS,
        "description": (
            "More than 160 representatives, about fifty of them mayors and "
            "deputy mayors."
        ),
        "participants": [
            ("emil", R.DELEGATE, A.ATTENDED, ""),
            ("arben", R.DELEGATE, A.ATTENDED, ""),
            ("jelena", R.DELEGATE, A.ATTENDED, ""),
            ("luka", R.DELEGATE, A.ATTENDED, ""),
        ],
    },
    {
        "title": "City-to-city dialogue, Belgrade",
        "kind": EventKind.WORKSHOP,
        "starts_on": date(2016, 10, 24),
        "ends_on": date(2016, 10, 25),
        "city": "Belgrade",
        "country": "RS",
        "organisers": UPP_HOSTS,
        "description": "Serbian cities swapped lessons on services and finance.",
        "participants": [
            ("nikola", R.ORGANISER, A.ATTENDED, ""),
            ("jelena", R.PRESENTER, A.ATTENDED, "Beokom: one desk for citizens"),
            ("milan", R.DELEGATE, A.ATTENDED, ""),
            ("stefan", R.DELEGATE, A.ATTENDED, ""),
        ],
    },
    {
        "title": "Cities for the People, Zagreb",
        "kind": EventKind.CONFERENCE,
        "starts_on": date(2017, 3, 26),
        "ends_on": date(2017, 3, 28),
        "city": "Zagreb",
        "country": "HR",
        "organisers": UPP_HOSTS,
        "description": "Citizen-centred city services, from planning to delivery.",
        "participants": [
            ("kristina", R.ORGANISER, A.ATTENDED, ""),
            ("ivana", R.PRESENTER, A.ATTENDED, "Open data in Rijeka"),
            ("marija", R.DELEGATE, A.ATTENDED, ""),
        ],
    },
    {
        "title": "MFSA workshop, Prčanj",
        "kind": EventKind.WORKSHOP,
        "starts_on": date(2017, 6, 14),
        "ends_on": date(2017, 6, 15),
        "city": "Prčanj",
        "country": "ME",
        "organisers": UPP_HOSTS,
        "program": "MFSA",
        "description": (
            "About thirty finance staff from twelve Serbian and Montenegrin cities "
            "learned to run the municipal finance self-assessment."
        ),
        "participants": [
            ("nikola", R.DELEGATE, A.ATTENDED, ""),
            ("milan", R.DELEGATE, A.ATTENDED, ""),
            ("jovana", R.DELEGATE, A.ATTENDED, ""),
            ("stefan", R.DELEGATE, A.ATTENDED, ""),
            ("vesna", R.DELEGATE, A.ATTENDED, ""),
            ("dejan", R.DELEGATE, A.ATTENDED, ""),
            ("ana", R.DELEGATE, A.ATTENDED, ""),
            ("marko", R.DELEGATE, A.ATTENDED, ""),
            ("reisa", R.SPEAKER, A.ATTENDED, "Using MFSA results in Shkodër"),
        ],
    },
    {
        "title": "MFSA workshop, Sarajevo",
        "kind": EventKind.WORKSHOP,
        "starts_on": date(2017, 9, 12),
        "ends_on": date(2017, 9, 12),
        "city": "Sarajevo",
        "country": "BA",
        "organisers": UPP_HOSTS,
        "program": "MFSA",
        "description": (
            "Finance teams of Novo Sarajevo, Odžak, Orašje, Žepče, Tuzla and "
            "Zenica started their self-assessments."
        ),
        "participants": [
            ("adnan", R.DELEGATE, A.ATTENDED, ""),
            ("selma", R.DELEGATE, A.ATTENDED, ""),
            ("amra", R.DELEGATE, A.ATTENDED, ""),
        ],
    },
    {
        "title": SEOUL,
        "kind": EventKind.SUMMIT,
        "starts_on": date(2017, 9, 4),
        "ends_on": date(2017, 9, 8),
        "city": "Seoul",
        "country": "KR",
        "venue": "Conference centre in central Seoul (illustrative)",
        "organisers": (
            "Korea's Ministry of Land, Infrastructure and Transport (MOLIT), "
            "supported by the World Bank's Smart Cities KSB and the Korea–World "
            "Bank Partnership Facility"
        ),
        "description": (
            "A week of talks, business meetings and site visits on smart-city "
            "solutions. Two UPP cities, Rijeka and Belgrade, sent a representative "
            "each, presented their own smart projects and brought home ideas for "
            "services that are open, data-driven and built around citizens."
        ),
        "sessions": [
            (
                date(2017, 9, 4),
                0,
                S.OPENING,
                "Opening of the Korea Smart Cities Study Week",
                "Representatives of MOLIT",
                "The host ministry welcomed delegations from cities worldwide.",
            ),
            (
                date(2017, 9, 4),
                1,
                S.KEYNOTE,
                "Urban transformation for economic prosperity and environmental "
                "sustainability",
                "Professor Joengo Kim",
                "Cities hold 55% of the world's people and make about 70% of its "
                "GDP, and nine in ten people may live in them by 2050: smart "
                "solutions help them meet climate, growth and infrastructure "
                "challenges.",
            ),
            (
                date(2017, 9, 5),
                0,
                S.PRESENTATION,
                "Rijeka: Open Data Portal, iURBAN and MySMARTLife",
                "Ivana Demo-Horvat (Rijeka)",
                "How Rijeka approaches the smart city through open data and two "
                "EU-funded projects.",
            ),
            (
                date(2017, 9, 5),
                1,
                S.PRESENTATION,
                "Belgrade: the Beokom centre, its aggregation web portal and apps",
                "Jelena Demo-Marković (Belgrade)",
                "Belgrade's citizen service centre, a portal with extra modules and "
                "its mobile applications.",
            ),
            (
                date(2017, 9, 5),
                2,
                S.BUSINESS_MEETING,
                "Business meetings: Rijeka with Korea Water Resources Corporation",
                "",
                "Rijeka talked through its Water Agglomeration project, then in "
                "preparation: about 1.8 billion kuna (over 24 million EUR), mostly "
                "funded by the EU. Other meetings paired cities with smart-solution "
                "providers.",
            ),
            (
                date(2017, 9, 6),
                0,
                S.SITE_VISIT,
                "Study tour: e-Seoul net, Seoul portal and Mobile Seoul",
                "",
                "The city's own network and its online and mobile front doors.",
            ),
            (
                date(2017, 9, 6),
                1,
                S.SITE_VISIT,
                "Study tour: CCTV integrated system and Seoul public Wi-Fi",
                "",
                "",
            ),
            (
                date(2017, 9, 6),
                2,
                S.SITE_VISIT,
                "Study tour: 120 call centre and the Smart Complaint Reporting System",
                "",
                "One number for every question, and complaints reported from a phone.",
            ),
            (
                date(2017, 9, 7),
                0,
                S.SITE_VISIT,
                "Study tour: mVoting and the Citizen Participatory Budget",
                "",
                "Citizens vote on city questions from their phones and choose "
                "projects for part of the budget.",
            ),
            (
                date(2017, 9, 7),
                1,
                S.SITE_VISIT,
                "Study tour: Seoul's big-data services",
                "",
                "Twenty-four projects in transport, health, economics and "
                "management, built on data open to everyone, citizens included.",
            ),
            (
                date(2017, 9, 7),
                2,
                S.PRESENTATION,
                "World Smart City Week: Korean and international city experiences",
                "",
                "",
            ),
            (
                date(2017, 9, 8),
                0,
                S.SIGNING,
                "World Bank and Korea sign a Memorandum of Understanding",
                "MOLIT and the World Bank",
                "The work plan covers a Global Smart City Solution Portal, "
                "just-in-time technical help, smart-city study tours and tailored "
                "knowledge exchange.",
            ),
        ],
        "participants": [
            (
                "ivana",
                R.PRESENTER,
                A.ATTENDED,
                "Rijeka's smart city: Open Data Portal, iURBAN and MySMARTLife",
            ),
            (
                "jelena",
                R.PRESENTER,
                A.ATTENDED,
                "Beokom centre: aggregation web portal, added modules and mobile apps",
            ),
            ("tomas", R.ORGANISER, A.ATTENDED, ""),
        ],
    },
]

# ILTP trainings: four people attend all three (trained, with ILTP requiring
# three), others miss one.
ILTP_TRAININGS = [
    ("module 1, integrity leadership", "Skopje", "MK", date(2016, 4, 12)),
    ("module 2, managing integrity risks", "Sarajevo", "BA", date(2016, 11, 8)),
    ("module 3, leading change", "Tirana", "AL", date(2017, 5, 16)),
]
ILTP_ATTENDANCE = {
    "arben": (A.ATTENDED, A.ATTENDED, A.ATTENDED),
    "amra": (A.ATTENDED, A.ATTENDED, A.ATTENDED),
    "emil": (A.ATTENDED, A.ATTENDED, A.ATTENDED),
    "luka": (A.ATTENDED, A.ATTENDED, A.ATTENDED),
    "nikola": (A.ATTENDED, A.ATTENDED, A.ABSENT),
    "marija": (A.ATTENDED, A.ABSENT, A.ATTENDED),
    "petar": (None, A.ATTENDED, A.ATTENDED),
}
for number, (topic, city, country, start) in enumerate(ILTP_TRAININGS):
    EVENTS.append(
        {
            "title": f"ILTP training, {topic}",
            "kind": EventKind.TRAINING,
            "starts_on": start,
            "ends_on": start + timedelta(days=2),
            "city": city,
            "country": country,
            "organisers": UPP_HOSTS,
            "program": "ILTP",
            "description": (
                "Three days of the Integrity Leadership Training Program for "
                "mayors, managers and staff."
            ),
            "sessions": [
                (start, 0, S.OPENING, "Welcome and aims", "Sara Demo-Lindner", ""),
                (start + timedelta(days=1), 0, S.OTHER, "Case work in groups", "", ""),
            ],
            "participants": [
                (who, R.DELEGATE, marks[number], "")
                for who, marks in ILTP_ATTENDANCE.items()
                if marks[number] is not None
            ],
        }
    )

# Events after the seed day, so that contacts have something to propose for.
# (title, kind, days from the seed day, length, city, country, program, public)
UPCOMING = [
    (
        "ILTP training, module 4, integrity in procurement (demo)",
        EventKind.TRAINING,
        45,
        3,
        "Belgrade",
        "RS",
        "ILTP",
        False,
        [
            ("petar", R.DELEGATE, A.REGISTERED, ""),
            ("marija", R.DELEGATE, A.REGISTERED, ""),
            ("nikola", R.DELEGATE, A.REGISTERED, ""),
        ],
        [("ivana", "contact.rijeka@example.org")],
    ),
    (
        "Regional peer-learning conference on municipal finance (demo)",
        EventKind.CONFERENCE,
        90,
        2,
        "Tivat",
        "ME",
        "MFSA",
        True,
        [
            ("ana", R.ORGANISER, A.REGISTERED, ""),
            ("reisa", R.SPEAKER, A.REGISTERED, "Finance as development strategy"),
        ],
        [],
    ),
]

# (day of the event, position, kind, title) for each upcoming event's agenda.
UPCOMING_SESSIONS = [
    (0, 0, S.OPENING, "Welcome and aims of the days ahead"),
    (0, 1, S.PRESENTATION, "What participants bring: short city reports"),
    (1, 0, S.OTHER, "Working groups and peer review"),
]


def seed(session: Session) -> None:
    """Create the demo events, sessions and participations that do not exist yet."""
    countries = {c.code: c for c in session.scalars(select(Country))}
    programs = {p.code: p for p in session.scalars(select(Program))}
    people = _people(session)
    for spec in EVENTS:
        event = _event(session, spec, countries, programs)
        for held_on, position, kind, title, speakers, description in spec.get(
            "sessions", []
        ):
            get_or_create(
                session,
                EventSession,
                {"event_id": event.id, "title": title},
                held_on=held_on,
                position=position,
                kind=kind,
                speakers=speakers,
                description=description,
            )
        for who, role, attendance, presentation in spec["participants"]:
            _participation(
                session, event, people.get(P[who]), role, attendance, presentation
            )
    today = date.today()
    for (
        title,
        kind,
        days,
        length,
        city,
        country,
        program,
        is_public,
        registered,
        proposed,
    ) in UPCOMING:
        start = today + timedelta(days=days)
        event = _event(
            session,
            {
                "title": title,
                "kind": kind,
                "starts_on": start,
                "ends_on": start + timedelta(days=length - 1),
                "city": city,
                "country": country,
                "organisers": UPP_HOSTS,
                "program": program,
                "is_public": is_public,
                "description": "A demo event in the near future, open to proposals.",
            },
            countries,
            programs,
        )
        for offset, position, kind, session_title in UPCOMING_SESSIONS:
            get_or_create(
                session,
                EventSession,
                {"event_id": event.id, "title": session_title},
                held_on=event.starts_on + timedelta(days=min(offset, length - 1)),
                position=position,
                kind=kind,
            )
        for who, role, attendance, presentation in registered:
            _participation(
                session, event, people.get(P[who]), role, attendance, presentation
            )
        for who, proposer_email in proposed:
            proposer = session.scalar(select(User).where(User.email == proposer_email))
            _participation(
                session,
                event,
                people.get(P[who]),
                R.DELEGATE,
                A.PROPOSED,
                "",
                proposed_by=proposer,
            )
    session.flush()


def _people(session: Session) -> dict[str, Person]:
    municipalities = {m.name: m for m in session.scalars(select(Municipality))}
    for full_name, position, home, email in EXTRA_PEOPLE:
        municipality = municipalities.get(home)
        get_or_create(
            session,
            Person,
            {"email": email},
            full_name=full_name,
            position=position,
            municipality_id=municipality.id if municipality else None,
        )
    return {
        person.email: person
        for person in session.scalars(
            select(Person).where(Person.email.in_(P.values()))
        )
    }


def _event(
    session: Session,
    spec: dict[str, Any],
    countries: dict[str, Country],
    programs: dict[str, Program],
) -> Event:
    country = countries.get(spec["country"])
    program = programs.get(spec.get("program") or "")
    event = get_or_create(
        session,
        Event,
        {"title": spec["title"]},
        kind=spec["kind"],
        starts_on=spec["starts_on"],
        ends_on=spec["ends_on"],
        city=spec["city"],
        country_id=country.id if country else None,
        venue=spec.get("venue", ""),
        organisers=spec.get("organisers", ""),
        description=spec.get("description", ""),
        program_id=program.id if program else None,
        is_public=spec.get("is_public", True),
    )
    # Programs may be seeded after the first run: link them when they appear.
    if event.program_id is None and program is not None:
        event.program_id = program.id
    return event


def _participation(
    session: Session,
    event: Event,
    person: Person | None,
    role: ParticipationRole,
    attendance: Attendance,
    presentation: str,
    proposed_by: User | None = None,
) -> None:
    if person is None:
        return
    get_or_create(
        session,
        Participation,
        {"event_id": event.id, "person_id": person.id},
        municipality_id=person.municipality_id,
        role=role,
        attendance=attendance,
        presentation_title=presentation,
        proposed_by_id=proposed_by.id if proposed_by else None,
    )
