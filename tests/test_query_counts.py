"""Every page the benchmark times stays within its query budget, whatever the data.

``make bench`` measures time on large databases; this test holds the part
of its targets that needs no clock (issue 8): each page of the benchmark's
list answers 200 in at most ``TARGETS["queries"]`` SQL queries, and in the
same number for a small and a larger generated dataset, so a page that
starts querying per row fails CI.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event

from bench.run import PAGES, TARGETS, TRANSACTION_CONTROL, sample_ids
from tests.conftest import FAST_HASH, PASSWORD, TrackerClient
from tracker import cache
from tracker.seed.scale import seed_scale

# Two generated datasets, the second 2.5 times the first (seed-scale's
# own generator: 40 and 100 municipalities, 5,000 and 12,500 participations).
SMALL, LARGE = 0.02, 0.05


def signed_in(app: Flask, role: str | None) -> TrackerClient:
    app.test_client_class = TrackerClient
    client: TrackerClient = app.test_client()  # type: ignore[assignment]
    if role is not None:
        response = client.post_form(
            "/auth/login", {"email": f"{role}@example.org", "password": PASSWORD}
        )
        assert response.status_code == 302, f"could not sign in as {role}"
    return client


def page_costs(app: Flask, connection, scale: float) -> dict[str, tuple[int, int]]:
    """(status, queries) of every benchmark page on a dataset of ``scale``.

    Counted with the figures cache empty, so a page runs every query it
    ever needs; transaction control (BEGIN, SAVEPOINT) is not a query.
    """
    seed_scale(connection, scale, FAST_HASH)
    ids = sample_ids(app)
    clients = {role: signed_in(app, role) for role in {role for *_, role in PAGES}}
    statements: list[str] = []

    def seen(conn, cursor, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            statements.append(statement)

    costs = {}
    for name, path, role in PAGES:
        cache.clear()
        statements.clear()
        event.listen(connection, "before_cursor_execute", seen)
        try:
            response = clients[role].get(path.format(**ids))
        finally:
            event.remove(connection, "before_cursor_execute", seen)
        costs[name] = (response.status_code, len(statements))
    return costs


def test_every_benchmark_page_stays_within_its_query_budget(
    app, db_connection, record_figure
):
    small_data = db_connection.begin_nested()
    small = page_costs(app, db_connection, SMALL)
    small_data.rollback()
    large = page_costs(app, db_connection, LARGE)

    assert {name: status for name, (status, _) in small.items()} == dict.fromkeys(
        small, 200
    )
    assert {name: status for name, (status, _) in large.items()} == dict.fromkeys(
        large, 200
    )
    over = {
        name: queries
        for name, (_, queries) in large.items()
        if queries > TARGETS["queries"]
    }
    assert over == {}, f"more than {TARGETS['queries']} queries"
    assert {name: queries for name, (_, queries) in small.items()} == {
        name: queries for name, (_, queries) in large.items()
    }, "the query count grows with the data"
    record_figure(
        f"queries per benchmark page ({len(PAGES)} pages, same at S={SMALL} and "
        f"S={LARGE}; at most {TARGETS['queries']})",
        ", ".join(f"{name} {queries}" for name, (_, queries) in large.items()),
    )
