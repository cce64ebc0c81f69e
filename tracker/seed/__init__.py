"""Demo data from the program's public facts (``flask seed-demo``).

Each domain seeds its own part (``<domain>/seed.py``), in dependency order.
Every step looks rows up by natural key before creating them, so running it
twice adds nothing.
"""

from sqlalchemy.orm import Session

from tracker.admin import seed as accounts
from tracker.documents import seed as documents
from tracker.events import seed as events
from tracker.municipalities import seed as municipalities
from tracker.people import seed as people
from tracker.privacy import seed as privacy
from tracker.programs import seed as programs
from tracker.testimonials import seed as testimonials


def seed_demo(session: Session) -> None:
    """Create whatever demo data is missing, domain by domain."""
    municipalities.seed(session)
    people.seed(session)
    accounts.seed(session)
    programs.seed(session)
    events.seed(session)
    testimonials.seed(session)
    privacy.seed(session)
    documents.seed(session)
