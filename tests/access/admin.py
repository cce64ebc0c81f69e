"""Access rules of the admin pages."""

from tests.access.matrix import Row, editors_only
from tests.access.world import World


def build(world: World) -> None:
    """Nothing beyond the base world."""


ROWS: list[Row] = [
    editors_only("GET", "/admin/import"),
    editors_only("POST", "/admin/import"),
    editors_only("GET", "/admin/import/people/template.csv"),
]
