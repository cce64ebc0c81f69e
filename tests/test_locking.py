"""Optimistic locking and SQLite write concurrency, across the app."""

from __future__ import annotations

import threading

from werkzeug.serving import make_server

from tests.conftest import FAST_HASH, TEST_CONFIG
from tracker import create_app
from tracker.extensions import db
from tracker.models import Country, Municipality, Role, User


def test_a_save_without_the_version_is_refused(
    client, login_as, make_municipality, app
):
    municipality_id = make_municipality("Tivat", population=14_000)
    login_as(Role.COORDINATOR)
    response = client.post_form(
        f"/municipalities/{municipality_id}/edit",
        {"name": "Tivat", "country_id": "", "population": "99"},
    )
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(Municipality, municipality_id).population == 14_000


def test_concurrent_writes_on_sqlite_wait_instead_of_failing(tmp_path):
    """Two threads signing in at once both succeed (no "database is locked")."""
    import http.client
    import re
    import urllib.parse

    from tests.conftest import PASSWORD

    app = create_app(
        {
            **TEST_CONFIG,
            "TESTING": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'race.sqlite'}",
        }
    )
    with app.app_context():
        db.create_all()
        db.session.add_all(
            User(email=f"u{i}@example.org", role=Role.MANAGER, password_hash=FAST_HASH)
            for i in range(8)
        )
        db.session.add(Country(code="HR", name="Croatia"))
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    statuses: list[int] = []

    def sign_in(i: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port)
        connection.request("GET", "/auth/login")
        response = connection.getresponse()
        page = response.read().decode()
        cookie = response.getheader("Set-Cookie").split(";")[0]
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode(
            {"email": f"u{i}@example.org", "password": PASSWORD, "csrf_token": token}
        )
        connection.request(
            "POST",
            "/auth/login",
            body=body,
            headers={
                "Cookie": cookie,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        statuses.append(connection.getresponse().status)
        connection.close()

    threads = [threading.Thread(target=sign_in, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    server.shutdown()
    with app.app_context():
        db.engine.dispose()
    assert statuses == [302] * 8
