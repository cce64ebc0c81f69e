"""Two app servers behind nginx share sessions, rate limits and fresh figures,
survive losing one of them, and see the real client (``make test-deploy``)."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid

import pytest

from tests.deploy.conftest import Browser, Stack

pytestmark = pytest.mark.deploy

COORDINATOR = "coordinator@example.org"
MANAGER = "manager@example.org"


def upstream_port(response) -> int:
    return int(response.headers["x-upstream"].rsplit(":", 1)[1])


def test_both_instances_are_ready_behind_nginx(stack: Stack):
    browser = stack.browser()
    seen = set()
    for _ in range(4):
        response = browser.get("/health/ready")
        assert response.status == 200
        assert json.loads(response.body) == {
            "status": "ready",
            "checks": {"database": "ok", "redis": "ok"},
        }
        seen.add(upstream_port(response))
    assert seen == set(stack.app_ports)


def test_a_session_made_on_one_instance_works_on_the_other(stack: Stack):
    browser = stack.browser()
    signed_in = browser.sign_in(MANAGER)
    assert signed_in.status == 302, signed_in.text[:300]
    for port in stack.app_ports:  # straight to each instance, nginx bypassed
        page = browser.get("/dashboard/", port=port)
        assert page.status == 200, f"instance :{port} answered {page.status}"
    # And through nginx, whichever instance answers.
    answered = {upstream_port(browser.get("/dashboard/")) for _ in range(4)}
    assert answered == set(stack.app_ports)


def test_a_write_on_one_instance_is_seen_at_once_on_the_other(stack: Stack):
    a, b = stack.app_ports
    browser = stack.browser()
    assert browser.sign_in(COORDINATOR).status == 302

    def published(port: int) -> int:
        response = browser.get("/api/v1/stats", port=port)
        assert response.status == 200
        return json.loads(response.body)["figures"]["testimonials_published"]

    before = published(b)
    assert published(b) == before  # now from b's cache
    [(testimonial_id, version)] = stack.query(
        "SELECT id, version_id FROM testimonial WHERE status = 'submitted'"
        " ORDER BY id LIMIT 1"
    )
    approved = browser.post_form(
        f"/testimonials/{testimonial_id}/approve",
        {"version_id": version},
        token_from=f"/testimonials/{testimonial_id}",
        port=a,
    )
    assert approved.status == 302, approved.text[:300]
    assert stack.query(
        "SELECT status FROM testimonial WHERE id = %s", testimonial_id
    ) == [("approved",)]
    assert published(b) == before + 1
    assert published(a) == before + 1


def test_the_audit_trail_records_the_real_client_address(stack: Stack):
    # 127.0.0.2 connects to nginx; nginx connects to gunicorn from 127.0.0.1.
    # A client's own X-Forwarded-For is no proof of anything: it is ignored.
    browser = stack.browser(source="127.0.0.2")
    response = browser.sign_in(COORDINATOR, headers={"X-Forwarded-For": "198.51.100.7"})
    assert response.status == 302
    [(ip,)] = stack.query(
        "SELECT ip FROM audit_entry WHERE action = 'login' ORDER BY id DESC LIMIT 1"
    )
    assert ip == "127.0.0.2"


def test_metrics_are_served_inside_the_allow_list_and_refused_outside(stack: Stack):
    inside = stack.browser("127.0.0.1").get("/metrics")
    assert inside.status == 200
    assert "tracker_http_requests_total{" in inside.text
    assert "tracker_db_pool_checked_out" in inside.text
    outside = stack.browser("127.0.0.2")
    assert outside.get("/metrics").status == 404
    spoofed = outside.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})
    assert spoofed.status == 404
    assert b"tracker_http" not in spoofed.body


def test_the_request_id_runs_from_nginx_through_the_app_log(stack: Stack):
    response = stack.browser().get("/health/live")
    request_id = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id
    instance = "a" if upstream_port(response) == stack.app_ports[0] else "b"
    deadline = time.monotonic() + 5
    while request_id not in stack.log(instance) and time.monotonic() < deadline:
        time.sleep(0.1)
    [line] = [
        json.loads(text)
        for text in stack.log(instance).splitlines()
        if request_id in text
    ]
    assert line["path"] == "/health/live" and line["status"] == 200
    # nginx writes its access-log line once the response has gone out.
    access_log = stack.tmp / "nginx-access.log"
    while request_id not in access_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert request_id in access_log.read_text()


def test_static_files_come_from_nginx_with_long_cache_headers(stack: Stack):
    browser = stack.browser()
    page = browser.get("/")
    url = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]+)"', page.text).group(1)
    versioned = browser.get(url)
    assert versioned.status == 200
    assert versioned.headers["cache-control"] == "max-age=315360000"
    assert "x-request-id" not in versioned.headers  # the app never saw it
    plain = browser.get("/static/css/app.css")
    assert plain.headers["cache-control"] == "max-age=3600"


def test_nginx_refuses_bodies_larger_than_the_app_accepts(stack: Stack):
    response = stack.browser().request(
        "POST", "/auth/login", body=b"x" * (6 * 1024 * 1024)
    )
    assert response.status == 413


def test_the_login_rate_limit_counts_across_both_instances(stack: Stack):
    # Ten sign-in attempts a minute per client address (RATELIMIT_LOGIN), in
    # Redis: counted per process they would allow four times as many here.
    browser = stack.browser(source="127.0.0.3")
    token = browser.csrf_token()
    statuses, served_by = [], set()
    for attempt in range(12):
        response = browser.request(
            "POST",
            "/auth/login",
            form={
                "email": f"nobody-{attempt}@example.org",
                "password": "wrong password",
                "csrf_token": token,
            },
        )
        statuses.append(response.status)
        served_by.add(upstream_port(response))
    assert served_by == set(stack.app_ports)
    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429, 429]


def test_killing_one_instance_mid_load_loses_no_request_and_no_data(
    stack: Stack, record_figure
):
    reader = stack.browser()
    assert reader.sign_in(MANAGER).status == 302
    writer = stack.browser()
    assert writer.sign_in(COORDINATOR).status == 302
    [(country_id,)] = stack.query("SELECT id FROM country WHERE code = 'HR'")
    run = uuid.uuid4().hex[:8]
    pages = ["/dashboard/", "/events/public", "/api/v1/events", "/municipalities/"]
    reads: list[int] = []
    writes: dict[str, int] = {}
    stop = threading.Event()

    def read(offset: int) -> None:
        client = Browser(stack.nginx_port, cookies=dict(reader.cookies))
        i = offset
        while not stop.is_set():
            reads.append(client.get(pages[i % len(pages)]).status)
            i += 1

    def write() -> None:
        i = 0
        while not stop.is_set():
            name = f"Deploy test {run} {i}"
            response = writer.post_form(
                "/municipalities/new",
                {"name": name, "country_id": country_id, "population": 1000 + i},
                token_from="/municipalities/new",
            )
            writes[name] = response.status
            i += 1

    threads = [threading.Thread(target=read, args=(n,)) for n in range(3)]
    threads.append(threading.Thread(target=write))
    for thread in threads:
        thread.start()
    time.sleep(3)
    stack.kill("a")
    time.sleep(4)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    failed_reads = [status for status in reads if status != 200]
    acknowledged = [name for name, status in writes.items() if status == 302]
    stored = dict(
        stack.query(
            "SELECT name, count(*) FROM municipality WHERE name LIKE %s GROUP BY name",
            f"Deploy test {run} %",
        )
    )
    record_figure(
        "deploy: one of two instances killed mid-load",
        f"{len(reads)} reads, {len(failed_reads)} failed; {len(writes)} writes,"
        f" {len(acknowledged)} acknowledged, {len(stored)} stored, "
        f"{len(writes) - len(acknowledged)} answered otherwise "
        f"({sorted({s for s in writes.values() if s != 302})})",
    )
    assert len(reads) > 50 and len(writes) > 5, "too little load to show anything"
    assert failed_reads == []
    assert set(acknowledged) <= set(stored)  # no acknowledged write is lost
    assert all(count == 1 for count in stored.values())  # none applied twice
    # A write refused mid-crash (nginx does not resend a POST) is the only
    # kind allowed to fail, and only while the instance dies.
    assert len(writes) - len(acknowledged) <= 2
    # The survivor serves alone.
    assert {upstream_port(reader.get("/dashboard/")) for _ in range(3)} == {
        stack.app_ports[1]
    }
