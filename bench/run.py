"""``make bench``: how UPP Tracker's pages cost as the data grows.

Builds databases at scale 0.1 and 1 (cached in bench/cache between runs),
then measures in one run, on this machine, for SQLite and PostgreSQL:

- each main page: median and p95 of 30 requests through the WSGI app (as
  users get them: figures cached until the next write come from the
  cache), and the SQL query count with that cache empty (the most it runs);
- the growth ratio: median at scale 1 / median at scale 0.1;
- the dashboard's floor ratio: the dashboard computed afresh (cache off)
  against the time of its SQL queries alone;
- throughput under gunicorn (deploy/gunicorn.conf.py) with wrk on a mix
  of pages, as a ratio to a trivial route of the same app, same
  connections and user (a ratio: the machine's load moves both);
- memory: a worker's peak RSS while streaming a CSV of every participation,
  minus its RSS before.

It prints one table per database and writes bench/results.json and
bench/results.md; ``--runs 3`` reports the median of three runs (absolute
times on a shared machine are noisy). Not part of ``make test``: timing
belongs here.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / "cache"
RESULTS_JSON = ROOT / "bench" / "results.json"
RESULTS_MD = ROOT / "bench" / "results.md"
PG_SERVER = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432"
)
# Several people may share one PostgreSQL server: each picks a prefix.
PG_PREFIX = os.environ.get("BENCH_DATABASE_PREFIX", "bench")
SECRET = "bench-secret-key-not-for-production"
PASSWORD = "demo-password-1"
TARGETS = {
    "growth_ratio": 1.5,
    "queries": 12,
    "dashboard_floor_ratio": 2.0,
    "throughput_ratio": 0.35,
    "export_memory_mb": 50,
    "html_median_ms": 100,
    "dashboard_median_ms": 250,
}

# (name, path, who asks). The same paths at both scales: a "deep" page number
# exists at scale 0.1 too, so the two scales compare like with like.
PAGES: list[tuple[str, str, str | None]] = [
    ("home (public)", "/", None),
    ("testimonials (public)", "/testimonials/public", None),
    ("events (public)", "/events/public", None),
    ("municipalities", "/municipalities/", "admin"),
    ("municipalities deep", "/municipalities/?page=7", "admin"),
    ("municipalities search", "/municipalities/?q=bel&sort=-population", "admin"),
    ("municipality page", "/municipalities/{municipality}", "admin"),
    ("people", "/people/", "admin"),
    ("people deep", "/people/?page=150", "admin"),
    ("people search", "/people/?q=horvat", "admin"),
    ("programs", "/programs/", "admin"),
    ("program page", "/programs/{program}", "admin"),
    ("enrollments", "/enrollments/", "admin"),
    ("enrollments deep", "/enrollments/?page=20", "admin"),
    ("enrollments filtered", "/enrollments/?program=ACP&stage=diagnosis", "admin"),
    ("enrollment page", "/enrollments/{enrollment}", "admin"),
    ("events", "/events/", "admin"),
    ("events deep", "/events/?page=5", "admin"),
    ("events filtered", "/events/?kind=training&q=1", "admin"),
    ("event page", "/events/{event}", "admin"),
    ("testimonials", "/testimonials/", "admin"),
    ("testimonials deep", "/testimonials/?page=40", "admin"),
    ("testimonials filtered", "/testimonials/?status=submitted", "admin"),
    ("testimonials search", "/testimonials/?q=horvat&sort=author", "admin"),
    ("review queue", "/testimonials/review", "admin"),
    ("dashboard", "/dashboard/", "manager"),
    ("program page (public)", "/programs/{program}", None),
    ("home coordinator", "/home/", "coordinator"),
    ("home admin", "/home/", "admin"),
    ("home manager", "/home/", "manager"),
    ("home contact", "/home/", "contact.rijeka"),
    ("api municipalities", "/api/v1/municipalities", "admin"),
    ("api programs", "/api/v1/programs", "admin"),
    ("api people", "/api/v1/people?page=3", "admin"),
    ("api enrollments", "/api/v1/enrollments?program=ACP", "admin"),
    ("api events", "/api/v1/events", "admin"),
    ("api testimonials", "/api/v1/testimonials", "admin"),
]
MIX = [
    "/",
    "/testimonials/public",
    "/municipalities/",
    "/events/{event}",
    "/enrollments/",
    "/dashboard/",
    "/api/v1/events",
]
TRIVIAL = "/health"
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def app_config(url: str) -> dict[str, Any]:
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": SECRET,
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": True,
    }


def fingerprint() -> str:
    """What the cached databases depend on: migrations and the scale seeder."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "migrations" / "versions").glob("*.py")) + [
        ROOT / "tracker" / "seed" / "scale.py"
    ]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def database_url(kind: str, scale: float) -> str:
    tag = str(scale).replace(".", "_")
    if kind == "sqlite":
        return f"sqlite:///{CACHE / f'sqlite-{tag}.sqlite'}"
    return f"{PG_SERVER}/{PG_PREFIX}_{tag}"


