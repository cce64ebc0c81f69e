"""The enrollment form in Chromium: choosing a program narrows the stage and
cohort lists to that program's own."""

import re

from playwright.sync_api import Page, expect


def visible_groups(page: Page, select_id: str) -> list[str]:
    return page.evaluate(
        """(id) => Array.from(document.querySelectorAll(`#${id} optgroup`))
            .filter((group) => !group.hidden).map((group) => group.label)""",
        select_id,
    )


def choose(page: Page, code: str) -> None:
    option = page.locator(f'#program_id option[data-program-code="{code}"]')
    page.locator("#program_id").select_option(value=option.get_attribute("value"))


def test_choosing_a_program_offers_only_its_stages(page: Page, live_server):
    page.goto(live_server + "/auth/login")
    page.get_by_label("E-mail").fill("coordinator@example.org")
    page.get_by_label("Password").fill("demo-password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/home/$"))
    page.goto(live_server + "/enrollments/new")
    assert visible_groups(page, "stage_id") == ["ACP", "ILTP", "MFSA"]
    choose(page, "ILTP")
    assert visible_groups(page, "stage_id") == ["ILTP"]
    assert visible_groups(page, "cohort_id") == ["ILTP"]
    choose(page, "ACP")
    assert visible_groups(page, "stage_id") == ["ACP"]
