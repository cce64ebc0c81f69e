"""The outbox loses nothing (issue 14): crashes, refusals, two workers at once.

Real processes against a real SMTP server (aiosmtpd in this process) and a
committed database (a SQLite file, or a database of its own on the
PostgreSQL server of ``TEST_DATABASE_URL``):

- a worker killed (SIGKILL) after the server accepted a message and before
  it could mark it sent: a restarted worker delivers every message, and the
  only duplicate carries the same Message-ID;
- 1,000 messages while the server refuses every third attempt: all
  delivered, none twice;
- two workers draining 1,000 messages at once on PostgreSQL
  (``FOR UPDATE SKIP LOCKED``): none sent twice.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_CONFIG
from tests.fixtures.outbox import SmtpServer
from tracker import create_app
from tracker.extensions import db
from tracker.models import MailKind, MailStatus, OutboxMessage
from tracker.outbox.services import Recipient, queue

pytestmark = pytest.mark.no_db_isolation

ROOT = Path(__file__).resolve().parents[1]
TEST_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRESQL = TEST_URL.startswith("postgresql")

# One worker process: its report (JSON) on stdout.
WORKER = textwrap.dedent(
    """
    import json, sys
    from tracker import create_app
    from tracker.outbox import worker

    app = create_app(json.loads(sys.argv[1]))
    with app.app_context():
        report = worker.run(once=True)
    print(json.dumps(vars(report)), flush=True)
    """
)


def _admin_connection():
    import psycopg

    server = TEST_URL.replace("postgresql+psycopg", "postgresql").rsplit("/", 1)[0]
    return psycopg.connect(server + "/postgres", autocommit=True)


@pytest.fixture
def committed(tmp_path):
    """(app, url) of an empty, committed database the worker processes share."""
    if ON_POSTGRESQL:
        name = TEST_URL.rsplit("/", 1)[1] + "_outbox"
        url = TEST_URL.rsplit("/", 1)[0] + "/" + name
        with _admin_connection() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    else:
        url = f"sqlite:///{tmp_path / 'outbox.sqlite'}"
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
    yield app, url
    with app.app_context():
        db.engine.dispose()
    if ON_POSTGRESQL:
        with _admin_connection() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def server():
    with SmtpServer() as running:
        yield running


def queue_many(app, count: int) -> float:
    """Queue ``count`` messages to as many addresses; returns the seconds taken."""
    started = time.perf_counter()
    with app.app_context():
        for number in range(count):
            queue(
                MailKind.STAGE_CHANGE,
                Recipient(f"recipient{number}@example.org", f"Recipient {number}"),
                subject=f"Message {number}",
                template="notification",
                context={"message": f"Message number {number}."},
            )
        db.session.commit()
    return time.perf_counter() - started


def worker_config(url: str, server: SmtpServer, **settings) -> str:
    return json.dumps(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": url,
            "REQUEST_LOG": False,
            **server.settings(),
            "MAIL_RETRY_BASE_SECONDS": 0,
            **settings,
        }
    )


def start_worker(config: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, config],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen, timeout: float = 300) -> dict:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-2000:]
    return json.loads(out.strip().splitlines()[-1])


def stored(app) -> dict[str, int]:
    """Messages by status, and the attempts recorded."""
    with app.app_context():
        rows = db.session.execute(
            select(
                OutboxMessage.status, func.count(), func.sum(OutboxMessage.attempts)
            ).group_by(OutboxMessage.status)
        ).all()
    counts = {MailStatus(status).value: count for status, count, _ in rows}
    counts["attempts"] = sum(attempts or 0 for _, _, attempts in rows)
    return counts


def message_ids(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(OutboxMessage.message_id)))


def test_a_worker_killed_between_send_and_mark_loses_nothing(
    committed, server, record_figure
):
    app, url = committed
    total, kill_at = 50, 7
    queue_many(app, total)
    holder: dict[str, subprocess.Popen] = {}
    killed = threading.Event()

    def kill_the_worker(accepted: int) -> None:
        # The server has the message; the worker never hears "250 OK".
        if accepted == kill_at and not killed.is_set():
            os.kill(holder["worker"].pid, signal.SIGKILL)
            killed.set()

    server.inbox.after_accept = kill_the_worker
    config = worker_config(url, server, MAIL_LEASE_SECONDS=2, MAIL_BATCH_SIZE=20)
    holder["worker"] = start_worker(config)
    holder["worker"].communicate(timeout=120)
    assert holder["worker"].returncode == -signal.SIGKILL
    assert killed.is_set()
    after_crash = stored(app)
    # Six marked sent, the seventh and the rest of its batch held by the
    # dead worker's lease, the others still pending.
    assert after_crash["sent"] == kill_at - 1
    assert after_crash["sending"] == 20 - (kill_at - 1)
    assert len(server.inbox.received) == kill_at

    server.inbox.after_accept = None
    time.sleep(2.5)  # the dead worker's lease runs out
    report = finish(start_worker(config))

    received = Counter(item.message_id for item in server.inbox.received)
    duplicates = {mid: n for mid, n in received.items() if n > 1}
    assert set(received) == message_ids(app), "every message delivered"
    assert stored(app)["sent"] == total
    assert len(duplicates) <= 1 and all(n == 2 for n in duplicates.values())
    # The duplicate is the message in flight when the worker died: the same
    # Message-ID both times, so mail programs can tell it is a resend.
    in_flight = server.inbox.received[kill_at - 1].message_id
    assert list(duplicates) == [in_flight]
    record_figure(
        "outbox crash (SIGKILL between send and mark-sent)",
        f"{total} queued, killed after the server accepted #{kill_at}; restart sent "
        f"{report['sent']}: {len(received)} of {total} delivered, "
        f"{len(duplicates)} duplicate (same Message-ID), 0 lost",
    )


def test_a_thousand_messages_arrive_while_every_third_attempt_is_refused(
    committed, server, record_figure
):
    app, url = committed
    total = 1000
    queue_seconds = queue_many(app, total)
    server.inbox.refuse_every = 3
    started = time.perf_counter()
    report = finish(start_worker(worker_config(url, server)))
    seconds = time.perf_counter() - started

    received = Counter(item.message_id for item in server.inbox.received)
    duplicates = sum(n - 1 for n in received.values())
    lost = len(message_ids(app) - set(received))
    state = stored(app)
    assert lost == 0 and duplicates == 0
    assert state == {"sent": total, "attempts": server.inbox.attempts}
    assert report["sent"] == total and report["dead"] == 0
    assert report["attempts"] == server.inbox.attempts
    refused = server.inbox.attempts - len(server.inbox.received)
    assert refused == server.inbox.attempts // 3
    record_figure(
        "outbox 1,000 messages, server refusing every 3rd attempt",
        f"{len(received)} delivered, {duplicates} duplicates, {lost} lost, "
        f"{server.inbox.attempts} attempts ({refused} refused, "
        f"{report['retried']} retries); queued in {queue_seconds:.1f} s, "
        f"sent in {seconds:.1f} s ({'PostgreSQL' if ON_POSTGRESQL else 'SQLite'})",
    )


@pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="several workers run against PostgreSQL (set TEST_DATABASE_URL); "
    "SQLite runs one",
)
def test_two_workers_on_postgresql_drain_a_thousand_messages_without_duplicates(
    committed, server, record_figure
):
    app, url = committed
    total = 1000
    queue_many(app, total)
    config = worker_config(url, server, MAIL_BATCH_SIZE=10)
    started = time.perf_counter()
    workers = [start_worker(config) for _ in range(2)]
    reports = [finish(process) for process in workers]
    seconds = time.perf_counter() - started

    received = Counter(item.message_id for item in server.inbox.received)
    duplicates = sum(n - 1 for n in received.values())
    lost = len(message_ids(app) - set(received))
    assert duplicates == 0 and lost == 0
    assert stored(app) == {"sent": total, "attempts": total}
    assert sum(report["sent"] for report in reports) == total
    assert all(report["sent"] > 0 for report in reports), reports
    record_figure(
        "outbox two workers on PostgreSQL",
        f"{total} queued: worker A sent {reports[0]['sent']}, worker B "
        f"{reports[1]['sent']}; {len(received)} delivered, {duplicates} duplicates, "
        f"{lost} lost, {seconds:.1f} s",
    )
