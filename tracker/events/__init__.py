"""Events, their sessions and participations, proposals and public pages.

``bp`` lives in ``routes.py`` (events and their sessions); the modules below
add their own views to it.
"""

from tracker.events import invitations, participations, public_pages
from tracker.events.routes import bp

__all__ = ["bp", "invitations", "participations", "public_pages"]
