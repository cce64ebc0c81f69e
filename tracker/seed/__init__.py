"""Demo data from the program's public facts (``flask seed-demo``).

Each domain seeds its own part, in dependency order. Every step looks rows
up by natural key before creating them, so running it twice adds nothing.
"""

from sqlalchemy.orm import Session

from tracker.seed import accounts, events, places, programs, testimonials


def seed_demo(session: Session) -> None:
    places.seed(session)
    accounts.seed(session)
    programs.seed(session)
    events.seed(session)
    testimonials.seed(session)
