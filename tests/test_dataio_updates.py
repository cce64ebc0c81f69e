"""Imports that update: a row matching an existing record changes it, shown in
the check first; likely duplicates wait for a confirmation."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Municipality, Person, Role


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(True)).split())


def upload(client, kind: str, content: str, button: str, **extra: str):
    return client.post_form(
        "/admin/import",
        {
            "kind": kind,
            button: "1",
            "file": (io.BytesIO(content.encode()), f"{kind}.csv"),
            **extra,
        },
        content_type="multipart/form-data",
    )


def edited(export: str, name: str, **changes: str) -> str:
    """The exported CSV with ``changes`` made in the row named ``name``."""
    rows = list(csv.DictReader(io.StringIO(export.lstrip("\ufeff"))))
    for row in rows:
        if name in (row.get("name"), row.get("full_name")):
            row.update(changes)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def municipality(app, municipality_id: int) -> Municipality:
    with app.app_context():
        return db.session.get(Municipality, municipality_id)


@pytest.fixture
def rijeka(make_country, make_municipality):
    make_country("HR", "Croatia")
    return make_municipality(
        "Rijeka", "HR", region="Primorje-Gorski Kotar", population=128_624
    )


def test_export_edit_population_reimport_updates_it_and_the_audit_shows_it(
    app, client, login_as, rijeka, audit_entries
):
    login_as(Role.COORDINATOR)
    export = client.get("/municipalities/export.csv").get_data(True)
    content = edited(export, "Rijeka", population="130000")

    checked = upload(client, "municipalities", content, "check")
    assert "update: population 128,624 → 130,000" in text_of(checked)
    assert municipality(app, rijeka).population == 128_624

    imported = upload(client, "municipalities", content, "commit")
    assert "Imported" in text_of(imported)
    assert "1 existing record is updated." in text_of(imported)
    assert municipality(app, rijeka).population == 130_000
    assert municipality(app, rijeka).region == "Primorje-Gorski Kotar"
    last = audit_entries("municipality", rijeka)[-1]
    assert last.action == "update"
    assert last.changes["population"] == [128_624, 130_000]


def test_numbers_in_the_check_follow_the_readers_locale(client, login_as, rijeka):
    login_as(Role.COORDINATOR, locale="hr")
    content = "country_code,name,population\r\nHR,Rijeka,130000\r\n"
    checked = upload(client, "municipalities", content, "check")
    assert "128.624 → 130.000" in text_of(checked)


def test_a_column_left_out_of_the_file_changes_nothing(app, client, login_as, rijeka):
    login_as(Role.ADMIN)
    content = "country_code,name,region\r\nHR,Rijeka,Kvarner\r\n"
    assert "Imported" in text_of(upload(client, "municipalities", content, "commit"))
    after = municipality(app, rijeka)
    assert after.region == "Kvarner"
    assert after.population == 128_624  # no population column: kept


def test_a_stale_version_refuses_the_whole_import(
    app, client, login_as, rijeka, make_municipality
):
    make_municipality("Pula", "HR", population=52_000)
    login_as(Role.COORDINATOR)
    export = client.get("/municipalities/export.csv").get_data(True)
    with app.app_context():
        db.session.get(Municipality, rijeka).phone = "+385 51 209 000"
        db.session.commit()
    content = edited(edited(export, "Rijeka", population="1"), "Pula", region="Istra")
    refused = upload(client, "municipalities", content, "commit")
    page = text_of(refused)
    assert "Not imported" in page
    assert "was changed after the file was exported; export it again" in page
    assert municipality(app, rijeka).population == 128_624
    with app.app_context():
        pula = db.session.scalar(
            select(Municipality).where(Municipality.name == "Pula")
        )
        assert pula.region == ""


def test_the_check_lists_likely_duplicates_and_the_import_waits_for_a_confirm(
    app, client, login_as, make_country, make_municipality
):
    make_country("RS", "Serbia")
    sabac = make_municipality("Šabac", "RS", population=115_884)
    login_as(Role.COORDINATOR)
    content = (
        "country_code,name,population\r\nRS,Sabac,1000\r\nRS,Valjevo,90000\r\n"
        "RS,Šabac,120000\r\n"
    )
    checked = upload(client, "municipalities", content, "check")
    page = text_of(checked)
    assert "Šabac, Serbia already exists." in page
    assert f'href="/municipalities/{sabac}"' in checked.get_data(True)
    assert "update: population 115,884 → 120,000" in page

    waiting = upload(client, "municipalities", content, "commit")
    assert "Not imported: confirm the likely duplicates" in text_of(waiting)
    with app.app_context():
        assert db.session.scalar(select(func.count(Municipality.id))) == 1

    confirmed = upload(
        client, "municipalities", content, "commit", confirm_duplicates="y"
    )
    assert "Imported" in text_of(confirmed)
    with app.app_context():
        assert db.session.scalar(select(func.count(Municipality.id))) == 3
        assert db.session.get(Municipality, sabac).population == 120_000


def test_people_are_updated_by_email_and_duplicates_listed_within_a_municipality(
    app, client, login_as, rijeka, make_person
):
    ana = make_person(
        "Ana Horvat", municipality_id=rijeka, email="ana@rijeka.example.org"
    )
    make_person("Marko Đurić", municipality_id=rijeka)
    login_as(Role.COORDINATOR)
    content = (
        "full_name,position,municipality,municipality_country,email\r\n"
        "Ana Horvat,Mayor,Rijeka,HR,ana@rijeka.example.org\r\n"
        "Marko Djuric,,Rijeka,HR,\r\n"
    )
    checked = upload(client, "people", content, "check")
    page = text_of(checked)
    assert "update: position — → Mayor" in page
    assert "Marko Đurić, Rijeka already exists." in page
    confirmed = upload(client, "people", content, "commit", confirm_duplicates="y")
    assert "Imported" in text_of(confirmed)
    with app.app_context():
        assert db.session.get(Person, ana).position == "Mayor"
        assert (
            db.session.scalar(
                select(func.count(Person.id)).where(Person.full_name == "Marko Djuric")
            )
            == 1
        )


def test_the_command_line_import_updates_and_asks_about_duplicates(
    app, runner, rijeka, make_country, make_municipality, tmp_path
):
    make_country("RS", "Serbia")
    make_municipality("Šabac", "RS")
    path = tmp_path / "towns.csv"
    path.write_text(
        "country_code,name,population\r\nHR,Rijeka,130000\r\nRS,Sabac,1\r\n",
        encoding="utf-8",
    )
    dry = runner.invoke(args=["import-csv", "municipalities", str(path), "--dry-run"])
    assert "update Rijeka, Croatia: population 128,624 -> 130,000" in dry.output
    assert "likely duplicate: Sabac (Šabac, Serbia already exists)" in dry.output
    refused = runner.invoke(args=["import-csv", "municipalities", str(path)])
    assert refused.exit_code != 0
    assert "--confirm-duplicates" in refused.output
    assert municipality(app, rijeka).population == 128_624
    done = runner.invoke(
        args=["import-csv", "municipalities", str(path), "--confirm-duplicates"]
    )
    assert done.exit_code == 0, done.output
    assert "1 new, 1 updated, 0 already present" in done.output
    assert municipality(app, rijeka).population == 130_000