def build_database(kind: str, scale: float) -> dict[str, Any]:
    """Reuse the cached database when it matches the code; otherwise build it."""
    from flask_migrate import upgrade

    from tracker import create_app
    from tracker.auth.passwords import hash_password
    from tracker.extensions import db
    from tracker.seed.scale import seed_scale

    CACHE.mkdir(parents=True, exist_ok=True)
    marker = CACHE / f"{kind}-{scale}.json"
    url = database_url(kind, scale)
    if marker.exists():
        info = json.loads(marker.read_text())
        if info.get("fingerprint") == fingerprint() and database_exists(kind, url):
            return info | {"cached": True}
    reset_database(kind, url)
    app = create_app(app_config(url))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        started = time.perf_counter()
        with db.engine.begin() as connection:
            written = seed_scale(connection, scale, hash_password(PASSWORD))
        seconds = time.perf_counter() - started
        if kind == "postgresql":
            # What autovacuum soon does after a bulk load: the visibility map
            # lets index-only scans skip the table, as on a settled database.
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT")
                connection.exec_driver_sql("VACUUM (ANALYZE)")
        db.engine.dispose()
    info = {
        "fingerprint": fingerprint(),
        "seed_seconds": round(seconds, 1),
        "rows": written,
    }
    marker.write_text(json.dumps(info, indent=2))
    return info | {"cached": False}


def _pg_admin():
    import psycopg

    return psycopg.connect(
        PG_SERVER.replace("postgresql+psycopg", "postgresql") + "/postgres",
        autocommit=True,
    )


def database_exists(kind: str, url: str) -> bool:
    if kind == "sqlite":
        return Path(url.removeprefix("sqlite:///")).exists()
    name = url.rsplit("/", 1)[1]
    with _pg_admin() as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
    return found is not None


def reset_database(kind: str, url: str) -> None:
    if kind == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    with _pg_admin() as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


class QueryLog:
    """Counts (and optionally keeps) the SQL statements an engine runs."""

    def __init__(self, engine) -> None:
        from sqlalchemy import event

        self.statements: list[tuple[str, Any]] = []
        self.active = False
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if self.active:
            self.statements.append((statement, parameters))

    @property
    def queries(self) -> int:
        """Statements other than transaction control (pysqlite sends BEGIN
        through the cursor, psycopg does not: counting it would make the
        same page cost one more query on SQLite)."""
        return sum(
            not statement.lstrip().upper().startswith(TRANSACTION_CONTROL)
            for statement, _ in self.statements
        )

    @contextmanager
    def capture(self):
        self.statements = []
        self.active = True
        try:
            yield self
        finally:
            self.active = False


def percentile(values: list[float], percent: int) -> float:
    """The nearest-rank percentile: the smallest value >= percent % of them."""
    ordered = sorted(values)
    return ordered[max(math.ceil(len(ordered) * percent / 100) - 1, 0)]


def signed_in_client(app, role: str | None):
    client = app.test_client()
    if role is None:
        return client
    page = client.get("/auth/login")
    token = re.search(rb'name="csrf-token" content="([^"]+)"', page.data).group(1)
    response = client.post(
        "/auth/login",
        data={
            "email": f"{role}@example.org",
            "password": PASSWORD,
            "csrf_token": token.decode(),
        },
    )
    if response.status_code != 302:
        raise RuntimeError(f"could not sign in as {role}")
    return client


