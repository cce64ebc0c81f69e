"""Every main page of every role, at desktop (1366 px) and phone (390 px) width.

For each page and width: the document is no wider than the viewport (no
sideways panning), the navigation is one row on desktop and collapsed behind
a visible menu button on a phone, axe-core finds no critical or serious
violation, and no id is used twice.

axe-core is vendored in ``tests/browser/vendor/`` (MPL-2.0, licence beside it)
and evaluated into each page through the DevTools protocol, which the
Content-Security-Policy does not govern; the app itself never loads it.

One browser context per role; each page is loaded once and checked at both
widths by resizing the viewport.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, expect

PASSWORD = "demo-password-1"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")

ROLES = {
    "anonymous": None,
    "contact": "contact.rijeka@example.org",
    "coordinator": "coordinator@example.org",
    "manager": "manager@example.org",
    "admin": "admin@example.org",
}

# Pages the menu does not link to but a role opens often: forms, a program,
# the profile. Detail pages are found from the lists (the first record each
# list links to).
EXTRA_PAGES = {
    "anonymous": ["/auth/login", "/programs/ACP"],
    "contact": ["/auth/profile", "/testimonials/new"],
    "coordinator": [
        "/auth/profile",
        "/programs/ACP",
        "/enrollments/new",
        "/events/new",
        "/municipalities/new",
        "/people/new",
        "/dashboard/data-quality",
        "/municipalities/countries/",
    ],
    "manager": ["/auth/profile", "/programs/ACP", "/dashboard/data-quality"],
    "admin": ["/auth/profile", "/admin/users/new", "/admin/tokens"],
}

# A list URL and the shape of the detail links it holds.
DETAIL_OF = {
    "/municipalities/": r"/municipalities/\d+$",
    "/people/": r"/people/\d+$",
    "/enrollments/": r"/enrollments/\d+$",
    "/events/": r"/events/\d+$",
    "/events/public": r"/events/public/\d+$",
    "/testimonials/": r"/testimonials/\d+$",
    "/testimonials/review": r"/testimonials/\d+$",
    "/programs/": r"/programs/[A-Z]+$",
}

# The forms a record's page leads to (edit, propose, invite): one of each
# URL shape is checked.
FORM_LINK = r"/\d+/(edit|propose|invite|contact|password-link)$"


def shape(path: str) -> str:
    return re.sub(r"\d+", "<id>", path)


PAGE_FACTS = """() => {
  const ids = {};
  for (const element of document.querySelectorAll("[id]")) {
    ids[element.id] = (ids[element.id] || 0) + 1;
  }
  const toggler = document.querySelector("nav[aria-label] .navbar-toggler");
  const visible = (element) => {
    if (!element) return false;
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden";
  };
  const menu = document.querySelector("#main-menu");
  const navbar = document.querySelector("header .navbar");
  return {
    scrollWidth: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    duplicateIds: Object.keys(ids).filter((id) => ids[id] > 1),
    togglerVisible: visible(toggler),
    togglerExpanded: toggler ? toggler.getAttribute("aria-expanded") : null,
    menuVisible: visible(menu),
    navbarHeight: navbar ? navbar.getBoundingClientRect().height : 0,
    // What reaches past the edge: a box, or text that overflows its box.
    widest: Array.from(document.querySelectorAll("body *"))
      .filter((element) =>
        element.getBoundingClientRect().right > window.innerWidth + 1 ||
        (element.scrollWidth > element.clientWidth + 1 &&
         element.children.length === 0 &&
         getComputedStyle(element).overflowX === "visible"))
      .slice(-3)
      .map((element) => element.tagName + "." + element.className + " " +
           (element.textContent || "").trim().slice(0, 40)),
  };
}"""

# Charts and scripts follow a resize in the next frames: wait for two.
SETTLED = """() => new Promise((done) =>
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 50))))"""

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((violation) => ["critical", "serious"].includes(violation.impact))
    .map((violation) => violation.id + " (" + violation.impact + "): " +
         violation.nodes.slice(0, 3).map((node) => node.target.join(" ")).join(", "));
}"""


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/auth/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("form[action$='/auth/logout']")).to_have_count(1)


