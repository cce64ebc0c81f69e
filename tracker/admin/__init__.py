"""Administration: user accounts, API tokens, CSV import and demo logins.

``bp`` lives in ``routes.py``; each module below adds its own views to it.
"""

from tracker.admin import imports, password_links, tokens, users
from tracker.admin.routes import bp

__all__ = ["bp", "imports", "password_links", "tokens", "users"]