def sample_ids(app) -> dict[str, Any]:
    """Ids of typical records: those the page URLs refer to."""
    from sqlalchemy import func, select

    from tracker.extensions import db
    from tracker.models import Enrollment, Event, Municipality, Participation, Program

    with app.app_context():
        event = db.session.execute(
            select(Participation.event_id, func.count())
            .group_by(Participation.event_id)
            .order_by(func.count().desc())
            .limit(1)
        ).first()
        return {
            "municipality": db.session.scalar(select(func.min(Municipality.id))),
            "program": db.session.scalar(
                select(Program.code).where(Program.code == "ACP")
            ),
            "program_id": db.session.scalar(
                select(Program.id).where(Program.code == "ACP")
            ),
            "enrollment": db.session.scalar(select(func.min(Enrollment.id))),
            "event": event[0]
            if event
            else db.session.scalar(select(func.min(Event.id))),
        }


def search_pages() -> list[tuple[str, str, str | None]]:
    """The pages that answer a typed search (``q=``): ``--only search``."""
    return [page for page in PAGES if "q=" in page[1]]


def measure_pages(
    kind: str, scale: float, requests: int, pages: list | None = None
) -> dict[str, Any]:
    """Each page's times (cached figures are served from the cache, but every
    page is rendered: how its cost grows with the data) and its query count
    with the cache empty (the most it ever runs). Pages served again until
    the next write (``tracker.cache.cached_page``) show in the throughput."""
    pages = PAGES if pages is None else pages
    from tracker import cache, create_app
    from tracker.extensions import db

    app = create_app({**app_config(database_url(kind, scale)), "PAGE_CACHE": False})
    ids = sample_ids(app)
    with app.app_context():
        log = QueryLog(db.engine)
    clients = {role: signed_in_client(app, role) for role in {p[2] for p in pages}}
    results: dict[str, Any] = {}
    for name, path, role in pages:
        url = path.format(**ids)
        client = clients[role]
        for _ in range(2):
            response = client.get(url)
        if response.status_code != 200:
            results[name] = {"url": url, "status": response.status_code}
            continue
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            response.get_data()
            timings.append((time.perf_counter() - started) * 1000)
        cache.clear()
        with log.capture():
            client.get(url).get_data()
        results[name] = {
            "url": url,
            "median_ms": round(statistics.median(timings), 2),
            "p95_ms": round(percentile(timings, 95), 2),
            "queries": log.queries,
            "api": url.startswith("/api/"),
        }
    with app.app_context():
        db.engine.dispose()
    if pages is PAGES:
        results["_floor"] = dashboard_floor(kind, scale, requests)
    return results


