"""Bad input an outside tester sends (issue 11): never a 500, always a message.

Each test is the tester's own request, through the test client against the
real database: ids beyond a key's range, control characters in forms and
exports, malformed and oversized CSV uploads, and API parameters the
OpenAPI document forbids.
"""

from __future__ import annotations

import html
import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.fixtures.events import in_days
from tracker.extensions import db
from tracker.models import (
    Attendance,
    Event,
    EventKind,
    Participation,
    ParticipationRole,
    Person,
    Role,
    Testimonial,
)

# --- 1. ids beyond the range of a key --------------------------------------

TOO_LARGE_IDS = ("2147483648", "9223372036854775808", "99999999999999999999999")


@pytest.mark.parametrize("number", TOO_LARGE_IDS)
def test_api_answers_404_for_an_id_beyond_the_key_range(client, login_as, number):
    login_as(Role.ADMIN)
    for path in ("events", "municipalities", "people", "enrollments"):
        response = client.get(f"/api/v1/{path}/{number}")
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("number", TOO_LARGE_IDS)
def test_pages_answer_404_for_an_id_beyond_the_key_range(client, login_as, number):
    login_as(Role.ADMIN)
    for url in (
        f"/events/{number}",
        f"/municipalities/{number}",
        f"/people/{number}/edit",
        f"/testimonials/{number}",
        f"/admin/users/{number}",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post_form(f"/events/{number}/delete")
    assert response.status_code == 404


def test_the_largest_key_is_still_looked_up(client, login_as):
    login_as(Role.ADMIN)
    assert client.get("/api/v1/events/2147483647").status_code == 404
    assert client.get("/events/2147483647").status_code == 404


def test_only_ascii_digits_name_a_record(client, login_as, make_municipality):
    """ "꧘" (Javanese eight) or "٣" (Arabic-Indic three) are digits to int(),
    but no id: the route does not match."""
    municipality_id = make_municipality("Rijeka", "HR")
    login_as(Role.ADMIN)
    assert client.get(f"/municipalities/{municipality_id}").status_code == 200
    native = "".join(chr(0x0660 + int(d)) for d in str(municipality_id))
    for url in (f"/municipalities/{native}", f"/api/v1/municipalities/{native}"):
        assert client.get(url).status_code == 404, url
    assert client.get("/api/v1/testimonials/\ua9d8").status_code == 404


# --- 2. control characters --------------------------------------------------


@pytest.mark.parametrize(
    "bad", ["\x01", "\x1b[31m", "\x07", "\u202e", "\u2066", "\x85"]
)
def test_contact_cannot_propose_a_new_person_with_a_control_character(
    app, client, login_as, make_event, make_municipality, bad
):
    municipality = make_municipality("Rijeka")
    event_id = make_event("Upcoming study week", starts_on=in_days(20))
    login_as(Role.CONTACT, municipality_id=municipality)
    name = f"Ana{bad}Demo"
    response = client.post_form(
        f"/events/{event_id}/propose",
        {"role": "delegate", "presentation_title": "", "full_name": name},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "invisible control character" in page
    assert f"U+{ord(bad[0]):04X}" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Participation.id))) == 0
        assert db.session.scalar(select(func.count(Person.id))) == 0


