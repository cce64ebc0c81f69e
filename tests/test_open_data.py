"""The public home page's figures and open data: right, and never personal."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import deque
from datetime import date, timedelta
from urllib.parse import urldefrag, urlsplit

import pytest
from sqlalchemy import select

from tests.fixtures.dashboards import build_dataset, counting_queries, ids_for_parameter
from tracker import models
from tracker.audit import acting_as
from tracker.extensions import db
from tracker.models import (
    Enrollment,
    Event,
    Municipality,
    Person,
    Program,
    TestimonialStatus,
    User,
)
from tracker.public.open_data import DATASETS, scrub

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# +385 51 000 100, +381-11-555-0101, (011) 555 0101, 051/000-000
PHONE = re.compile(
    r"\+\d{1,3}[\s./-]*\(?\d{1,4}\)?(?:[\s./-]*\d{2,4}){2,}"
    r"|\(0\d{1,3}\)\s*\d{3}[\s-]?\d{3,4}"
    r"|\b0\d{1,3}[/-]\d{3}[\s-]?\d{3,4}\b"
)


@pytest.fixture
def world(app):
    """The demo seed plus the varied dashboard dataset, with secrets to look for."""
    from tracker.seed import seed_demo

    with app.app_context(), acting_as("tests"):
        seed_demo(db.session)
        data = build_dataset(db.session)
        db.session.add(
            models.Testimonial(
                quote="UNPUBLISHED-QUOTE: waiting for review.",
                author_name="Hidden Author",
                municipality_id=data.municipalities[0],
                has_consent=True,
                status=TestimonialStatus.SUBMITTED,
                submitted_at=models.utcnow(),
            )
        )
        leaky = db.session.get(Event, data.events[0])
        leaky.is_public = True
        leaky.title = "Workshop, contact organiser@example.org or +385 1 222 3333"
        leaky.venue = "Room 2, call 051/000-111"
        db.session.commit()
    return data


def _secrets(app) -> set[str]:
    """Every e-mail, phone and unpublished quote in the database."""
    with app.app_context():
        values = set()
        for column in (
            Municipality.email,
            Municipality.phone,
            Person.email,
            Person.phone,
            User.email,
        ):
            values.update(v for v in db.session.scalars(select(column)) if v)
        values.update(
            db.session.scalars(
                select(models.Testimonial.quote).where(
                    models.Testimonial.status != TestimonialStatus.APPROVED
                )
            )
        )
        values.update(
            db.session.scalars(
                select(models.Testimonial.author_name).where(
                    models.Testimonial.status != TestimonialStatus.APPROVED,
                    models.Testimonial.author_name.like("Hidden%"),
                )
            )
        )
    return values


def _public_start_urls(app) -> list[str]:
    """Every public GET route, its parameters filled with ids of every kind."""
    urls = []
    with app.app_context():
        for rule in app.url_map.iter_rules():
            view = app.view_functions[rule.endpoint]
            if (
                getattr(view, "access_rule", None) != "public"
                or "GET" not in rule.methods
            ):
                continue
            if not rule.arguments:
                urls.append(rule.rule)
                continue
            if rule.endpoint == "public.open_data_file":
                urls += [
                    f"/open-data/{name}.{ext}"
                    for name in DATASETS
                    for ext in ("csv", "json")
                ]
                continue
            names = sorted(rule.arguments)
            if len(names) == 1 and names[0].endswith("_id"):
                for record_id in ids_for_parameter(db.session, names[0]):
                    with app.test_request_context():
                        from flask import url_for

                        urls.append(url_for(rule.endpoint, **{names[0]: record_id}))
    return urls


def test_no_public_page_or_open_data_file_shows_personal_data(
    app, world, record_figure
):
    """Walk every public page (following links) and every open-data file as
    anonymous, looking for e-mail addresses, phone numbers and unpublished
    testimonials."""
    secrets = _secrets(app)
    assert any("@" in s for s in secrets) and any(s.startswith("+") for s in secrets)
    client = app.test_client()
    queue = deque(_public_start_urls(app))
    seen: set[str] = set()
    problems = []
    while queue and len(seen) < 600:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code in (301, 302, 303):
            location = response.headers["Location"]
            if urlsplit(location).netloc in ("", "localhost"):
                queue.append(urlsplit(location).path or "/")
            continue
        # Public documents are binary (a JPEG photo): read them as text too,
        # so an address inside a file is still found.
        text = response.get_data().decode("utf-8", "replace")
        for pattern, kind in ((EMAIL, "e-mail"), (PHONE, "phone")):
            for match in pattern.finditer(text):
                problems.append(f"{url}: {kind} {match.group(0)!r}")
        problems += [f"{url}: {secret!r}" for secret in secrets if secret in text]
        if response.mimetype == "text/html":
            for href in re.findall(r'href="(/[^"]*)"', text):
                path = urldefrag(href.replace("&amp;", "&"))[0]
                if not path.startswith(("/static/", "/auth/logout")):
                    queue.append(path)
    record_figure("public pages and open-data files walked", len(seen))
    assert problems == []
    assert {"/", "/open-data", "/open-data/events.csv", "/api/v1/openapi.json"} <= seen


def test_scrub_removes_contact_details_from_free_text():
    text = "Write to a.b@mail.example.org, call +385 51 000 100 or 051/000-111."
    assert scrub(text) == "Write to [removed], call [removed] or [removed]."
    assert scrub("Smart City Week 2017, 4-8 September, 24 projects") == (
        "Smart City Week 2017, 4-8 September, 24 projects"
    )


def _expected_public(app):
    today = date.today()
    with app.app_context():
        enrollments = db.session.scalars(select(Enrollment)).all()
        events = db.session.scalars(select(Event)).all()
        testimonials = db.session.scalars(select(models.Testimonial)).all()
        programs = db.session.scalars(select(Program)).all()
        return {
            "figures": {
                "municipalities_engaged": len({e.municipality_id for e in enrollments}),
                "countries": len({e.municipality.country_id for e in enrollments}),
                "public_events_held": sum(
                    1 for e in events if e.is_public and e.starts_on <= today
                ),
                "testimonials_published": sum(
                    1 for t in testimonials if t.status == TestimonialStatus.APPROVED
                ),
            },
            "stages": {
                (p.code, s.code): sum(
                    1 for e in enrollments if e.current_stage_id == s.id
                )
                for p in programs
                for s in p.stages
            },
            "countries": {
                (c, p): sum(
                    1
                    for e in enrollments
                    if e.municipality.country.code == c and e.program.code == p
                )
                for c, p in {
                    (e.municipality.country.code, e.program.code) for e in enrollments
                }
            },
            "public_events": sorted(e.id for e in events if e.is_public),
        }


def test_home_page_shows_the_programs_figures(app, client, world):
    expected = _expected_public(app)
    html = client.get("/").get_data(as_text=True)
    shown = {
        key: int(value.replace(",", ""))
        for key, value in re.findall(
            r'data-figure="(\w+)">\s*<div class="card-body">\s*'
            r'<p class="display-6 mb-1 figure-value">([\d,]+)</p>',
            html,
        )
    }
    assert shown == expected["figures"]
    assert all(shown.values())
    for (program, stage), n in expected["stages"].items():
        pattern = (
            rf'data-program="{program}">.*?<tr data-stage="{stage}"><th scope="row">'
            rf'[^<]*</th><td class="text-end">{n}</td>'
        )
        assert re.search(pattern, html, re.S), (program, stage, n)
    assert "FEATURED TESTIMONIALS" not in html  # the marker is a template comment


def test_open_data_page_lists_every_dataset_with_its_dictionary(client):
    html = client.get("/open-data").get_data(as_text=True)
    assert html.count("<h1>") == 1
    for dataset in DATASETS.values():
        assert f"/open-data/{dataset.name}.csv" in html
        assert f"/open-data/{dataset.name}.json" in html
        for field in dataset.fields:
            assert f"<td>{field.name}</td>" in html


@pytest.mark.parametrize("name", list(DATASETS))
def test_csv_and_json_files_hold_the_same_rows(client, world, name):
    dataset = DATASETS[name]
    names = [field.name for field in dataset.fields]
    csv_response = client.get(f"/open-data/{name}.csv")
    assert csv_response.status_code == 200
    assert csv_response.data.startswith(b"\xef\xbb\xbf")
    assert "attachment" in csv_response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(csv_response.data.decode("utf-8-sig"))))
    json_response = client.get(f"/open-data/{name}.json")
    assert json_response.status_code == 200
    body = json.loads(json_response.data)
    assert [field["name"] for field in body["fields"]] == names
    assert len(rows) == len(body["items"]) > 0
    for row, item in zip(rows, body["items"], strict=True):
        assert list(row) == names
        assert sorted(item) == sorted(names)
        assert row == {k: "" if v is None else str(v) for k, v in item.items()}


def test_open_data_figures_match_the_database(app, client, world):
    expected = _expected_public(app)
    figures = client.get("/open-data/figures.json").get_json()["items"]
    assert {row["figure"]: row["value"] for row in figures} == expected["figures"]
    stages = client.get("/open-data/enrollments-by-stage.json").get_json()["items"]
    assert {
        (row["program_code"], row["stage_code"]): row["municipalities"]
        for row in stages
    } == expected["stages"]
    countries = client.get("/open-data/enrollments-by-country.json").get_json()["items"]
    assert {
        (row["country_code"], row["program_code"]): row["municipalities"]
        for row in countries
    } == expected["countries"]
    events = client.get("/open-data/events.json").get_json()["items"]
    assert sorted(row["id"] for row in events) == expected["public_events"]
    leaky = next(row for row in events if row["id"] == world.events[0])
    assert leaky["title"] == "Workshop, contact [removed] or [removed]"
    assert leaky["venue"] == "Room 2, call [removed]"


def test_unknown_dataset_or_format_is_not_found(client):
    assert client.get("/open-data/people.csv").status_code == 404
    assert client.get("/open-data/events.xml").status_code == 404


def test_home_page_query_count_is_fixed(app, client, db_connection, record_figure):
    counts = []
    for tag, scale in (("small", 1), ("large", 3)):
        with app.app_context(), acting_as("tests"):
            build_dataset(db.session, scale=scale, tag=tag)
            db.session.commit()
        with counting_queries(db_connection) as statements:
            assert client.get("/").status_code == 200
        counts.append(len(statements))
    record_figure(
        "public home SQL queries, small vs 4x data", f"{counts[0]} vs {counts[1]}"
    )
    # Figures computed afresh (each build is a write, so the cache misses),
    # the cache key (the audit trail's head) and the featured testimonials.
    assert counts[0] == counts[1] <= 6


def test_upcoming_public_events_are_listed_but_not_counted_as_held(app, client):
    with app.app_context(), acting_as("tests"):
        db.session.add(
            Event(
                title="Next summit",
                kind="summit",
                starts_on=date.today() + timedelta(days=10),
                ends_on=date.today() + timedelta(days=11),
                is_public=True,
            )
        )
        db.session.commit()
    figures = client.get("/open-data/figures.json").get_json()["items"]
    assert {row["figure"]: row["value"] for row in figures}["public_events_held"] == 0
    titles = [
        row["title"] for row in client.get("/open-data/events.json").get_json()["items"]
    ]
    assert titles == ["Next summit"]


@pytest.mark.parametrize(
    "text",
    [
        "upp@rijeka.example.org",
        "+385 51 000 100",
        "+381-11-555-0101",
        "(011) 555 0101",
        "051/000-111",
    ],
)
def test_the_walk_would_notice_contact_details(text):
    assert EMAIL.search(text) or PHONE.search(text)


@pytest.mark.parametrize(
    "text", ["2017-09-04", "1,197,700", "4–8 September 2017", "51000 Rijeka", "+20"]
)
def test_the_walk_ignores_dates_and_counts(text):
    assert not EMAIL.search(text) and not PHONE.search(text)