def menu_paths(page: Page) -> list[str]:
    """The local pages the main navigation links to (desktop, all expanded)."""
    hrefs = page.locator("nav[aria-label] a[href^='/']").evaluate_all(
        "links => links.map((link) => link.getAttribute('href'))"
    )
    return [urlparse(href).path for href in hrefs]


def first_detail(page: Page, pattern: str) -> str | None:
    hrefs = page.locator("main a[href^='/']").evaluate_all(
        "links => links.map((link) => link.getAttribute('href'))"
    )
    for href in hrefs:
        path = urlparse(href).path
        if re.search(pattern, path):
            return path
    return None


def role_pages(page: Page, base_url: str, role: str) -> Iterator[str]:
    """Open, at desktop width, every page of the role's menu, its EXTRA_PAGES,
    the first record each list links to and one form of each URL shape;
    yield each path while its page is open."""
    page.goto(base_url + "/")
    queue = list(dict.fromkeys(["/", *menu_paths(page), *EXTRA_PAGES[role]]))
    seen: list[str] = []
    while queue:
        path = queue.pop(0)
        if path in seen or path == "/auth/logout":
            continue
        seen.append(path)
        page.set_viewport_size(DESKTOP)
        response = page.goto(base_url + path)
        assert response is not None and response.ok, f"{path}: {response}"
        if path in DETAIL_OF:
            detail = first_detail(page, DETAIL_OF[path])
            if detail and detail not in seen:
                queue.append(detail)
        form = first_detail(page, FORM_LINK)
        if form and shape(form) not in {shape(done) for done in seen + queue}:
            queue.append(form)
        yield path


def check_page(page: Page) -> list[str]:
    """What is wrong with the current page at the current width."""
    width = page.viewport_size["width"]
    facts = page.evaluate(PAGE_FACTS)
    problems = []
    if facts["scrollWidth"] > facts["viewport"]:
        problems.append(
            f"{facts['scrollWidth']} px wide in a {facts['viewport']} px viewport "
            f"(widest: {facts['widest']})"
        )
    if facts["duplicateIds"]:
        problems.append(f"duplicate ids {facts['duplicateIds']}")
    if width < 992:
        if not facts["togglerVisible"] or facts["togglerExpanded"] != "false":
            problems.append("no collapsed menu button")
        if facts["menuVisible"]:
            problems.append("the menu is open before the button is pressed")
    else:
        if facts["togglerVisible"]:
            problems.append("a menu button on desktop")
        if facts["navbarHeight"] > 70:
            problems.append(f"the navigation is {facts['navbarHeight']:.0f} px high")
    if page.evaluate("typeof window.axe") == "undefined":
        page.evaluate(AXE)
    problems += page.evaluate(RUN_AXE)
    return problems


@pytest.mark.parametrize("role", list(ROLES))
def test_every_main_page_fits_both_widths_and_passes_axe(
    browser: Browser, live_server, role, record_figure
):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            script_errors.append(message.text)
            if message.type == "error"
            # the browser asks for /favicon.ico on its own; no page links it
            and not message.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    try:
        if ROLES[role]:
            sign_in(page, live_server, ROLES[role])
        seen: list[str] = []
        failures: dict[str, list[str]] = {}
        for path in role_pages(page, live_server, role):
            seen.append(path)
            for size in (DESKTOP, PHONE):
                page.set_viewport_size(size)
                page.evaluate(SETTLED)
                for problem in check_page(page):
                    failures.setdefault(f"{path} @{size['width']}", []).append(problem)
        record_figure(f"layout pages checked ({role})", len(seen))
        assert script_errors == []  # CSP refusals are logged as console errors
        assert failures == {}, "\n".join(
            f"{where}: {'; '.join(problems)}" for where, problems in failures.items()
        )
    finally:
        context.close()