def test_contact_cannot_submit_a_testimonial_with_a_bidi_override(
    app, client, login_as, make_municipality
):
    municipality = make_municipality("Rijeka")
    login_as(Role.CONTACT, municipality_id=municipality)
    response = client.post_form(
        "/testimonials/new",
        {
            "quote": "The program helped us plan.\r\nA second line is fine.",
            "person_id": "",
            "author_name": "Ana \u202eomeD",
            "author_position": "Mayor",
            "program_id": "",
            "event_id": "",
            "has_consent": "y",
            "action": "submit",
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "U+202E" in page
    assert "A second line is fine." in page  # what was typed comes back
    with app.app_context():
        assert db.session.scalar(select(func.count(Testimonial.id))) == 0


def test_multi_line_text_keeps_tabs_and_line_breaks(app, client, login_as):
    login_as(Role.COORDINATOR)
    response = client.post_form(
        "/people/new",
        {"full_name": "Tab\tInside", "position": "", "organisation": ""},
    )
    assert response.status_code == 200
    assert "must be on one line" in response.get_data(as_text=True)
    response = client.post_form(
        "/people/new",
        {"full_name": "Ana Demo-Tabić", "position": "", "organisation": ""},
    )
    assert response.status_code == 302


def test_staff_exports_survive_control_characters_already_stored(
    app, client, login_as, make_person, make_event, make_municipality
):
    municipality = make_municipality("Rijeka")
    person = make_person("Old\x01Row\x1b Demo\u202e", position="Bell\x07")
    event_id = make_event("Summit\x0b 2017")
    with app.app_context():
        db.session.add(
            Participation(
                person_id=person,
                event_id=event_id,
                municipality_id=municipality,
                role=ParticipationRole.DELEGATE,
                attendance=Attendance.ATTENDED,
            )
        )
        db.session.add(
            Testimonial(
                quote="Quote\x02 with a control character",
                author_name="Writer\x1f",
                municipality_id=municipality,
                has_consent=True,
            )
        )
        db.session.commit()
    login_as(Role.COORDINATOR)
    for url in (
        "/people/export.xlsx",
        "/events/participations/export.xlsx",
        "/testimonials/export.xlsx",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        sheet = load_workbook(io.BytesIO(response.data)).active
        text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
        assert "\ufffd" in text, url
        assert "\x01" not in text and "\x1b" not in text
    csv_text = client.get("/people/export.csv").get_data(as_text=True)
    assert "Old\ufffdRow\ufffd Demo\ufffd" in csv_text
    participants = client.get(f"/events/{event_id}/participants.csv")
    assert participants.status_code == 200
    assert "\x01" not in participants.get_data(as_text=True)


# --- helpers for the import tests ------------------------------------------

PARTICIPATION_HEADER = (
    "event_title,event_kind,event_starts_on,event_ends_on,event_city,"
    "event_country,person_full_name,person_email,person_position,municipality,"
    "municipality_country,role,presentation_title,attendance"
)


def participation_csv(rows: int, *, start: int = 0) -> str:
    lines = [PARTICIPATION_HEADER]
    for number in range(start, start + rows):
        lines.append(
            f"Training {number % 40},training,"
            f"{date(2019, 1, 1) + timedelta(days=number % 40)},,"
            f"Zagreb,,Person {number} Demo,person{number}@example.org,Officer,"
            ",,delegate,,attended"
        )
    return "\r\n".join(lines) + "\r\n"


def upload(client, content: str | bytes, button: str = "check", kind: str = "people"):
    """Post a file as a browser does; the body is encoded in memory (werkzeug's
    test builder would spool a large one to a file it does not close)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    fields = {
        "csrf_token": client.csrf_token(),
        "kind": kind,
        button: "1",
        "file": FileStorage(io.BytesIO(data), "upload.csv", content_type="text/csv"),
    }
    boundary, body = encode_multipart(MultiDict(fields))
    return client.post(
        "/admin/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


PEOPLE_HEADER = (
    "full_name,position,organisation,municipality,municipality_country,email,phone"
)


def problems(response) -> list[tuple[int, str, str]]:
    """The report's (line, column, problem) rows, as the page lists them."""
    page = response.get_data(as_text=True)
    return [
        (int(line), html.unescape(column), html.unescape(reason))
        for line, column, reason in re.findall(
            r"<tr><td>(\d+)</td><td>(.*?)</td><td>(.*?)</td></tr>", page
        )
    ]


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_import_refuses_control_characters_on_their_line(app, client, login_as):
    login_as(Role.COORDINATOR)
    content = (
        f"{PEOPLE_HEADER}\r\nAna Demo,,,,,,\r\nBad\x1bName,,,,,,\r\n"
        'Quote,"Two\nlines",,,,,\r\n'
    )
    found = problems(upload(client, content, "commit"))
    assert [(line, column) for line, column, _ in found] == [
        (3, "full_name"),
        (4, "position"),
    ]
    assert "U+001B" in found[0][2]
    assert "must be on one line" in found[1][2]
    assert count(app, Person) == 0


def test_cli_import_refuses_nul_bytes_like_the_web_page(app, runner, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(f"{PEOPLE_HEADER}\r\nAna\x00Demo,,,,,,\r\n".encode())
    result = runner.invoke(args=["import-csv", "people", str(path)])
    assert result.exit_code != 0
    assert "not a text file" in result.output
    assert count(app, Person) == 0


def test_import_refuses_a_website_the_form_refuses(app, client, login_as, make_country):
    make_country("HR", "Croatia")
    login_as(Role.COORDINATOR)
    content = (
        "country_code,country_name,name,region,population,website,address,"
        "email,phone,notes\r\nHR,Croatia,Križevci,,21000,javascript:alert(1),,,,\r\n"
        "HR,Croatia,Bjelovar,,40000,,,,+385 (0) 43 letters!,\r\n"
    )
    found = problems(upload(client, content, "commit", "municipalities"))
    assert [(line, column) for line, column, _ in found] == [
        (2, "website"),
        (3, "phone"),
    ]
    assert "http" in found[0][2]
    with app.app_context():
        from tracker.models import Municipality

        assert db.session.scalar(select(func.count(Municipality.id))) == 0


# --- 3. malformed CSV ------------------------------------------------------


def test_a_field_over_the_csv_limit_is_a_line_error(app, client, login_as):
    login_as(Role.COORDINATOR)
    content = f'{PEOPLE_HEADER}\r\nAna Demo,,,,,,\r\n"{"x" * 140_000}",,,,,,\r\n'
    response = upload(client, content)
    assert response.status_code == 200
    [(line, _, reason)] = problems(response)
    assert line == 3 and "longer than" in reason
    assert count(app, Person) == 0


def test_an_unclosed_quote_followed_by_many_rows_is_a_line_error(client, login_as):
    login_as(Role.COORDINATOR)
    rows = "".join(f"Person {n} Demo,,,,,,\r\n" for n in range(8000))
    content = f'{PEOPLE_HEADER}\r\nAna Demo,,,,,,\r\n"Never closed,,,,,,\r\n{rows}'
    response = upload(client, content)
    assert response.status_code == 200
    [(line, _, reason)] = problems(response)
    assert line == 3 and "quote" in reason


def test_a_lone_cr_inside_a_field_is_not_a_500(app, client, login_as):
    login_as(Role.COORDINATOR)
    content = f'{PEOPLE_HEADER}\r\nAna\rDemo,,,,,,\r\n"Quoted\rName",,,,,,\r\n'
    response = upload(client, content, "commit")
    assert response.status_code == 200
    # Unquoted, a lone CR ends the row (as in old-Mac files): "Ana" alone
    # lacks the other columns. Quoted, it is a line break in a one-line field.
    found = problems(response)
    assert [line for line, _, _ in found] == [2, 4]
    assert "must be on one line" in found[1][2]
    assert count(app, Person) == 0


def test_old_mac_cr_only_files_import_on_the_page_and_the_cli(
    app, client, login_as, runner, tmp_path
):
    login_as(Role.COORDINATOR)
    content = f"{PEOPLE_HEADER}\rAna Demo,,,,,,\rBoris Demo,,,,,,\r"
    response = upload(client, content, "commit")
    assert response.status_code == 200
    assert "Imported" in response.get_data(as_text=True)
    with app.app_context():
        names = set(db.session.scalars(select(Person.full_name)))
    assert names == {"Ana Demo", "Boris Demo"}
    path = tmp_path / "mac.csv"
    path.write_bytes(f"{PEOPLE_HEADER}\rCecilia Demo,,,,,,\r".encode())
    result = runner.invoke(args=["import-csv", "people", str(path)])
    assert result.exit_code == 0, result.output
    assert count(app, Person) == 3


# --- 4. duplicate headers -----------------------------------------------


def test_a_repeated_column_is_refused_by_name(app, client, login_as):
    login_as(Role.COORDINATOR)
    content = f"{PEOPLE_HEADER},full_name\r\nAna Demo,,,,,,,Boris Demo\r\n"
    [(line, column, reason)] = problems(upload(client, content, "commit"))
    assert (line, column) == (1, "full_name")
    assert "more than once" in reason
    assert count(app, Person) == 0


# --- 5. size ------------------------------------------------------------


def test_more_than_20000_rows_is_refused_with_the_limit(app, client, login_as):
    login_as(Role.COORDINATOR)
    content = f"{PEOPLE_HEADER}\r\n" + "".join(
        f"P{n},,,,,,\r\n" for n in range(100_000)
    )
    response = upload(client, content, "commit")
    assert response.status_code == 200
    [(line, _, reason)] = problems(response)
    assert line == 20_002 and "more than 20,000 rows" in reason
    assert count(app, Person) == 0


def test_participations_import_in_one_batch_with_an_audit_entry_per_row(
    app, client, login_as
):
    from tracker.audit import verify_chain
    from tracker.models import AuditEntry

    login_as(Role.COORDINATOR)
    content = participation_csv(300)
    checked = upload(client, content, "check", "participations")
    assert "Checked: ready to import" in checked.get_data(as_text=True)
    assert count(app, Participation) == 0
    imported = upload(client, content, "commit", "participations")
    assert "Imported" in imported.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Participation.id))) == 300
        assert db.session.scalar(select(func.count(Person.id))) == 300
        assert db.session.scalar(select(func.count(Event.id))) == 40
        created = db.session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.action == "create",
                AuditEntry.entity_type.in_(["participation", "person", "event"]),
            )
        )
        assert created == 640
        assert verify_chain(db.session) is None
        event = db.session.scalar(select(Event).where(Event.title == "Training 1"))
        assert event.kind == EventKind.TRAINING
        assert event.starts_on == date(2019, 1, 2)
    again = upload(client, content, "commit", "participations")
    assert "300 already present" in again.get_data(as_text=True)
    assert count(app, Participation) == 300


