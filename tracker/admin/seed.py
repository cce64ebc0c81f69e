"""Demo data: one login per role (documented in README; demo only)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.auth.passwords import hash_password
from tracker.models import Municipality, Role, User

DEMO_PASSWORD = "demo-password-1"

# (e-mail, role, full name, municipality for contacts)
DEMO_USERS = [
    ("admin@example.org", Role.ADMIN, "Demo Administrator", None),
    ("coordinator@example.org", Role.COORDINATOR, "Demo Coordinator", None),
    ("manager@example.org", Role.MANAGER, "Demo Manager", None),
    ("contact.rijeka@example.org", Role.CONTACT, "Demo Contact, Rijeka", "Rijeka"),
    (
        "contact.belgrade@example.org",
        Role.CONTACT,
        "Demo Contact, Belgrade",
        "Belgrade",
    ),
]


def seed(session: Session) -> None:
    """Create the demo logins that do not exist yet."""
    password_hash = None
    for email, role, full_name, home in DEMO_USERS:
        if session.scalar(select(User).where(User.email == email)):
            continue
        password_hash = password_hash or hash_password(DEMO_PASSWORD)
        municipality = None
        if home:
            municipality = session.scalar(
                select(Municipality).where(Municipality.name == home)
            )
        session.add(
            User(
                email=email,
                role=role,
                full_name=full_name,
                municipality=municipality,
                password_hash=password_hash,
            )
        )
    session.flush()
