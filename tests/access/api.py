"""Access rules of the api pages."""

from tests.access.matrix import Row
from tests.access.world import World


def build(world: World) -> None:
    """Add this domain's fixture records to the world."""


ROWS: list[Row] = []