@pytest.mark.parametrize("language", ["sq", "mk"])
@pytest.mark.parametrize("role", ["anonymous", "contact"])
def test_a_phone_holds_the_longer_words_of_other_languages(
    browser: Browser, live_server, role, language, record_figure
):
    """The public and the municipal contacts read the app on phones in their
    own language, whose words run longer than English ones (a date range in
    Albanian is wider than a card): no page may pan sideways at 390 px."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        if ROLES[role]:
            sign_in(page, live_server, ROLES[role])
        context.add_cookies(
            [{"name": "tracker_lang", "value": language, "url": live_server}]
        )
        checked = 0
        too_wide = {}
        for path in role_pages(page, live_server, role):
            checked += 1
            page.set_viewport_size(PHONE)
            page.evaluate(SETTLED)
            facts = page.evaluate(PAGE_FACTS)
            if facts["scrollWidth"] > facts["viewport"]:
                too_wide[path] = f"{facts['scrollWidth']} px: {facts['widest']}"
        record_figure(f"phone pages checked ({role}, {language})", checked)
        assert too_wide == {}
    finally:
        context.close()


def seoul_event_path(page: Page, base_url: str) -> str:
    page.goto(base_url + "/events/?q=Seoul")
    link = page.get_by_role("main").get_by_role("link", name=re.compile("Seoul")).first
    return urlparse(link.get_attribute("href")).path


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1366", "390"])
def test_the_message_after_a_form_action_is_in_view(
    browser: Browser, live_server, size
):
    context = browser.new_context(viewport=size)
    page = context.new_page()
    try:
        sign_in(page, live_server, ROLES["coordinator"])
        event = seoul_event_path(page, live_server)
        page.goto(live_server + event)

        # "Mark selected" with nobody selected: the refusal, where the button was.
        page.get_by_role("button", name="Mark selected").click()
        page.wait_for_load_state("load")
        refusal = page.get_by_role("alert").filter(
            has_text="Select at least one participant."
        )
        expect(refusal).to_be_in_viewport(ratio=1)
        assert page.evaluate("document.activeElement.textContent").strip() == (
            "Select at least one participant."
        )

        # "Add to the event": the redirect opens at the participants, and the
        # message is there too.
        page.goto(live_server + event)
        adding = page.get_by_role("region", name="Add a participant")
        adding.get_by_label("Search people by name, e-mail or organisation").fill("a")
        adding.get_by_role("button", name="Search").click()
        person = page.get_by_label("Person", exact=True)
        name = person.locator("option").nth(1).inner_text().split(" (")[0]
        person.select_option(index=1)
        page.get_by_role("button", name="Add to the event").click()
        expect(page).to_have_url(re.compile(r"#participants$"))
        page.wait_for_load_state("load")  # the browser has scrolled to the anchor
        added = page.get_by_role("status").filter(
            has_text=f"{name} is added to the participants."
        )
        expect(added).to_be_in_viewport(ratio=1)

        # A session added at the foot of the agenda: its message by the agenda.
        page.get_by_role("region", name="Add a session or site visit").get_by_label(
            "Title"
        ).fill(f"Layout check {size['width']}")
        page.get_by_role("button", name="Add session").click()
        expect(page).to_have_url(re.compile(r"#agenda$"))
        page.wait_for_load_state("load")
        expect(page.get_by_role("status")).to_be_in_viewport(ratio=1)
    finally:
        context.close()


def test_the_phone_menu_opens_by_its_button_and_holds_every_link(
    browser: Browser, live_server
):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page, live_server, ROLES["admin"])
        menu = page.get_by_role("navigation", name="Main")
        button = menu.get_by_role("button", name="Menu")
        expect(button).to_have_attribute("aria-expanded", "false")
        expect(menu.get_by_role("link", name="Municipalities")).to_be_hidden()
        button.click()
        expect(button).to_have_attribute("aria-expanded", "true")
        # The menu slides open (Bootstrap's collapse, 0.35 s): "show" once it stands.
        expect(page.locator("#main-menu")).to_have_class(re.compile(r"\bshow\b"))
        expect(menu.get_by_role("link", name="Municipalities")).to_be_in_viewport()
        expect(menu.get_by_role("button", name="Sign out")).to_be_visible()
        # The administration pages sit in their own group.
        administration = menu.get_by_role("button", name="Administration")
        administration.click()
        expect(administration).to_have_attribute("aria-expanded", "true")
        menu.get_by_role("link", name="Users").click()
        expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()
        expect(button).to_have_attribute("aria-expanded", "false")
        # On desktop the same links are in one row, without the button.
        page.set_viewport_size(DESKTOP)
        expect(button).to_be_hidden()
        expect(menu.get_by_role("link", name="Municipalities")).to_be_visible()
    finally:
        context.close()


# Where the menu's right-hand end lies, and whether it is folded.
MENU_EDGE = """() => {
  const navbar = document.querySelector("nav.navbar");
  const ends = Array.from(navbar.querySelectorAll(".navbar-brand, .navbar-nav > li"))
    .filter((item) => item.getBoundingClientRect().width > 0)
    .map((item) => item.getBoundingClientRect().right);
  const toggler = navbar.querySelector(".navbar-toggler");
  return {
    right: Math.max(...ends, toggler.getBoundingClientRect().right),
    folded: getComputedStyle(toggler).display !== "none",
    height: navbar.getBoundingClientRect().height,
  };
}"""
MIDDLE_WIDTHS = (992, 1100, 1200, 1280, 1366, 1440, 1100)


@pytest.mark.parametrize("language", ["en", "mk"])
def test_the_menu_folds_wherever_its_row_would_not_fit(
    browser: Browser, live_server, language, record_figure
):
    """An administrator has the most pages, and Macedonian some of the longest
    words: between the phone's width and a wide screen nothing of the menu may
    lie past the screen's edge, and Sign out is always within reach."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        sign_in(page, live_server, ROLES["admin"])
        context.add_cookies(
            [{"name": "tracker_lang", "value": language, "url": live_server}]
        )
        page.goto(live_server + "/municipalities/")
        sign_out = page.locator("form[action$='/auth/logout'] button")
        folded_at = []
        for width in MIDDLE_WIDTHS:  # the last one after growing: folds again
            page.set_viewport_size({"width": width, "height": 900})
            page.evaluate(SETTLED)
            edge = page.evaluate(MENU_EDGE)
            assert edge["right"] <= width + 0.5, f"{width} px: the menu ends at {edge}"
            if edge["folded"]:
                folded_at.append(width)
                expect(sign_out).to_be_hidden()
                page.locator("nav.navbar .navbar-toggler").click()
                expect(sign_out).to_be_in_viewport()
                page.reload()
            else:
                assert edge["height"] <= 70, f"{width} px: the row wraps ({edge})"
                expect(sign_out).to_be_in_viewport()
        record_figure(f"menu folded ({language}, admin) at px", folded_at)
        # Folding follows the room there is, not a fixed width.
        assert 992 in folded_at and 1440 not in folded_at
    finally:
        context.close()


def test_without_scripts_a_crowded_menu_wraps_within_the_screen(
    browser: Browser, live_server
):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, ROLES["admin"])
        page.set_viewport_size({"width": 992, "height": 900})
        page.goto(live_server + "/municipalities/")
        edge = page.evaluate(MENU_EDGE)
        assert not edge["folded"] and edge["right"] <= 992.5, edge
        expect(page.locator("form[action$='/auth/logout'] button")).to_be_in_viewport()
    finally:
        context.close()