def dashboard_floor(kind: str, scale: float, requests: int) -> dict[str, Any]:
    """The dashboard computed afresh against replaying its own SQL directly.

    The app runs with its data cache off (``DATA_CACHE``), so every request
    computes the figures: the ratio says how much the application adds to
    what the database itself needs.
    """
    from tracker import create_app
    from tracker.extensions import db

    app = create_app({**app_config(database_url(kind, scale)), "DATA_CACHE": False})
    with app.app_context():
        log = QueryLog(db.engine)
    client = signed_in_client(app, "manager")
    client.get("/dashboard/").get_data()
    with log.capture():
        client.get("/dashboard/").get_data()
    statements, queries = list(log.statements), log.queries
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            timings = []
            for _ in range(requests):
                started = time.perf_counter()
                cursor = raw.cursor()
                for statement, parameters in statements:
                    cursor.execute(statement, parameters)
                    cursor.fetchall()
                cursor.close()
                raw.rollback()
                timings.append((time.perf_counter() - started) * 1000)
        finally:
            raw.close()
    page = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get("/dashboard/").get_data()
        page.append((time.perf_counter() - started) * 1000)
    sql_ms = statistics.median(timings)
    page_ms = statistics.median(page)
    with app.app_context():
        db.engine.dispose()
    return {
        "page_ms": round(page_ms, 2),
        "sql_ms": round(sql_ms, 2),
        "ratio": round(page_ms / sql_ms, 2) if sql_ms else None,
        "queries": queries,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(
    url: str,
    workers: int,
    timeout: int = 30,
    deployed: bool = False,
    environment: dict[str, str] | None = None,
):
    """The app under gunicorn's sync workers, or as deployed.

    ``timeout`` is gunicorn's worker timeout: a sync worker that spends
    longer on one request (a long download) is killed mid-response.
    ``deployed`` runs deploy/gunicorn.conf.py instead (workers and threads
    from the cores, as production runs them; ``workers`` is then ignored).
    Request logs go to a file, as they go to the journal in production.
    """
    port = free_port()
    # The app reads DATABASE_URL and SECRET_KEY from the environment. Rate
    # limits stay on: only sign-in and bearer-token requests have any, and
    # the benchmark signs in once per server.
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        **(environment or {}),
    }
    if deployed:
        env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
        env["GUNICORN_LOG_LEVEL"] = "warning"
        options = ["-c", str(ROOT / "deploy" / "gunicorn.conf.py")]
    else:
        options = ["-w", str(workers), "-b", f"127.0.0.1:{port}"]
        options += ["--timeout", str(timeout), "--log-level", "warning"]
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), *options, "wsgi:app"],
        cwd=ROOT,
        env=env,
        stderr=log,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        yield port, process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        log.close()


