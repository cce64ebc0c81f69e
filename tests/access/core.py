"""Access rules of the pages every deployment has: home pages, sign-in, account."""

from tests.access.matrix import (
    OK,
    Row,
    public_page,
    row,
    signed_in,
)
from tests.access.world import World


def build(world: World) -> None:
    """Nothing beyond the base world."""


ROWS: list[Row] = [
    public_page("GET", "/"),
    # Each role's own home page (tests/test_home.py shows what each sees).
    signed_in("GET", "/home/"),
    public_page("GET", "/health"),
    public_page("GET", "/health/live"),
    public_page("GET", "/health/ready"),
    # From loopback (the test client's address) only: tests/test_observability.py
    # shows the 404 outside the allow-list.
    public_page("GET", "/metrics"),
    public_page("GET", "/auth/login"),
    # Signed-in users posting the empty sign-in form are sent home (302).
    public_page("POST", "/auth/login"),
    signed_in("POST", "/auth/logout"),
    signed_in("GET", "/auth/password"),
    signed_in("POST", "/auth/password"),
    # A link with a bad token answers 400 to everyone ("ask for a new link").
    public_page("GET", "/auth/set-password/not-a-valid-token"),
    public_page("POST", "/auth/set-password/not-a-valid-token"),
    signed_in("GET", "/auth/profile"),
    signed_in("POST", "/auth/profile"),
    # The language switcher: anyone; an empty form just goes back (302).
    public_page("POST", "/language"),
    signed_in("GET", "/notifications/"),
    signed_in("POST", "/notifications/read"),
    row(
        "GET",
        "/static/css/app.css",
        anonymous=OK,
        contact_rijeka=OK,
        contact_belgrade=OK,
        coordinator=OK,
        manager=OK,
        admin=OK,
    ),
]
