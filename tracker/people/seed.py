"""Demo data: people who act for the municipalities, and a few outside them.

They are fictional demo contacts (example.org), except the officials named in
the program's public testimonials.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import Municipality, Person
from tracker.seed.common import get_or_create

# (full name, position, municipality or None, organisation, e-mail)
PEOPLE = [
    (
        "Reisa Duraj",
        "Head of Finance and Treasury Relations Sector",
        "Shkodër",
        "",
        "r.duraj@shkoder.example.org",
    ),
    ("Emil Doncev", "Mayor", "Vinica", "", "mayor@vinica.example.org"),
    (
        "Ivana Demo-Horvat",
        "Smart City Coordinator",
        "Rijeka",
        "",
        "ivana.horvat@rijeka.example.org",
    ),
    (
        "Luka Demo-Perić",
        "Head of Finance Department",
        "Rijeka",
        "",
        "luka.peric@rijeka.example.org",
    ),
    (
        "Jelena Demo-Marković",
        "Beokom Centre Manager",
        "Belgrade",
        "",
        "jelena.markovic@beograd.example.org",
    ),
    (
        "Nikola Demo-Jovanović",
        "Adviser to the Mayor",
        "Belgrade",
        "",
        "nikola.jovanovic@beograd.example.org",
    ),
    (
        "Arben Demo-Hoxha",
        "Integrity Officer",
        "Kuçovë",
        "",
        "integrity@kucove.example.org",
    ),
    (
        "Amra Demo-Hadžić",
        "Head of Public Procurement",
        "Zenica",
        "",
        "procurement@zenica.example.org",
    ),
    (
        "Marija Demo-Novak",
        "City Manager",
        "Križevci",
        "",
        "manager@krizevci.example.org",
    ),
    (
        "Driton Demo-Krasniqi",
        "Director of Administration",
        "Gjakova",
        "",
        "admin@gjakova.example.org",
    ),
    (
        "Blerim Demo-Berisha",
        "Head of Finance",
        "Istog",
        "",
        "finance@istog.example.org",
    ),
    (
        "Elena Demo-Stojanovska",
        "Head of Human Resources",
        "Gostivar",
        "",
        "hr@gostivar.example.org",
    ),
    (
        "Petar Demo-Vuković",
        "Secretary of the Municipality",
        "Herceg Novi",
        "",
        "secretary@hercegnovi.example.org",
    ),
    (
        "Ana Demo-Radović",
        "Head of Local Economic Development",
        "Tivat",
        "",
        "led@tivat.example.org",
    ),
    (
        "Dragan Demo-Ilić",
        "Head of Municipal Administration",
        "Boljevac",
        "",
        "uprava@boljevac.example.org",
    ),
    (
        "Sara Demo-Lindner",
        "Anticorruption Practitioner",
        None,
        "Urban Partnership Program (demo)",
        "sara.lindner@upp.example.org",
    ),
    (
        "Tomás Demo-Ortega",
        "Urban Specialist",
        None,
        "World Bank (demo)",
        "tomas.ortega@worldbank.example.org",
    ),
]


def seed(session: Session) -> None:
    """Create the demo people that do not exist yet (after the municipalities)."""
    homes = {name for _, _, name, _, _ in PEOPLE if name}
    municipality_ids = dict(
        session.execute(
            select(Municipality.name, Municipality.id).where(
                Municipality.name.in_(homes)
            )
        ).all()
    )
    for full_name, position, home, organisation, email in PEOPLE:
        get_or_create(
            session,
            Person,
            {"email": email},
            full_name=full_name,
            position=position,
            municipality_id=municipality_ids[home] if home else None,
            organisation=organisation,
        )