def http_sign_in(port: int, role: str) -> str:
    """Sign in over real HTTP; return the Cookie header value."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/auth/login")
    response = connection.getresponse()
    body = response.read()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(rb'name="csrf-token" content="([^"]+)"', body).group(1).decode()
    form = f"email={role}%40example.org&password={PASSWORD}&csrf_token={token}"
    connection.request(
        "POST",
        "/auth/login",
        body=form,
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    response = connection.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    # A browser shows the "signed in" message on the next page, and the
    # session cookie it gets back no longer holds it: wrk, which never takes
    # a new cookie, must not carry a message waiting to be shown.
    connection.request("GET", "/", headers={"Cookie": cookie})
    response = connection.getresponse()
    response.read()
    renewed = response.getheader("Set-Cookie")
    return renewed.split(";")[0] if renewed else cookie


WRK = ["wrk", "-t2", "-c16", "--timeout", "30s"]


def wrk(port: int, paths: list[str], cookie: str, seconds: int) -> float:
    """Requests a second over ``seconds``, every answer a 2xx.

    wrk's default timeout (2 s) drops answers that queue longer, which on a
    busy machine are the slow pages' only: the mix would count fewer
    requests than were served. 30 s is gunicorn's own timeout.
    """
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    quoted = ", ".join(json.dumps(path) for path in paths)
    script.write(
        f"local paths = {{{quoted}}}\nlocal i = 0\n"
        f'wrk.headers["Cookie"] = {json.dumps(cookie)}\n'
        "request = function()\n  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\nend\n'
    )
    script.close()
    try:
        output = subprocess.run(
            [
                *WRK,
                f"-d{seconds}s",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError("wrk saw errors or non-2xx answers:\n" + output)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def throughput(kind: str, scale: float, seconds: int) -> dict[str, Any]:
    """The mix against the trivial route, as served (pages served again until
    the next write) and with every page rendered afresh (as right after a
    write, ``TRACKER_PAGE_CACHE=0``)."""
    if shutil.which("wrk") is None:
        return {"skipped": "wrk is not installed (apt-get install -y wrk)"}
    from tracker import create_app

    ids = sample_ids(create_app(app_config(database_url(kind, scale))))
    mix = [path.format(**ids) for path in MIX]
    figures: dict[str, float] = {}
    for name, page_cache in (("mixed", "1"), ("rendered", "0")):
        with gunicorn(
            database_url(kind, scale),
            workers=0,
            deployed=True,
            environment={"TRACKER_PAGE_CACHE": page_cache},
        ) as (port, _):
            cookie = http_sign_in(port, "manager")
            for path in mix:  # every worker's first request, templates compiled
                wrk(port, [path], cookie, 1)
            # The same connections, threads and signed-in user for both, taken
            # in turns of a few seconds: the machine's load, which moves
            # several-fold from one minute to the next on shared cores, then
            # weighs on both alike.
            turns = max(1, seconds // 2)
            trivial: list[float] = []
            mixed: list[float] = []
            for _ in range(turns):
                trivial.append(wrk(port, [TRIVIAL], cookie, 2))
                mixed.append(wrk(port, mix, cookie, 2))
            figures[f"{name}_trivial_rps"] = round(statistics.mean(trivial), 2)
            figures[f"{name}_rps"] = round(statistics.mean(mixed), 2)
    return {
        "trivial_rps": figures["mixed_trivial_rps"],
        "mixed_rps": figures["mixed_rps"],
        "ratio": round(figures["mixed_rps"] / figures["mixed_trivial_rps"], 3),
        "rendered_trivial_rps": figures["rendered_trivial_rps"],
        "rendered_rps": figures["rendered_rps"],
        "rendered_ratio": round(
            figures["rendered_rps"] / figures["rendered_trivial_rps"], 3
        ),
    }


def _rss_kb(pid: int, field: str) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1))


def export_memory(kind: str, scale: float) -> dict[str, Any]:
    """Peak RSS growth of the one worker that streams every participation.

    The worker timeout is raised so that a slow export is still measured
    (its time is reported) rather than cut off by gunicorn at 30 s.
    """
    with gunicorn(database_url(kind, scale), workers=1, timeout=600) as (
        port,
        master,
    ):
        cookie = http_sign_in(port, "admin")
        children = Path(f"/proc/{master.pid}/task/{master.pid}/children")
        worker = int(children.read_text().split()[0])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        connection.request("GET", "/", headers={"Cookie": cookie})
        connection.getresponse().read()
        Path(f"/proc/{worker}/clear_refs").write_text("5")  # reset the peak
        before = _rss_kb(worker, "VmRSS")
        started = time.perf_counter()
        connection.request(
            "GET", "/events/participations/export.csv", headers={"Cookie": cookie}
        )
        response = connection.getresponse()
        size = lines = 0
        while chunk := response.read(65536):
            size += len(chunk)
            lines += chunk.count(b"\n")
        seconds = time.perf_counter() - started
        peak = _rss_kb(worker, "VmHWM")
    return {
        "status": response.status,
        "bytes": size,
        "rows": lines - 1,  # less the header
        "seconds": round(seconds, 1),
        "rss_before_mb": round(before / 1024, 1),
        "peak_mb": round(peak / 1024, 1),
        "growth_mb": round((peak - before) / 1024, 1),
    }


def page_misses(name: str, small: dict, large: dict) -> list[str]:
    """The targets one page misses at scale 1 (empty when it meets them all)."""
    a, b = small[name], large[name]
    limit = (
        TARGETS["dashboard_median_ms"]
        if name == "dashboard"
        else None
        if b["api"]
        else TARGETS["html_median_ms"]
    )
    misses = []
    if max(a["queries"], b["queries"]) > TARGETS["queries"]:
        misses.append("queries")
    if a["queries"] != b["queries"]:
        misses.append("count grows")
    if b["median_ms"] / a["median_ms"] > TARGETS["growth_ratio"]:
        misses.append("growth")
    if limit is not None and b["median_ms"] > limit:
        misses.append("median")
    return misses


def table(kind: str, small: dict, large: dict, pages: list | None = None) -> list[str]:
    lines = [
        f"### {kind}",
        "",
        "| page | queries S=0.1 | queries S=1 | median ms S=0.1 | median ms S=1 "
        "| p95 ms S=1 | growth | misses |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, _, _ in PAGES if pages is None else pages:
        a, b = small.get(name, {}), large.get(name, {})
        if "median_ms" not in a or "median_ms" not in b:
            lines.append(
                f"| {name} | status {a.get('status')} / {b.get('status')} "
                "| | | | | | status |"
            )
            continue
        growth = b["median_ms"] / a["median_ms"]
        misses = ", ".join(page_misses(name, small, large)) or "none"
        lines.append(
            f"| {name} | {a['queries']} | {b['queries']} | {a['median_ms']:.1f} "
            f"| {b['median_ms']:.1f} | {b['p95_ms']:.1f} | {growth:.2f} | {misses} |"
        )
    return lines


def verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"


def summary(entry: dict[str, Any]) -> list[str]:
    """One line per measure, each against its target."""
    small, large = entry["small"], entry["large"]
    measured = [name for name, _, _ in PAGES if "median_ms" in large.get(name, {})]
    lines = []
    if failed := [name for name, _, _ in PAGES if name not in measured]:
        lines.append(f"- pages not answering 200: {', '.join(failed)}")
    if measured:
        most = max(max(small[n]["queries"], large[n]["queries"]) for n in measured)
        growth = max(large[n]["median_ms"] / small[n]["median_ms"] for n in measured)
        html = [n for n in measured if not large[n]["api"] and n != "dashboard"]
        slowest = max(html, key=lambda n: large[n]["median_ms"])
        same = all(small[n]["queries"] == large[n]["queries"] for n in measured)
        lines += [
            f"- most queries on a page: {most} (target <= {TARGETS['queries']}:"
            f" {verdict(most <= TARGETS['queries'])}); same count at both"
            f" scales: {verdict(same)}",
            f"- largest growth ratio: {growth:.2f} (target <="
            f" {TARGETS['growth_ratio']}:"
            f" {verdict(growth <= TARGETS['growth_ratio'])})",
            f"- slowest HTML page median (S=1): {slowest}"
            f" {large[slowest]['median_ms']:.1f} ms (target <="
            f" {TARGETS['html_median_ms']}:"
            f" {verdict(large[slowest]['median_ms'] <= TARGETS['html_median_ms'])})",
        ]
        if "dashboard" in measured:
            ms = large["dashboard"]["median_ms"]
            lines.append(
                f"- dashboard median (S=1): {ms:.1f} ms (target <="
                f" {TARGETS['dashboard_median_ms']}:"
                f" {verdict(ms <= TARGETS['dashboard_median_ms'])})"
            )
    floor = large.get("_floor", {})
    if floor.get("page_ms") and small.get("_floor", {}).get("page_ms"):
        lines.append(
            f"- dashboard computed afresh (cache off, as after every write):"
            f" median {small['_floor']['page_ms']:.1f} ms at S=0.1,"
            f" {floor['page_ms']:.1f} ms at S=1"
        )
    if floor.get("ratio") is not None:
        lines.append(
            f"- dashboard floor ratio (S=1): {floor['ratio']} (page"
            f" {floor['page_ms']} ms, its {floor['queries']} queries alone"
            f" {floor['sql_ms']} ms; target <= {TARGETS['dashboard_floor_ratio']}:"
            f" {verdict(floor['ratio'] <= TARGETS['dashboard_floor_ratio'])})"
        )
    tp = entry["throughput"]
    if "ratio" in tp:
        lines.append(
            f"- throughput (gunicorn as deploy/gunicorn.conf.py, {' '.join(WRK)}):"
            " mixed"
            f" {tp['mixed_rps']:.0f} req/s vs trivial {tp['trivial_rps']:.0f}"
            f" req/s = {tp['ratio']:.0%} (target >="
            f" {TARGETS['throughput_ratio']:.0%}:"
            f" {verdict(tp['ratio'] >= TARGETS['throughput_ratio'])})"
        )
        if "rendered_ratio" in tp:
            lines.append(
                "- throughput with every page rendered afresh (TRACKER_PAGE_CACHE=0,"
                f" as right after a write): {tp['rendered_rps']:.0f} req/s vs trivial"
                f" {tp['rendered_trivial_rps']:.0f} req/s = {tp['rendered_ratio']:.0%}"
            )
    else:
        lines.append(f"- throughput: {tp.get('skipped') or tp.get('error')}")
    memory = entry["export_memory"]
    if "growth_mb" in memory:
        lines.append(
            f"- CSV export of all participations: {memory['rows']:,} rows,"
            f" {memory['bytes']:,} bytes in {memory['seconds']} s (status"
            f" {memory['status']}); worker peak RSS growth {memory['growth_mb']} MB"
            f" (target <= {TARGETS['export_memory_mb']}:"
            f" {verdict(memory['growth_mb'] <= TARGETS['export_memory_mb'])})"
        )
    else:
        lines.append(f"- CSV export: {memory.get('error')}")
    seed = entry["builds"]["1.0"]
    lines.append(
        f"- seed-scale S=1: {seed.get('seed_seconds')} s"
        + (" (when the cached database was built)" if seed.get("cached") else "")
    )
    return lines


def attempt(step, *args) -> dict[str, Any]:
    """Run one measurement; a failure is reported, not fatal to the others."""
    try:
        return step(*args)
    except Exception as error:  # noqa: BLE001 - the report says what failed
        print(f"  {step.__name__} failed: {error!r}", file=sys.stderr, flush=True)
        return {"error": f"{step.__name__} failed: {error!r}"}


def median_entry(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One run's shape, every number the median over ``runs`` (of one database).

    The absolute figures of a shared machine are noisy: the README reports
    the median of three runs (``--runs 3``).
    """

    def merge(items: list[Any]) -> Any:
        first = items[0]
        if isinstance(first, dict):
            return {
                key: merge([item[key] for item in items if key in item])
                for key in first
            }
        if isinstance(first, bool) or not isinstance(first, int | float):
            return first
        return round(statistics.median(items), 2)

    return merge(runs)


