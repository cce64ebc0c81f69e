"""Access rules of the dashboard, open data and the API-token admin pages.

The token pages belong to /admin but their rows live here (the admin rows
file belongs to the user-accounts work).
"""

from tests.access.matrix import Row, admins_only, public_page, staff_only
from tests.access.world import World
from tracker.dashboards.figures import CHART_NAMES
from tracker.extensions import db
from tracker.models import ApiToken, User
from tracker.public.open_data import DATASETS


def build(world: World) -> None:
    """An API token of the coordinator, to revoke."""
    token, _ = ApiToken.issue(
        db.session.get(User, world["user_coordinator"]), "Access matrix"
    )
    db.session.add(token)
    db.session.flush()
    world["token_coordinator"] = token.id


ROWS: list[Row] = [
    staff_only("GET", "/dashboard/"),
    staff_only("GET", "/dashboard/?program=ACP&country=HR&from=2012&to=2020"),
    *(staff_only("GET", f"/dashboard/charts/{name}.csv") for name in CHART_NAMES),
    staff_only("GET", "/dashboard/data-quality"),
    public_page("GET", "/open-data"),
    *(
        public_page("GET", f"/open-data/{name}.{file_format}")
        for name in DATASETS
        for file_format in ("csv", "json")
    ),
    admins_only("GET", "/admin/tokens"),
    admins_only("GET", "/admin/tokens?user_id={user_contact_rijeka}"),
    admins_only("POST", "/admin/tokens/new"),
    admins_only("POST", "/admin/tokens/{token_coordinator}/revoke"),
]
