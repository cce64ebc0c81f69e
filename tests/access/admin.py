"""Access rules of the admin pages."""

from tests.access.matrix import Row
from tests.access.world import World


def build(world: World) -> None:
    """Add this domain's fixture records to the world."""


ROWS: list[Row] = []
