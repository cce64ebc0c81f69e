"""Cached figures last until the next write, never longer (``tracker.cache``)."""

from __future__ import annotations

import re

from flask import Flask

from tracker import cache
from tracker.models import Role


def counting(calls: list[int]):
    def compute() -> int:
        calls.append(1)
        return len(calls)

    return compute


def test_a_cached_value_is_served_until_a_write(app: Flask, make_country):
    calls: list[int] = []
    with app.app_context():
        first = cache.cached("test", "key", counting(calls))
        again = cache.cached("test", "key", counting(calls))
        other_key = cache.cached("test", "other", counting(calls))
    assert (first, again, other_key) == (1, 1, 2)

    make_country("ZZ", "Zedland")  # any write through the ORM is audited
    with app.app_context():
        after_write = cache.cached("test", "key", counting(calls))
    assert after_write == 3


def test_the_cache_can_be_turned_off(app: Flask):
    calls: list[int] = []
    app.config["DATA_CACHE"] = False
    try:
        with app.app_context():
            values = [cache.cached("test", "off", counting(calls)) for _ in range(2)]
    finally:
        app.config["DATA_CACHE"] = True
    assert values == [1, 2]


def test_the_dashboard_counts_a_new_enrollment_at_once(
    app: Flask,
    login_as,
    client,
    make_municipality,
    make_program,
    make_enrollment,
):
    login_as(Role.MANAGER)
    program = make_program("ACP")
    make_enrollment(make_municipality(), program)
    before = client.get("/api/v1/stats").get_json()["figures"]["enrollments"]
    assert client.get("/api/v1/stats").get_json()["figures"]["enrollments"] == before

    make_enrollment(make_municipality(), program)
    after = client.get("/api/v1/stats").get_json()["figures"]["enrollments"]
    assert after == before + 1


def home_figure(client, key: str) -> int:
    """One figure card of the public home page, as a reader sees it."""
    html = client.get("/").get_data(as_text=True)
    match = re.search(
        rf'data-figure="{key}">\s*<div class="card-body">\s*'
        r'<p class="display-6 mb-1 figure-value">([\d,.]+)</p>',
        html,
    )
    assert match, f"no {key} figure on the home page"
    return int(match.group(1).replace(",", "").replace(".", ""))


def test_the_home_page_figures_follow_the_data(
    app: Flask, client, make_municipality, make_program, make_enrollment
):
    program = make_program("ACP")
    make_enrollment(make_municipality(), program)
    first = home_figure(client, "municipalities_engaged")
    assert home_figure(client, "municipalities_engaged") == first

    make_enrollment(make_municipality(), program)
    assert home_figure(client, "municipalities_engaged") == first + 1
