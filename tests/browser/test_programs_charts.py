"""Charts draw in Chromium under the Content-Security-Policy, from data attributes."""

from playwright.sync_api import Page, expect


def test_program_and_enrollment_charts_draw_without_csp_errors(
    page: Page, live_server, artifacts
):
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text
            else None
        ),
    )
    # A missing favicon is the browser's business; anything else must load.
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.goto(live_server + "/auth/login")
    page.get_by_label("E-mail").fill("coordinator@example.org")
    page.get_by_label("Password").fill("demo-password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.goto(live_server + "/programs/ACP")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cities without")
    drawn = page.evaluate(
        "Array.from(document.querySelectorAll('canvas[data-chart]'))"
        ".map(c => !!window.Chart.getChart(c) && c.width > 0)"
    )
    assert drawn == [True]
    page.screenshot(path=str(artifacts / "program-acp.png"), full_page=True)

    page.get_by_role("link", name="Kuçovë").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kuçovë")
    drawn = page.evaluate(
        "Array.from(document.querySelectorAll('canvas[data-chart]'))"
        ".map(c => !!window.Chart.getChart(c) && c.width > 0)"
    )
    assert drawn == [True, True]  # comparison (bar) and trend (line)
    page.screenshot(path=str(artifacts / "enrollment-kucove.png"), full_page=True)
    assert problems == []
