"""The fixture world the access matrix runs against.

Two municipalities, Rijeka (HR) and Belgrade (RS), a user per role, and
each domain's records for both (added by ``tests/access/<domain>.py``).
"""

from __future__ import annotations

from typing import Any

from tests.conftest import FAST_HASH
from tracker.extensions import db
from tracker.models import Country, Municipality, Person, Role, User


class World(dict[str, Any]):
    """Ids of the fixture records, by name; ``emails`` holds each role's login."""

    emails: dict[str, str]


def build_base(world: World) -> None:
    croatia = Country(code="HR", name="Croatia", is_program_country=True)
    serbia = Country(code="RS", name="Serbia", is_program_country=True)
    rijeka = Municipality(
        name="Rijeka",
        country=croatia,
        population=108_622,
        email="grad@rijeka.example.org",
    )
    belgrade = Municipality(
        name="Belgrade",
        country=serbia,
        population=1_197_714,
        email="info@beograd.example.org",
    )
    db.session.add_all([croatia, serbia, rijeka, belgrade])
    db.session.flush()
    users = {
        "contact_rijeka": User(
            email="contact.rijeka@example.org", role=Role.CONTACT, municipality=rijeka
        ),
        "contact_belgrade": User(
            email="contact.belgrade@example.org",
            role=Role.CONTACT,
            municipality=belgrade,
        ),
        "coordinator": User(email="coordinator@example.org", role=Role.COORDINATOR),
        "manager": User(email="manager@example.org", role=Role.MANAGER),
        "admin": User(email="admin@example.org", role=Role.ADMIN),
    }
    for user in users.values():
        user.password_hash = FAST_HASH
    person_rijeka = Person(
        full_name="Ana Rijeka-Demo",
        municipality=rijeka,
        email="ana@rijeka.example.org",
        phone="+385 51 000 000",
    )
    person_belgrade = Person(
        full_name="Marko Beograd-Demo",
        municipality=belgrade,
        email="marko@beograd.example.org",
    )
    db.session.add_all([*users.values(), person_rijeka, person_belgrade])
    db.session.flush()
    world.update(
        croatia=croatia.id,
        serbia=serbia.id,
        rijeka=rijeka.id,
        belgrade=belgrade.id,
        person_rijeka=person_rijeka.id,
        person_belgrade=person_belgrade.id,
        **{f"user_{name}": user.id for name, user in users.items()},
    )
    world.emails = {name: user.email for name, user in users.items()}
