"""Demo data: programs."""

from sqlalchemy.orm import Session


def seed(session: Session) -> None:
    """Create the demo programs that do not exist yet."""
