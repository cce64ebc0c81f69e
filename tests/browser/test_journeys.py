"""The three main journeys, end to end in Chromium, as their users take them.

Each journey finds its way by the links, labels and button names a person
sees (accessible locators), checks that the browser logged no JavaScript
error or Content-Security-Policy refusal, and ends with a screenshot in
``test-artifacts/``; a failure also saves the page's HTML there (see
``conftest.py``).

The journeys share the session's demo-seeded server, so each one makes its
own records (a municipality not yet in ACP, a quote with a unique word) and
asserts only on them or on counts it reads first.
"""

from __future__ import annotations

import csv
import io
import random
import re
import string
import time
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Page, Response, expect

from tracker.models.testimonials import QUOTE_MAX_LENGTH

PASSWORD = "demo-password-1"
CHART_COUNT = 6

# A municipality of the demo data that is not enrolled in ACP.
NEW_IN_ACP = "Berat"
ACP_NAME = "Cities without Corruption – Cities with a Future"


# -- shared steps -------------------------------------------------------------


def watch_for_problems(page: Page) -> list[str]:
    """Collect JavaScript errors, console errors (CSP refusals are logged as
    such) and failed requests. The browser's own request for /favicon.ico,
    which no page links, is the one failure ignored."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        if message.text.startswith("Failed to load resource") and message.location.get(
            "url", ""
        ).endswith("/favicon.ico"):
            return
        problems.append(f"console: {message.text}")

    def on_response(response: Response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            problems.append(f"HTTP {response.status}: {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on("response", on_response)
    return problems


def main_menu(page: Page):
    return page.get_by_role("navigation", name="Main")


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/")
    main_menu(page).get_by_role("link", name="Sign in").click()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(main_menu(page).get_by_role("link", name="Sign in")).to_be_visible()


def expect_flash(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


class Journey:
    """Times a journey, watches the browser for problems, and at the end saves
    a screenshot, reports the time and asserts that nothing went wrong."""

    def __init__(self, page: Page, artifacts: Path, record_figure, name: str):
        self.page = page
        self.artifacts = artifacts
        self.record = record_figure
        self.name = name
        self.problems = watch_for_problems(page)
        self.started = time.monotonic()

    def finish(self) -> None:
        self.page.screenshot(
            path=str(self.artifacts / f"journey-{self.name}.png"), full_page=True
        )
        seconds = time.monotonic() - self.started
        self.record(f"browser journey {self.name}", f"{seconds:.1f} s")
        assert self.problems == []


def charts_drawn(page: Page) -> dict[str, bool]:
    """Each dashboard canvas by name: does Chart.js hold a chart for it?"""
    return page.evaluate(
        """() => Object.fromEntries(
            Array.from(document.querySelectorAll("canvas[data-chart]")).map(
              (canvas) => [canvas.dataset.chart,
                           window.Chart.getChart(canvas) !== undefined
                             && canvas.width > 0 && canvas.height > 0]))"""
    )


# -- (a) enroll a municipality and move it on ----------------------------------


def test_coordinator_enrolls_a_municipality_and_moves_it_to_diagnosis(
    page: Page, live_server, artifacts, record_figure
):
    journey = Journey(page, artifacts, record_figure, "a-enroll-and-move")
    sign_in(page, live_server, "coordinator@example.org")

    # Programs → ACP → "Enroll a municipality", which preselects ACP.
    main_menu(page).get_by_role("link", name="Programs").click()
    page.get_by_role("link", name=ACP_NAME).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(ACP_NAME)
    page.get_by_role("link", name="Enroll a municipality").click()
    expect(page.get_by_role("heading", name="Enroll a municipality")).to_be_visible()
    expect(
        page.get_by_label("Program", exact=True).locator("option:checked")
    ).to_have_text(f"ACP: {ACP_NAME}")
    expect(page.get_by_label("Starting stage").locator("option:checked")).to_have_text(
        "Ready to join"
    )

    page.get_by_label("Municipality").select_option(label=NEW_IN_ACP)
    page.get_by_label("Stage effective on").fill("2024-09-02")
    page.get_by_label("Applied on").fill("2024-08-26")
    page.get_by_role("button", name="Enroll", exact=True).click()

    expect_flash(page, f"{NEW_IN_ACP} is enrolled in ACP at “Ready to join”.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{NEW_IN_ACP} in ACP")
    enrollment_url = page.url
    assert re.search(r"/enrollments/\d+$", enrollment_url)

    # Move it to Diagnosis with an effective date.
    move = page.get_by_role("region", name="Move to another stage")
    move.get_by_label("New stage").select_option(label="Diagnosis")
    move.get_by_label("Effective on", exact=True).fill("2024-10-14")
    move.get_by_label("Note", exact=True).fill("The vulnerability survey has begun.")
    move.get_by_role("button", name="Record the change").click()

    expect_flash(page, f"{NEW_IN_ACP} moved to “Diagnosis” on 14 Oct 2024.")
    assert page.url == enrollment_url  # post/redirect/get back to the enrollment
    current = page.get_by_role("definition").filter(
        has=page.locator("[data-current-stage=diagnosis]")
    )
    expect(current).to_have_text("Diagnosis since 14 Oct 2024")

    # The timeline: Ready to join (closed), then Diagnosis (current).
    steps = page.get_by_role("region", name="Stage timeline").get_by_role("listitem")
    expect(steps).to_have_count(2)
    expect(steps.nth(0)).to_contain_text("Ready to join")
    expect(steps.nth(0)).to_contain_text("2 Sep 2024 – 14 Oct 2024")
    expect(steps.nth(0)).not_to_have_attribute("aria-current", "step")
    expect(steps.nth(1)).to_contain_text("Diagnosis")
    expect(steps.nth(1)).to_contain_text("current")
    expect(steps.nth(1)).to_contain_text("since 14 Oct 2024")
    expect(steps.nth(1)).to_contain_text("The vulnerability survey has begun.")
    expect(steps.nth(1)).to_contain_text("From Ready to join.")
    expect(steps.nth(1)).to_have_attribute("aria-current", "step")
    # Diagnosis is where it is now, so the form no longer offers it.
    expect(
        move.get_by_label("New stage").get_by_role("option", name="Diagnosis")
    ).to_have_count(0)

    # The program page counts it among the enrolled municipalities.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="ACP"
    ).click()
    row = (
        page.get_by_role("region", name="Enrolled municipalities")
        .get_by_role("row")
        .filter(has=page.get_by_role("link", name=NEW_IN_ACP, exact=True))
    )
    expect(row).to_contain_text("Diagnosis")

    journey.finish()


# -- (b) a testimonial from submission to the public page ----------------------


def test_contact_submits_a_testimonial_that_a_coordinator_approves_for_the_public(
    page: Page, live_server, artifacts, record_figure
):
    journey = Journey(page, artifacts, record_figure, "b-testimonial-approved")
    word = "".join(random.choices(string.ascii_lowercase, k=10))
    first_line = f"The integrity plan ({word}) changed how our council buys things."
    second_line = "Citizens now see every tender & its winner: <b>no more guessing</b>."
    author = "Mirela Kovačić"

    # A contact of Rijeka writes the testimonial.
    sign_in(page, live_server, "contact.rijeka@example.org")
    main_menu(page).get_by_role("link", name="Testimonials").click()
    page.get_by_role("link", name="New testimonial").click()
    expect(page.get_by_role("heading", name="New testimonial")).to_be_visible()

    quote = page.get_by_label("Quote", exact=True)
    expect(page.get_by_text(f"0 / {QUOTE_MAX_LENGTH} characters")).to_be_visible()
    quote.press_sequentially(first_line)
    expect(
        page.get_by_text(f"{len(first_line)} / {QUOTE_MAX_LENGTH} characters")
    ).to_be_visible()
    quote.press("Enter")
    quote.press_sequentially(second_line)
    typed = f"{first_line}\n{second_line}"
    expect(quote).to_have_value(typed)
    # A line break counts once, as the server counts it.
    expect(
        page.get_by_text(f"{len(typed)} / {QUOTE_MAX_LENGTH} characters")
    ).to_be_visible()

    page.get_by_label("Author", exact=True).select_option(
        label="Someone else (type the name below)"
    )
    page.get_by_label("Author's name").fill(author)
    page.get_by_label("Author's position").fill("Head of Procurement")
    page.get_by_label("Program it is about").select_option(label=f"{ACP_NAME} (ACP)")
    page.get_by_label("The author agrees to this quote being published").check()
    page.get_by_role("button", name="Submit for review").click()

    expect_flash(page, "The testimonial is submitted; a coordinator will review it.")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Testimonial by {author}"
    )
    expect(page.get_by_role("blockquote")).to_have_text(typed)
    sign_out(page)

    # A coordinator sees the queue's size in the menu and approves it.
    sign_in(page, live_server, "coordinator@example.org")
    # The queue sits in the Testimonials menu, whose button shows the count too.
    group = main_menu(page).get_by_role("button", name=re.compile(r"^Testimonials"))
    expect(group).to_have_accessible_name(re.compile(r"^Testimonials \d+ waiting$"))
    group.click()
    queue_link = main_menu(page).get_by_role("link", name=re.compile(r"^Review queue"))
    expect(queue_link).to_have_accessible_name(
        re.compile(r"^Review queue \d+ waiting$")
    )
    waiting = int(re.search(r"\d+", queue_link.inner_text()).group())
    assert waiting >= 1
    queue_link.click()
    expect(page.get_by_role("heading", name="Review queue", level=1)).to_be_visible()
    expect(page.get_by_role("row").filter(has=page.get_by_role("cell"))).to_have_count(
        waiting
    )
    ours = page.get_by_role("row").filter(has_text=word)
    expect(ours).to_contain_text("Rijeka")
    expect(ours).to_contain_text(f"{author}, Head of Procurement")
    ours.get_by_role("link", name=f"Review the testimonial by {author}").click()

    page.get_by_role("button", name="Approve and publish").click()
    expect_flash(page, "The testimonial is approved and now public.")
    page.get_by_role("button", name="Feature", exact=True).click()
    expect_flash(page, "The testimonial is featured.")
    group.click()
    if waiting == 1:
        expect(queue_link).to_have_accessible_name("Review queue")
    else:
        expect(queue_link).to_have_accessible_name(
            f"Review queue {waiting - 1} waiting"
        )
    sign_out(page)

    # A visitor with no session at all sees it among the home page's featured
    # testimonials (the newest featured come first), then on the public page,
    # first because it is featured.
    page.context.clear_cookies()
    page.goto(live_server + "/")
    home_featured = page.get_by_role("region", name="What officials say")
    expect(home_featured.get_by_role("figure").first).to_contain_text(word)
    page.get_by_role("main").get_by_role("link", name="All testimonials").click()
    expect(page.get_by_role("heading", name="Testimonials", level=1)).to_be_visible()
    figures = page.get_by_role("main").get_by_role("figure")
    published = figures.filter(has_text=word)
    expect(published).to_have_count(1)
    expect(figures.first).to_contain_text(word)
    expect(published.get_by_role("blockquote")).to_have_text(typed)  # escaped, not bold
    expect(published).to_contain_text(f"{author}, Head of Procurement")
    expect(published).to_contain_text("Rijeka (Croatia)")
    expect(published).to_contain_text(f"About: {ACP_NAME}")
    expect(published).to_contain_text("Featured")

    journey.finish()


# -- (c) the dashboard, filtered, with a CSV download ---------------------------


def test_manager_filters_the_dashboard_by_country_and_downloads_a_csv(
    page: Page, live_server, artifacts, record_figure
):
    journey = Journey(page, artifacts, record_figure, "c-dashboard-filtered")
    sign_in(page, live_server, "manager@example.org")
    main_menu(page).get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()

    filters = page.get_by_role("form", name="Filters")
    filters.get_by_label("Country", exact=True).select_option(label="Croatia")
    filters.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"/dashboard/\?.*\bcountry=HR\b"))
    page.wait_for_load_state("load")  # the filtered page's scripts have run
    expect(page.get_by_role("paragraph").filter(has_text="Showing:")).to_have_text(
        "Showing: all programs, Croatia, all years."
    )
    expect(
        filters.get_by_label("Country", exact=True).locator("option:checked")
    ).to_have_text("Croatia")

    drawn = charts_drawn(page)
    assert len(drawn) == CHART_COUNT
    assert [name for name, ok in drawn.items() if not ok] == []

    # One chart's numbers as CSV: the same header and rows as its table.
    panel = page.get_by_role("region", name="Enrollments by country")
    table = panel.get_by_role("table")
    header = [
        text.strip() for text in table.get_by_role("columnheader").all_inner_texts()
    ]
    shown = [
        [row.get_by_role("rowheader").inner_text().strip()]
        + [text.strip() for text in row.get_by_role("cell").all_inner_texts()]
        for row in table.get_by_role("row")
        .filter(has=page.get_by_role("rowheader"))
        .all()
    ]
    with page.expect_download() as download_info:
        panel.get_by_role("link", name="Download these numbers (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "enrollments-by-country_HR.csv"
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    table_rows = list(csv.reader(io.StringIO(content)))
    assert table_rows[0] == header
    assert header[0] == "Country" and "ACP" in header
    assert [row[0] for row in table_rows[1:]] == ["Croatia"]
    assert [
        [label, *(f"{int(value):,}" for value in values)]
        for label, *values in table_rows[1:]
    ] == shown
    assert sum(int(value) for value in table_rows[1][1:]) > 0

    journey.finish()
