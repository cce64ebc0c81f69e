"""A manager opens the dashboard in Chromium: every chart is drawn."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from tests.conftest import TEST_CONFIG
from tests.fixtures.dashboards import build_dataset
from tracker import create_app
from tracker.audit import acting_as
from tracker.extensions import db

CHART_COUNT = 6


@pytest.fixture(scope="module")
def rich_server(tmp_path_factory) -> Iterator[str]:
    """The demo data plus the dashboard tests' varied dataset, served over HTTP,
    so that every chart has numbers to draw."""
    from tracker.seed import seed_demo

    database = tmp_path_factory.mktemp("dashboard") / "dashboard.sqlite"
    app = create_app(
        {
            **TEST_CONFIG,
            "TESTING": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        }
    )
    with app.app_context(), acting_as("browser-tests"):
        db.create_all()
        seed_demo(db.session)
        build_dataset(db.session, scale=2)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        with app.app_context():
            db.engine.dispose()


def _watch_for_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Console errors include CSP refusals; failed loads are checked below.
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    # The browser asks for /favicon.ico on its own; no page links it.
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    return errors


def _sign_in_as_manager(page: Page, base_url: str) -> None:
    page.goto(base_url + "/auth/login")
    page.get_by_label("E-mail").fill("manager@example.org")
    page.get_by_label("Password").fill("demo-password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _charts_drawn(page: Page) -> list[dict]:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("canvas[data-chart]")).map(
            (canvas) => {
              const chart = Chart.getChart(canvas);
              return {
                name: canvas.dataset.chart,
                drawn: chart !== undefined,
                width: canvas.width,
                height: canvas.height,
                values: chart ? chart.data.datasets.reduce(
                  (sum, set) => sum + set.data.reduce((a, b) => a + b, 0), 0) : 0,
              };
            })"""
    )


def test_manager_sees_every_dashboard_chart_drawn(page: Page, live_server, artifacts):
    errors = _watch_for_errors(page)
    _sign_in_as_manager(page, live_server)
    page.goto(live_server + "/dashboard/")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    charts = _charts_drawn(page)
    assert len(charts) == CHART_COUNT
    assert [chart["name"] for chart in charts if not chart["drawn"]] == []
    assert all(chart["width"] > 0 and chart["height"] > 0 for chart in charts)
    # Filters round-trip through the URL, and the charts are drawn again.
    page.get_by_label("From year").fill("2012")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(
        f"{live_server}/dashboard/?program=&country=&from=2012&to="
    )
    page.wait_for_load_state("load")  # the new page's scripts have run
    assert all(chart["drawn"] for chart in _charts_drawn(page))
    page.screenshot(path=str(artifacts / "dashboard-manager.png"), full_page=True)
    assert errors == []


def test_charts_draw_the_numbers_of_their_tables(page: Page, rich_server, artifacts):
    errors = _watch_for_errors(page)
    _sign_in_as_manager(page, rich_server)
    page.goto(rich_server + "/dashboard/")
    charts = _charts_drawn(page)
    assert [chart["name"] for chart in charts if not chart["drawn"]] == []
    assert all(chart["values"] > 0 for chart in charts), charts
    page.screenshot(path=str(artifacts / "dashboard-with-data.png"), full_page=True)
    page.get_by_label("Program", exact=True).select_option("ACP")
    page.get_by_label("Country", exact=True).select_option("HR")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#filter-summary")).to_contain_text("(ACP), Croatia")
    page.wait_for_load_state("load")
    assert all(chart["drawn"] for chart in _charts_drawn(page))
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 718, "height": 1047})  # A4 less 15 mm margins
    page.pdf(path=str(artifacts / "dashboard-a4.pdf"), format="A4")
    page.screenshot(path=str(artifacts / "dashboard-print.png"), full_page=True)
    assert errors == []
