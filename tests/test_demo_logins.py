"""Every demo login of SPEC §4 works after seed-demo and sees a menu for its role."""

from __future__ import annotations

import re

import pytest

from tracker.admin.seed import DEMO_PASSWORD
from tracker.audit import acting_as
from tracker.extensions import db
from tracker.seed import seed_demo

STAFF_MENU = {
    "Municipalities",
    "People",
    "Programs",
    "Enrollments",
    "Events",
    "Testimonials",
    "Dashboard",
}
EXPECTED = {
    "admin@example.org": (STAFF_MENU | {"Review queue", "Users", "Import"}, set()),
    "coordinator@example.org": (STAFF_MENU | {"Review queue", "Import"}, {"Users"}),
    "manager@example.org": (STAFF_MENU, {"Review queue", "Users", "Import"}),
    "contact.rijeka@example.org": (
        {"Testimonials", "My municipality"},
        {"Dashboard", "Review queue", "Users", "Import"},
    ),
    "contact.belgrade@example.org": (
        {"Testimonials", "My municipality"},
        {"Dashboard", "Review queue", "Users", "Import"},
    ),
}


def _menu(page: str) -> set[str]:
    """The texts of the main menu's links (in the bar or in one of its
    dropdowns), without their count badges."""
    navigation = page.partition('aria-label="Main"')[2].partition("</nav>")[0]
    links = re.findall(
        r'<a class="(?:nav-link|dropdown-item)[^"]*"[^>]*>(.*?)</a>', navigation, re.S
    )
    return {_text(link) for link in links}


def _text(html: str) -> str:
    html = re.sub(r'<span class="badge.*?</span>', "", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


@pytest.mark.parametrize("email", sorted(EXPECTED))
def test_demo_login_sees_the_menu_of_its_role(app, client, login, email):
    with app.app_context(), acting_as("tests"):
        seed_demo(db.session)
        db.session.commit()
    assert login(email, DEMO_PASSWORD).status_code == 302
    page = client.get("/").get_data(as_text=True)
    shown, hidden = EXPECTED[email]
    menu = _menu(page)
    assert shown <= menu, f"{email} misses {shown - menu}"
    assert not (hidden & menu), f"{email} should not see {hidden & menu}"
    assert "Sign out" in page


def test_anonymous_menu_is_the_public_one(client):
    menu = _menu(client.get("/").get_data(as_text=True))
    assert {"Testimonials", "Events", "Open data"} <= menu
    assert not ({"Dashboard", "Users", "Municipalities"} & menu)
