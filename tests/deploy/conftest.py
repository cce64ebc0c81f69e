"""The stack for ``make test-deploy``: nginx in front of two gunicorn instances,
on PostgreSQL and Redis, all on loopback, started here and stopped after.

nginx runs with the site's own snippets from ``deploy/nginx`` (the proxy
rules as they are; the static root pointed at this checkout) under a
top-level configuration written into a temporary folder: its pid file, logs
and buffers stay there, it runs in the foreground and is stopped by pid.
Each gunicorn runs ``deploy/gunicorn.conf.py`` as in production
(``TRACKER_ENV=production``, one proxy hop), except that nginx speaks plain
HTTP here (``TRACKER_HTTPS=0``): TLS would only add a certificate to make.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG_SERVER = os.environ.get(
    "DEPLOY_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432"
)
REDIS_URL = os.environ.get("DEPLOY_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "demo-password-1"  # seed-demo's demo logins
START_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, what: str, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{what} did not come up within {timeout} s")


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Browser:
    """A client with a cookie jar of one cookie (the session) and a fixed source
    address: 127.0.0.2 is loopback too, but not the address nginx itself uses."""

    port: int
    source: str = "127.0.0.1"
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict | None = None,
        body: bytes | None = None,
        headers: dict | None = None,
        port: int | None = None,
        timeout: float = 20,
    ) -> Response:
        connection = http.client.HTTPConnection(
            "127.0.0.1",
            port or self.port,
            timeout=timeout,
            source_address=(self.source, 0),
        )
        sent = dict(headers or {})
        if form is not None:
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            raw = connection.getresponse()
            data = raw.read()
            for header, value in raw.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";")[0]
            return Response(
                raw.status, {k.lower(): v for k, v in raw.getheaders()}, data
            )
        finally:
            connection.close()

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def csrf_token(self, path: str = "/auth/login", **kwargs) -> str:
        page = self.get(path, **kwargs)
        match = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
        assert match, f"no CSRF token on {path} ({page.status})"
        return match.group(1)

    def post_form(
        self, path: str, data: dict, *, token_from: str, **kwargs
    ) -> Response:
        """POST a form with the CSRF token of the page ``token_from``."""
        token = self.csrf_token(token_from, **kwargs)
        return self.request("POST", path, form={**data, "csrf_token": token}, **kwargs)

    def sign_in(self, email: str, password: str = PASSWORD, **kwargs) -> Response:
        token = self.csrf_token(**kwargs)
        return self.request(
            "POST",
            "/auth/login",
            form={"email": email, "password": password, "csrf_token": token},
            **kwargs,
        )


@dataclass
class Stack:
    tmp: Path
    nginx_port: int
    app_ports: list[int]
    database: str
    processes: dict[str, subprocess.Popen]

    def browser(self, source: str = "127.0.0.1") -> Browser:
        return Browser(self.nginx_port, source)

    def query(self, statement: str, *params):
        with psycopg.connect(f"{PG_SERVER}/{self.database}", autocommit=True) as conn:
            return conn.execute(statement, params).fetchall()

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")

    def kill(self, name: str) -> None:
        """Kill an instance at once, workers and all, as a crash would."""
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _admin():
    return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True)


def _create_database(name: str) -> None:
    with _admin() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _drop_database(name: str) -> None:
    with _admin() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )


def _nginx_config(tmp: Path, port: int, app_ports: list[int]) -> Path:
    site = ROOT / "deploy" / "nginx"
    static = (site / "upp-tracker-static.conf").read_text()
    (tmp / "static.conf").write_text(
        static.replace("/srv/upp-tracker/current", str(ROOT))
    )
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / folder).mkdir()
    servers = "\n".join(
        f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in app_ports
    )
    # As root, nginx's workers would run as nobody, who may not read this
    # checkout or the temporary folder.
    user = "user root;" if os.geteuid() == 0 else ""
    config = tmp / "nginx.conf"
    config.write_text(
        f"""{user}
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    include {site}/upp-tracker-http.conf;
    access_log {tmp}/nginx-access.log upp_tracker;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream upp_tracker {{
        least_conn;
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        # For the test only: which instance answered.
        add_header X-Upstream $upstream_addr always;
        include {tmp}/static.conf;
        include {site}/upp-tracker-proxy.conf;
    }}
}}
"""
    )
    return config


def _answers(port: int, path: str) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", path)
        return connection.getresponse().status == 200
    finally:
        connection.close()


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Iterator[Stack]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is not installed (apt-get install -y nginx; .ci/run does)")
    tmp = tmp_path_factory.mktemp("deploy")
    database = f"tracker_deploy_{os.getpid()}"
    _create_database(database)
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG_SERVER.replace('postgresql://', 'postgresql+psycopg://')}/{database}",
        "SECRET_KEY": secrets.token_hex(32),
        "TRACKER_ENV": "production",
        "TRACKER_HTTPS": "0",
        "TRACKER_PROXY_HOPS": "1",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        # Our own counters in a Redis others may share.
        "RATELIMIT_KEY_PREFIX": f"tracker-deploy-test-{secrets.token_hex(4)}",
        # The monitoring host is this one (127.0.0.1); 127.0.0.2 is "outside".
        "METRICS_ALLOW_FROM": "127.0.0.1/32",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "2",
        "GUNICORN_LOG_LEVEL": "warning",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    flask = [str(BIN / "flask"), "--app", "tracker"]
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(
            flask + command,
            cwd=ROOT,
            env=env,
            check=True,
            timeout=120,
            capture_output=True,
        )
    processes: dict[str, subprocess.Popen] = {}
    logs = [(tmp / f"{name}.log").open("wb") for name in ("a", "b", "nginx")]
    app_ports = [free_port(), free_port()]
    nginx_port = free_port()
    try:
        for name, port in zip(("a", "b"), app_ports, strict=True):
            processes[name] = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "-c",
                    str(ROOT / "deploy" / "gunicorn.conf.py"),
                    "-b",
                    f"127.0.0.1:{port}",
                    "wsgi:app",
                ],
                cwd=ROOT,
                env={**env, "PROMETHEUS_MULTIPROC_DIR": str(tmp / f"metrics-{name}")},
                stdout=subprocess.DEVNULL,
                stderr=logs[0 if name == "a" else 1],
                start_new_session=True,
            )
        config = _nginx_config(tmp, nginx_port, app_ports)
        processes["nginx"] = subprocess.Popen(
            [nginx, "-c", str(config), "-p", str(tmp)],
            stdout=subprocess.DEVNULL,
            stderr=logs[2],
            start_new_session=True,
        )
        for port in app_ports:
            wait_for(
                lambda port=port: _answers(port, "/health/ready"), f"gunicorn :{port}"
            )
        wait_for(lambda: _answers(nginx_port, "/health/live"), "nginx")
        yield Stack(tmp, nginx_port, app_ports, database, processes)
    finally:
        for process in processes.values():
            if process.poll() is None:
                # nginx stops at once on SIGTERM, gunicorn after its requests.
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        for log in logs:
            log.close()
        _drop_database(database)
