"""Cached figures last until the next write, never longer (``tracker.cache``)."""

from __future__ import annotations

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


def test_the_home_page_figures_follow_the_data(
    app: Flask, client, make_municipality, make_program, make_enrollment
):
    program = make_program("ACP")
    make_enrollment(make_municipality(), program)
    first = client.get("/").data
    assert client.get("/").data == first

    make_enrollment(make_municipality(), program)
    assert client.get("/").data != first
