"""XLSX downloads are for people: typed date cells, headers and values in
words, widths, a frozen header row and a sheet named after the list. CSV
stays machine-readable (codes, snake_case, the formula guard)."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import load_workbook

from tracker.models import Attendance, Role


def workbook_of(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    return load_workbook(io.BytesIO(response.data))


def rows_by_header(sheet) -> list[dict]:
    rows = list(sheet.iter_rows())
    header = [cell.value for cell in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def test_event_xlsx_has_date_cells_words_widths_and_a_frozen_header(
    client, login_as, make_event, make_country
):
    country = make_country("KR", "Korea")
    make_event(
        "Smart City Week",
        starts_on=date(2017, 9, 4),
        ends_on=date(2017, 9, 8),
        country_id=country,
        is_public=True,
    )
    login_as(Role.MANAGER)
    workbook = workbook_of(client, "/events/export.xlsx")
    sheet = workbook.active
    assert sheet.title == "Events"
    assert sheet.freeze_panes == "A2"
    [row] = rows_by_header(sheet)
    assert list(row)[:5] == ["Number", "Title", "Kind", "Starts on", "Ends on"]
    starts = row["Starts on"]
    assert starts.is_date and starts.value == datetime(2017, 9, 4)
    assert row["Ends on"].is_date and row["Ends on"].value == datetime(2017, 9, 8)
    assert row["Kind"].value == "Workshop"
    assert row["Country"].value == "South Korea"
    assert row["Public"].value == "Yes"
    assert sheet.column_dimensions["B"].width >= len("Smart City Week")
    # The CSV of the same list keeps its codes and column names.
    text = client.get("/events/export.csv").data.decode("utf-8-sig")
    assert text.startswith("id,title,kind,starts_on,ends_on,city,country")
    assert ",workshop,2017-09-04,2017-09-08," in text and ",KR," in text


def test_xlsx_strings_are_typed_text_without_the_csv_formula_guard(
    client, login_as, make_municipality
):
    make_municipality("Rijeka", phone="+385 51 209 000", notes="=1+2")
    login_as(Role.COORDINATOR)
    sheet = workbook_of(client, "/municipalities/export.xlsx").active
    assert sheet.title == "Municipalities"
    [row] = rows_by_header(sheet)
    assert row["Phone"].value == "+385 51 209 000"
    assert row["Phone"].data_type == "s"
    assert row["Notes"].value == "=1+2" and row["Notes"].data_type == "s"
    assert row["Country code"].value == "HR"
    csv_text = client.get("/municipalities/export.csv").data.decode("utf-8-sig")
    assert "'+385 51 209 000" in csv_text and "'=1+2" in csv_text


def test_participation_xlsx_reads_roles_and_attendance_in_words(
    client, login_as, make_event, make_person, make_municipality, make_participation
):
    rijeka = make_municipality("Rijeka")
    person = make_person("Ivana Demo-Horvat", municipality_id=rijeka)
    event = make_event("Smart City Week", starts_on=date(2017, 9, 4))
    make_participation(event, person, attendance=Attendance.ATTENDED)
    login_as(Role.MANAGER)
    sheet = workbook_of(client, "/events/participations/export.xlsx").active
    assert sheet.title == "Participations"
    [row] = rows_by_header(sheet)
    assert row["Role"].value == "Delegate"
    assert row["Attendance"].value == "Attended"
    assert row["Event starts on"].is_date


def test_xlsx_country_names_follow_the_readers_language(
    client, login_as, make_event, make_country
):
    make_event("Smart City Week", country_id=make_country("KR", "Korea"))
    login_as(Role.MANAGER)
    client.post_form("/language", {"language": "hr", "next": "/"})
    sheet = workbook_of(client, "/events/export.xlsx").active
    values = [cell.value for cell in next(sheet.iter_rows(min_row=2))]
    assert "Južna Koreja" in values and "KR" not in values
