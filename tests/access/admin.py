"""Access rules of the admin pages."""

from tests.access.matrix import Row, admins_only
from tests.access.world import World


def build(world: World) -> None:
    """Add this domain's fixture records to the world."""


ROWS: list[Row] = [
    # Password-set links (tracker/admin/password_links.py).
    admins_only("POST", "/admin/users/{user_manager}/password-link"),
]
