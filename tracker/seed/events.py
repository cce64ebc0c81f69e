"""Demo data: events."""

from sqlalchemy.orm import Session


def seed(session: Session) -> None:
    """Create the demo events that do not exist yet."""
