"""Access rules of the admin pages: user accounts for administrators only; the
CSV import for coordinators too."""

from tests.access.matrix import Row, admins_only, editors_only
from tests.access.world import World


def build(world: World) -> None:
    """The base world's users are enough."""


ROWS: list[Row] = [
    admins_only("GET", "/admin/users"),
    admins_only("GET", "/admin/users/new"),
    admins_only("POST", "/admin/users/new"),
    admins_only("GET", "/admin/users/{user_manager}/edit"),
    admins_only("POST", "/admin/users/{user_manager}/edit"),
    admins_only("POST", "/admin/users/{user_manager}/deactivate"),
    admins_only("POST", "/admin/users/{user_manager}/activate"),
    admins_only("POST", "/admin/users/{user_manager}/end-sessions"),
    editors_only("GET", "/admin/import"),
    editors_only("POST", "/admin/import"),
    editors_only("GET", "/admin/import/people/template.csv"),
    # Password-set links (tracker/admin/password_links.py).
    admins_only("POST", "/admin/users/{user_manager}/password-link"),
]
