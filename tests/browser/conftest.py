"""Browser tests: the app served over real HTTP to Debian's headless Chromium.

The served app has its own SQLite file with the demo data; it never shares
the rolled-back connection of the other tests.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import TEST_CONFIG
from tracker import create_app
from tracker.audit import acting_as
from tracker.extensions import db

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    """Serve a demo-seeded app on a free loopback port; yield its base URL."""
    from tracker.seed import seed_demo

    database = tmp_path_factory.mktemp("browser") / "browser.sqlite"
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


@pytest.fixture
def artifacts(request, page) -> Iterator[Path]:
    """Where screenshots go; a failure also saves the page HTML and a screenshot."""
    ARTIFACTS.mkdir(exist_ok=True)
    yield ARTIFACTS
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        name = request.node.name
        page.screenshot(path=str(ARTIFACTS / f"FAILED-{name}.png"), full_page=True)
        (ARTIFACTS / f"FAILED-{name}.html").write_text(page.content())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
