"""``make test-api-fuzz``: schemathesis against /api/v1/openapi.json, per role.

Builds a throwaway SQLite database seeded with ``flask seed-demo``, issues a
bearer token to a demo user of each role, serves the app under gunicorn on a
free loopback port, then runs schemathesis once anonymously and once with
each token. Every check must pass: no server error, and every status code,
header, content type and body must be what the document declares (the
document is the contract; a mismatch is fixed in the app, not here).

Bounded: ``--max-time`` seconds per role (default 30), so the whole run takes
a few minutes. Exits non-zero when any role's run finds a failure.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SECRET = "api-fuzz-secret-key-not-for-production"
ROLES = {
    "admin": "admin@example.org",
    "coordinator": "coordinator@example.org",
    "manager": "manager@example.org",
    "contact": "contact.rijeka@example.org",
}
# What the run checks: everything about a response against the document.
# Left out: the stateful checks that need write operations (the API is
# read-only) and ignored_auth, which sends requests without credentials to
# operations the document marks public as well.
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
    ]
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(env: dict[str, str]) -> dict[str, str]:
    """Migrate and seed the database; return a bearer token per role."""
    flask = [str(BIN / "flask"), "--app", "tracker"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, cwd=ROOT)
    subprocess.run([*flask, "seed-demo"], env=env, check=True, cwd=ROOT)
    script = (
        "from sqlalchemy import select\n"
        "from tracker import create_app\n"
        "from tracker.extensions import db\n"
        "from tracker.models import ApiToken, User\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        f"    for role, email in {ROLES!r}.items():\n"
        "        user = db.session.scalar(select(User).where(User.email == email))\n"
        "        token, secret = ApiToken.issue(user, 'api fuzz')\n"
        "        db.session.add(token)\n"
        "        print(role, secret)\n"
        "    db.session.commit()\n"
    )
    output = subprocess.run(
        [str(BIN / "python"), "-c", script],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    return dict(line.split(" ", 1) for line in output.splitlines() if line)


def serve(env: dict[str, str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("gunicorn did not start")


def run_role(name: str, token: str | None, port: int, max_time: int) -> bool:
    command = [
        str(BIN / "schemathesis"),
        "run",
        f"http://127.0.0.1:{port}/api/v1/openapi.json",
        "--checks",
        CHECKS,
        "--max-time",
        str(max_time),
        "--workers",
        "2",
        "--seed",
        "11",
        "--no-color",
        "--generation-database",
        "none",
    ]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    started = time.monotonic()
    result = subprocess.run(
        command, capture_output=True, text=True, cwd=ROOT, check=False
    )
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    cases = re.search(r"Test cases:\s*(.*)", output)
    summary = cases.group(1).strip() if cases else "no case count printed"
    status = "ok" if result.returncode == 0 else "FAILED"
    print(f"{name:12} {status:6} {elapsed:5.0f}s  {summary}", flush=True)
    if result.returncode != 0:
        print(output[-20_000:])
    return result.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-time", type=int, default=30, help="seconds per role")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tracker-api-fuzz-") as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/fuzz.db",
            "SECRET_KEY": SECRET,
            # Generous enough that the run tests the API, not the limiter;
            # the limits themselves have tests of their own.
            "RATELIMIT_API_TOKEN": "100000 per minute",
            "RATELIMIT_API_IP": "100000 per minute",
        }
        tokens = prepare_database(env)
        port = free_port()
        server = serve(env, port)
        try:
            results = [run_role("anonymous", None, port, args.max_time)]
            for role in ROLES:
                results.append(run_role(role, tokens[role], port, args.max_time))
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