def measure(kind: str, options: argparse.Namespace) -> dict[str, Any]:
    if options.only == "throughput":
        print(f"[{kind}] throughput ...", flush=True)
        return {"throughput": attempt(throughput, kind, 1.0, options.wrk_seconds)}
    if options.only == "search":
        print(f"[{kind}] measuring the search pages ...", flush=True)
        pages = search_pages()
        return {
            scale: measure_pages(kind, value, options.requests, pages)
            for scale, value in (("small", 0.1), ("large", 1.0))
        }
    print(f"[{kind}] measuring pages ...", flush=True)
    entry = {
        "small": measure_pages(kind, 0.1, options.requests),
        "large": measure_pages(kind, 1.0, options.requests),
    }
    print(f"[{kind}] throughput and memory ...", flush=True)
    entry["throughput"] = attempt(throughput, kind, 1.0, options.wrk_seconds)
    entry["export_memory"] = attempt(export_memory, kind, 1.0)
    return entry


IMPORT_ROWS = 20_000
IMPORT_HEADER = (
    "event_title,event_kind,event_starts_on,event_ends_on,event_city,"
    "event_country,person_full_name,person_email,person_position,municipality,"
    "municipality_country,role,presentation_title,attendance"
)


def import_csv_body(rows: int) -> bytes:
    """``rows`` valid participation rows: 40 new events, one new person each."""
    lines = [IMPORT_HEADER]
    for number in range(rows):
        lines.append(
            f"Bench training {number % 40},training,2019-01-{1 + number % 28:02d},"
            f",Zagreb,,Bench Person {number},bench{number}@example.org,Officer,"
            ",,delegate,,attended"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def post_import(port: int, cookie: str, content: bytes, button: str) -> tuple:
    """POST the file to /admin/import as the browser does; (seconds, status, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", "/admin/import", headers={"Cookie": cookie})
    response = connection.getresponse()
    page = response.read()
    if fresh := response.getheader("Set-Cookie"):
        cookie = fresh.split(";")[0]  # the session now holds the CSRF secret
    token = re.search(rb'name="csrf-token" content="([^"]+)"', page).group(1)
    boundary = "benchboundary7MA4YWxkTrZu0gW"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
        f"\r\n\r\n{value}\r\n".encode()
        for name, value in (
            ("csrf_token", token.decode()),
            ("kind", "participations"),
            (button, "1"),
        )
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        'filename="participations.csv"\r\nContent-Type: text/csv\r\n\r\n'.encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    started = time.perf_counter()
    connection.request(
        "POST",
        "/admin/import",
        body=b"".join(parts),
        headers={
            "Cookie": cookie,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    response = connection.getresponse()
    body = response.read()
    return time.perf_counter() - started, response.status, body


def import_timing(kind: str) -> dict[str, Any]:
    """20,000 participation rows through /admin/import under gunicorn (1 sync
    worker, the deployed 30 s timeout): "Check only", then "Import"."""
    CACHE.mkdir(parents=True, exist_ok=True)
    url = database_url(kind, 0.0).replace("0_0", "import")
    reset_database(kind, url)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET}
    flask = [str(Path(sys.executable).with_name("flask")), "--app", "tracker"]
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([*flask, *command], env=env, cwd=ROOT, check=True)
    content = import_csv_body(IMPORT_ROWS)
    result: dict[str, Any] = {"rows": IMPORT_ROWS, "bytes": len(content)}
    with gunicorn(url, workers=1, timeout=30) as (port, _):
        cookie = http_sign_in(port, "coordinator")
        for button, expected in (("check", b"Checked: ready"), ("commit", b"Imported")):
            seconds, status, body = post_import(port, cookie, content, button)
            result[button] = {
                "seconds": round(seconds, 2),
                "status": status,
                "ok": status == 200 and expected in body,
            }
    return result


def run_import_bench(databases: list[str]) -> None:
    results = {kind: import_timing(kind) for kind in databases}
    lines = [
        f"{kind}: {entry['rows']:,} participation rows through /admin/import under "
        f"gunicorn: check {entry['check']['seconds']} s "
        f"({'ok' if entry['check']['ok'] else 'FAILED'}), import "
        f"{entry['commit']['seconds']} s "
        f"({'ok' if entry['commit']['ok'] else 'FAILED'})"
        for kind, entry in results.items()
    ]
    (ROOT / "bench" / "results-import.json").write_text(json.dumps(results, indent=2))
    print("\n".join(lines))
    if not all(e["check"]["ok"] and e["commit"]["ok"] for e in results.values()):
        sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument(
        "--runs", type=int, default=1, help="report the median of this many runs"
    )
    parser.add_argument(
        "--only",
        choices=("throughput", "search"),
        help="measure only this and print the figures, leaving bench/results.*"
        " as they are: throughput (builds only the scale-1 database), or the"
        " search pages (every page with q=) at both scales",
    )
    parser.add_argument(
        "--import",
        dest="import_only",
        action="store_true",
        help="only time a 20,000-row CSV import through the web page",
    )
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if options.import_only:
        run_import_bench(options.databases.split(","))
        return
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "targets": TARGETS,
        "runs": options.runs,
    }
    report: list[str] = []
    if options.runs > 1:
        report += [f"Median of {options.runs} runs.", ""]
    for kind in options.databases.split(","):
        builds = {}
        scales = (1.0,) if options.only == "throughput" else (0.1, 1.0)
        for scale in scales:
            print(f"[{kind}] database at scale {scale} ...", flush=True)
            builds[str(scale)] = build_database(kind, scale)
        runs = [measure(kind, options) for _ in range(options.runs)]
        if options.only == "search":
            entry = median_entry(runs)
            lines = table(kind, entry["small"], entry["large"], search_pages())
            print("\n".join(lines), flush=True)
            continue
        if options.only:
            for run in runs:
                print(f"[{kind}] {json.dumps(run['throughput'])}", flush=True)
            if options.runs > 1:
                ratios = [run["throughput"].get("ratio", 0) for run in runs]
                print(f"[{kind}] median ratio {statistics.median(ratios)}")
            continue
        entry = {"builds": builds, **median_entry(runs)}
        if options.runs > 1:
            entry["each_run"] = runs
        results[kind] = entry
        report += table(kind, entry["small"], entry["large"]) + [""]
        report += summary(entry) + [""]
    if options.only:
        return
    RESULTS_JSON.write_text(json.dumps(results, indent=2))
    RESULTS_MD.write_text("\n".join(report))
    print("\n".join(report))


if __name__ == "__main__":
    main()
