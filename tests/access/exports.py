"""Access rules of the list exports: staff only."""

from tests.access.matrix import Row, staff_only
from tests.access.world import World


def build(world: World) -> None:
    """Nothing beyond the other domains' records."""


ROWS: list[Row] = [
    staff_only("GET", "/events/export.csv"),
    staff_only("GET", "/events/export.xlsx"),
    staff_only("GET", "/events/participations/export.csv"),
    staff_only("GET", "/municipalities/export.csv"),
    staff_only("GET", "/people/export.xlsx"),
    staff_only("GET", "/testimonials/export.csv"),
    staff_only("GET", "/enrollments/export.xlsx"),
]
