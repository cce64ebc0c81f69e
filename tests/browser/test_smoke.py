"""A coordinator signs in through the real login form in Chromium."""

from playwright.sync_api import Page, expect


def test_sign_in_and_out_in_a_real_browser(page: Page, live_server, artifacts):
    page.goto(live_server + "/auth/login")
    page.get_by_label("E-mail").fill("coordinator@example.org")
    page.get_by_label("Password").fill("demo-password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.screenshot(path=str(artifacts / "signed-in-coordinator.png"), full_page=True)
    page.get_by_role("button", name="Sign out").click()
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Sign in")).to_be_visible()
