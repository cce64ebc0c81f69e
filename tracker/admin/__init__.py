from tracker.admin import imports, tokens, users  # noqa: F401  (they add routes)
from tracker.admin.routes import bp

__all__ = ["bp"]