# --- 6. the API refuses what its own document forbids ------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/events?country=",
        "/api/v1/events?when=",
        "/api/v1/events?country=0",
        "/api/v1/testimonials?country=0",
        "/api/v1/people?country=",
        "/api/v1/events?year=1899",
        "/api/v1/events?page=1000001",
        "/api/v1/municipalities?page=1_0",
        "/api/v1/events?program=A%20B",
    ],
)
def test_api_refuses_values_its_document_forbids(client, login_as, url):
    login_as(Role.ADMIN)
    response = client.get(url)
    assert response.status_code == 400, url
    assert response.get_json()["error"]["code"] == "bad_request"


def test_api_still_accepts_what_its_document_allows(client, login_as):
    login_as(Role.ADMIN)
    for url in (
        "/api/v1/events?country=hr&when=past&year=2017&program=ACP&page=1000000",
        "/api/v1/municipalities?q=&page=2",
        "/api/v1/testimonials?country=XK",
    ):
        assert client.get(url).status_code == 200, url


def test_openapi_declares_the_limits_and_the_429(client):
    document = client.get("/api/v1/openapi.json").get_json()
    parameters = document["components"]["parameters"]
    assert parameters["page"]["schema"]["maximum"] == 1_000_000
    events = {
        p.get("name"): p for p in document["paths"]["/events"]["get"]["parameters"]
    }
    assert events["year"]["schema"]["minimum"] == 1900
    assert events["country"]["schema"]["pattern"] == "^[A-Za-z]{2}$"
    assert "pattern" in events["program"]["schema"]
    too_many = document["components"]["responses"]["TooManyRequests"]
    assert "Retry-After" in too_many["headers"]
    for path, operations in document["paths"].items():
        for operation in operations.values():
            if operation.get("security") == []:
                assert "429" not in operation["responses"], path
            else:
                assert "429" in operation["responses"], path
