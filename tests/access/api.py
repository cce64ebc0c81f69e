"""Access rules of the api pages."""

from tests.access.matrix import Row, public_page, staff_only
from tests.access.world import World


def build(world: World) -> None:
    """Add this domain's fixture records to the world."""


ROWS: list[Row] = [
    staff_only("GET", "/api/v1/stats"),
    staff_only("GET", "/api/v1/stats?program=ACP&from=2012&to=2020"),
    public_page("GET", "/api/v1/openapi.json"),
]
