"""A visitor switches to Macedonian: the menu, a form error and a date follow."""

from __future__ import annotations

import re

from flask_babel import force_locale, gettext
from playwright.sync_api import Page, expect

from tests.conftest import TEST_CONFIG
from tracker import create_app

CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def in_macedonian(*messages: str) -> list[str]:
    app = create_app(TEST_CONFIG)
    with app.test_request_context(), force_locale("mk"):
        return [gettext(message) for message in messages]


def test_switching_to_macedonian_translates_menu_errors_and_dates(
    page: Page, live_server, artifacts
):
    events, sign_in, wrong = in_macedonian(
        "Events", "Sign in", "Wrong e-mail or password."
    )
    for text in (events, sign_in, wrong):
        assert CYRILLIC.search(text), f"no Macedonian translation: {text!r}"

    page.goto(live_server + "/")
    page.locator("#language-switcher").select_option("mk")
    page.locator(".language-switcher button").click()
    expect(page.locator("html")).to_have_attribute("lang", "mk")
    menu = page.get_by_role("navigation", name=re.compile("."))
    expect(menu.first.get_by_role("link", name=events)).to_be_visible()

    # A form error: a wrong password, said in Macedonian.
    page.goto(live_server + "/auth/login")
    page.locator("input[name=email]").fill("coordinator@example.org")
    page.locator("input[name=password]").fill("not-the-password")
    page.locator("main form button[type=submit]").first.click()
    expect(page.get_by_text(wrong)).to_be_visible()

    # A date: the Seoul week's public page, in Macedonian Cyrillic.
    page.goto(live_server + "/events/public")
    page.get_by_role("link", name=re.compile("Seoul")).first.click()
    expect(page.locator("main")).to_contain_text("септември 2017")
    page.screenshot(path=str(artifacts / "macedonian-event.png"), full_page=True)
