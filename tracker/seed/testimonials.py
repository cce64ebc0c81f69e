"""Demo data: testimonials."""

from sqlalchemy.orm import Session


def seed(session: Session) -> None:
    """Create the demo testimonials that do not exist yet."""
