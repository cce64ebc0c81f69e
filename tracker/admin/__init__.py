from tracker.admin import (  # noqa: F401  (each module adds its routes)
    imports,
    password_links,
    tokens,
    users,
)
from tracker.admin.routes import bp

__all__ = ["bp"]
