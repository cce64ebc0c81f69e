"""CSV import and export: round trips, all-or-nothing imports, the upload page."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from sqlalchemy import func, select

from tracker.dataio.engine import export_rows, import_csv
from tracker.dataio.registry import KINDS
from tracker.extensions import db
from tracker.models import (
    Attendance,
    Country,
    Event,
    EventKind,
    Municipality,
    Participation,
    ParticipationRole,
    Person,
    Role,
)
from tracker.tabular import csv_chunks


def _build_world() -> None:
    croatia = Country(code="HR", name="Croatia")
    korea = Country(code="KR", name="Korea, Republic of")
    rijeka = Municipality(
        name="Rijeka",
        country=croatia,
        population=108_622,
        email="upp@rijeka.example.org",
        phone="+385 51 000 100",
        notes="=SUM(A1:A2) is not a formula here",
    )
    shkoder = Municipality(
        name="Shkodër", country=Country(code="AL", name="Albania"), population=135_000
    )
    ivana = Person(
        full_name="Ivana Demo-Horvat",
        municipality=rijeka,
        email="ivana@rijeka.example.org",
        position="Coordinator",
    )
    outsider = Person(full_name="Tomás Demo-Ortega", organisation="World Bank (demo)")
    seoul = Event(
        title="Smart City Week",
        kind=EventKind.STUDY_WEEK,
        starts_on=date(2017, 9, 4),
        ends_on=date(2017, 9, 8),
        city="Seoul",
        country=korea,
    )
    db.session.add_all([rijeka, shkoder, ivana, outsider, seoul])
    db.session.add_all(
        [
            Participation(
                person=ivana,
                event=seoul,
                municipality=rijeka,
                role=ParticipationRole.PRESENTER,
                attendance=Attendance.ATTENDED,
                presentation_title="Open Data Portal",
            ),
            Participation(
                person=outsider,
                event=seoul,
                role=ParticipationRole.SPEAKER,
                attendance=Attendance.ATTENDED,
            ),
        ]
    )
    db.session.flush()


def _export(kind: str) -> str:
    return "".join(
        csv_chunks(KINDS[kind].columns, export_rows(db.session, KINDS[kind]))
    )


def _snapshot() -> dict[str, set]:
    return {
        kind: {
            tuple(str(v) for v in row) for row in export_rows(db.session, KINDS[kind])
        }
        for kind in ("municipalities", "people", "participations")
    }


def test_export_then_import_into_an_empty_database_gives_the_same_rows(app):
    with app.app_context():
        _build_world()
        files = {kind: _export(kind) for kind in KINDS}
        before = _snapshot()
        for model in (Participation, Event, Person, Municipality, Country):
            for row in db.session.scalars(select(model)):
                db.session.delete(row)
            db.session.flush()
        assert db.session.scalar(select(func.count(Municipality.id))) == 0
        # Country names come back from the municipality file; Korea, an event
        # host only, must exist before its event does.
        db.session.add(Country(code="KR", name="Korea, Republic of"))
        for kind in ("municipalities", "people", "participations"):
            report = import_csv(db.session, KINDS[kind], files[kind], commit=True)
            assert report.ok, report.problems
        assert _snapshot() == before
        again = import_csv(db.session, KINDS["people"], files["people"], commit=True)
        assert (again.created, again.matched) == (0, 2)
        db.session.rollback()


def test_three_bad_rows_among_a_hundred_import_nothing(app, make_country):
    make_country("HR", "Croatia")
    rows = [KINDS["municipalities"].columns[:-1]]  # no version column
    for i in range(100):
        rows.append(
            ("HR", "Croatia", f"Town {i:03}", "", str(1000 + i), "", "", "", "", "")
        )
    rows[11] = ("HR", "Croatia", "Town bad number", "", "many", "", "", "", "", "")
    rows[42] = (
        "HR",
        "Croatia",
        "Town bad mail",
        "",
        "",
        "",
        "",
        "not-an-email",
        "",
        "",
    )
    rows[77] = ("H", "Croatia", "Town bad country", "", "", "", "", "", "", "")
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    with app.app_context():
        report = import_csv(
            db.session, KINDS["municipalities"], buffer.getvalue(), commit=True
        )
        db.session.commit()
        assert [(p.line, p.column) for p in report.problems] == [
            (12, "population"),
            (43, "email"),
            (78, "country_code"),
        ]
        assert db.session.scalar(select(func.count(Municipality.id))) == 0


def test_csv_export_has_a_bom_and_defuses_formulas(app):
    with app.app_context():
        _build_world()
        text = _export("municipalities")
        db.session.rollback()
    assert text.startswith("\ufeffcountry_code,")
    assert "'=SUM(A1:A2)" in text
    assert "Shkodër" in text


def test_coordinator_checks_then_imports_through_the_page(
    client, login_as, make_country
):
    make_country("HR", "Croatia")
    login_as(Role.COORDINATOR)
    content = (
        "country_code,country_name,name,region,population,website,address,"
        "email,phone,notes\r\nHR,Croatia,Križevci,,21000,,,,,\r\n"
    ).encode()

    def upload(button: str):
        return client.post_form(
            "/admin/import",
            {
                "kind": "municipalities",
                button: "1",
                "file": (io.BytesIO(content), "towns.csv"),
            },
            content_type="multipart/form-data",
        )

    checked = upload("check")
    assert b"Checked: ready to import" in checked.data
    imported = upload("commit")
    assert b"Imported" in imported.data
    with client.application.app_context():
        assert (
            db.session.scalar(
                select(func.count(Municipality.id)).where(
                    Municipality.name == "Križevci"
                )
            )
            == 1
        )


def test_the_upload_page_refuses_files_that_are_not_csv_text(client, login_as):
    login_as(Role.ADMIN)
    response = client.post_form(
        "/admin/import",
        {
            "kind": "people",
            "commit": "1",
            "file": (io.BytesIO(b"\x89PNG\r\n\x00\x00"), "photo.png"),
        },
        content_type="multipart/form-data",
    )
    assert b"Only .csv files can be imported." in response.data
    response = client.post_form(
        "/admin/import",
        {
            "kind": "people",
            "commit": "1",
            "file": (io.BytesIO(b"full_name\x00"), "sneaky.csv"),
        },
        content_type="multipart/form-data",
    )
    assert b"not a text file" in response.data


def test_template_download(client, login_as):
    login_as(Role.COORDINATOR)
    response = client.get("/admin/import/participations/template.csv")
    assert response.status_code == 200
    assert response.data.decode("utf-8-sig").startswith("event_title,event_kind")
    assert client.get("/admin/import/users/template.csv").status_code == 404


def test_cli_import_and_export(app, runner, tmp_path, make_country):
    make_country("HR", "Croatia")
    source = tmp_path / "in.csv"
    source.write_text(
        "\ufeffcountry_code,country_name,name,region,population,website,address,"
        "email,phone,notes\nHR,Croatia,Zagreb,,767000,,,,,\nHR,Croatia,,,,,,,,\n",
        encoding="utf-8",
    )
    failed = runner.invoke(args=["import-csv", "municipalities", str(source)])
    assert failed.exit_code != 0
    assert "line 3, name: is required" in failed.output
    source.write_text(
        source.read_text(encoding="utf-8").rsplit("\n", 2)[0] + "\n", encoding="utf-8"
    )
    dry = runner.invoke(args=["import-csv", "municipalities", str(source), "--dry-run"])
    assert "Checked, nothing written: 1 rows: 1 new" in dry.output
    done = runner.invoke(args=["import-csv", "municipalities", str(source)])
    assert "Imported: 1 rows: 1 new" in done.output, done.output
    target = tmp_path / "out.csv"
    exported = runner.invoke(args=["export-csv", "municipalities", str(target)])
    assert "1 municipalities written" in exported.output
    assert "Zagreb" in target.read_text(encoding="utf-8-sig")


def test_list_exports_follow_the_page_filters(client, login_as, app):
    from openpyxl import load_workbook

    with app.app_context():
        _build_world()
        db.session.add(
            Event(
                title="Mayors Symposium",
                kind=EventKind.CONFERENCE,
                starts_on=date(2014, 2, 10),
                ends_on=date(2014, 2, 12),
            )
        )
        db.session.commit()
    login_as(Role.MANAGER)
    response = client.get("/events/export.csv?kind=study_week")
    text = response.data.decode("utf-8-sig")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "Smart City Week" in text and "Mayors Symposium" not in text
    workbook = load_workbook(io.BytesIO(client.get("/events/export.xlsx").data))
    titles = [row[1] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert sorted(titles) == ["Mayors Symposium", "Smart City Week"]
    people = client.get("/events/participations/export.csv?attendance=attended")
    lines = people.data.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 3 and "Ivana Demo-Horvat" in people.data.decode()
    assert client.get("/events/export.pdf").status_code == 404


def test_every_list_offers_its_download_to_staff_only(
    client, login_as, make_municipality
):
    municipality_id = make_municipality("Tivat")
    login_as(Role.MANAGER)
    for page, export in (
        ("/municipalities/?q=Tiv", "/municipalities/export.csv?q=Tiv"),
        ("/people/", "/people/export.csv"),
        ("/events/", "/events/export.csv"),
        ("/testimonials/", "/testimonials/export.csv"),
    ):
        html = client.get(page).data.decode()
        assert f'href="{export}"' in html, page
        assert client.get(export).status_code == 200
    body = client.get("/municipalities/export.csv?q=Tiv").data.decode("utf-8-sig")
    assert body.count("\r\n") == 2 and "Tivat" in body
    client.post_form("/auth/logout")
    login_as(Role.CONTACT, municipality_id=municipality_id)
    assert "export.csv" not in client.get("/municipalities/").data.decode()


def test_enrollment_export_holds_the_filtered_rows(client, login_as, app):
    from tracker.seed import seed_demo

    with app.app_context():
        seed_demo(db.session)
        db.session.commit()
    login_as(Role.MANAGER)
    text = client.get("/enrollments/export.csv?program=ACP&stage=diagnosis").data
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert rows[0][:6] == [
        "id",
        "municipality",
        "country",
        "program",
        "cohort",
        "stage",
    ]
    assert rows[1:] and all(
        row[3] == "ACP" and row[5] == "Diagnosis" for row in rows[1:]
    )
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", row[6]) for row in rows[1:])
