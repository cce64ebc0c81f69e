"""PDF certificates: ILTP completion and event attendance, who may have them,
the public verification page, and the ZIP of an event's certificates.

Every PDF is read back: with pypdf (pure Python, always), and with poppler's
``pdftotext`` where it is installed (CI installs poppler-utils).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.fixtures.programs import ILTP_STAGES
from tracker.extensions import db
from tracker.models import (
    Attendance,
    Certificate,
    Participation,
    ParticipationRole,
    Role,
)

PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(
    PDFTOTEXT is None,
    reason="pdftotext is not installed (apt-get install -y poppler-utils); CI "
    "installs it. The pypdf checks in the other tests still read every PDF.",
)


def text_of(response) -> str:
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def pdf_text(document: bytes) -> str:
    """The text of a PDF, read by pypdf; fails unless it is a PDF."""
    assert document.startswith(b"%PDF-"), document[:40]
    reader = PdfReader(io.BytesIO(document))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def poppler_text(document: bytes) -> str:
    result = subprocess.run(
        [PDFTOTEXT, "-enc", "UTF-8", "-", "-"],
        input=document,
        capture_output=True,
        check=True,
        timeout=30,
    )
    return re.sub(r"\s+", " ", result.stdout.decode())


@pytest.fixture
def world(
    app,
    make_program,
    make_municipality,
    make_person,
    make_enrollment,
    make_training,
    make_event,
    make_participation,
):
    """ILTP (2 trainings needed) with Đorđe of Kuçovë trained and Boris not;
    the Seoul event attended by Đorđe and Ana, Boris registered only."""
    program = make_program(
        "ILTP",
        stages=ILTP_STAGES,
        required_trainings=2,
        name="Integrity Leadership Training Program",
    )
    kucove = make_municipality("Kuçovë", country="AL")
    rijeka = make_municipality("Rijeka", country="HR")
    make_enrollment(kucove, program, [("ready_to_join", date(2016, 2, 15))])
    dorde = make_person("Đorđe Đorđević", municipality_id=kucove, position="Mayor")
    boris = make_person("Boris Halfway", municipality_id=kucove)
    ana = make_person("Ана Скопје", municipality_id=rijeka, email="ana@example.org")
    attended = Attendance.ATTENDED
    make_training(
        program,
        [(dorde, kucove, attended), (boris, kucove, attended)],
        date(2016, 4, 11),
        title="Integrity training in Скопје",
    )
    make_training(
        program,
        [(dorde, kucove, attended), (boris, kucove, Attendance.ABSENT)],
        date(2016, 9, 12),
        title="Integrity training in Vienna",
    )
    seoul = make_event("Smart City Week", date(2017, 9, 4), date(2017, 9, 8))
    make_participation(seoul, dorde, attendance=attended)
    make_participation(
        seoul,
        ana,
        attendance=attended,
        role=ParticipationRole.PRESENTER,
        presentation_title="Open Data Portal",
    )
    make_participation(seoul, boris, attendance=Attendance.REGISTERED)
    return {
        "program": program,
        "kucove": kucove,
        "rijeka": rijeka,
        "dorde": dorde,
        "boris": boris,
        "ana": ana,
        "seoul": seoul,
    }


def issue(client, url: str):
    """POST the issue form, follow to the download; returns (POST, download)."""
    issued = client.post_form(url)
    if issued.status_code != 303:
        return issued, None
    return issued, client.get(issued.headers["Location"])


def certificate_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Certificate.id)))


def the_certificate(app, person_id: int) -> Certificate:
    with app.app_context():
        certificate = db.session.scalar(
            select(Certificate).where(Certificate.person_id == person_id)
        )
        db.session.expunge(certificate)
        return certificate


# -- ILTP completion ----------------------------------------------------------


def test_the_iltp_certificate_is_a_pdf_naming_the_trained_leader(
    app, client, login_as, world
):
    login_as(Role.COORDINATOR)
    issued, download = issue(client, f"/certificates/iltp/ILTP/{world['dorde']}")
    assert issued.status_code == 303
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    text = pdf_text(download.data)
    assert "Certificate of completion" in text
    assert "Đorđe Đorđević" in text
    assert "Mayor, Kuçovë" in text
    assert "Integrity Leadership Training Program (ILTP)" in text
    assert "Integrity training in Скопје" in text
    certificate = the_certificate(app, world["dorde"])
    assert certificate.grouped_code in text
    assert f"/certificates/verify/{certificate.code}" in text.replace(" ", "")


@needs_pdftotext
def test_pdftotext_reads_the_name_on_the_iltp_certificate(app, client, login_as, world):
    login_as(Role.COORDINATOR)
    _issued, download = issue(client, f"/certificates/iltp/ILTP/{world['dorde']}")
    text = poppler_text(download.data)
    assert "Đorđe Đorđević" in text
    assert "Kuçovë" in text and "Скопје" in text
    assert the_certificate(app, world["dorde"]).grouped_code in text


def test_the_iltp_certificate_is_refused_for_someone_not_trained(
    app, client, login_as, world
):
    login_as(Role.COORDINATOR)
    refused = client.post_form(f"/certificates/iltp/ILTP/{world['boris']}")
    assert refused.status_code == 403
    assert "Boris Halfway is not trained yet" in text_of(refused)
    assert "2 attended ILTP trainings" in text_of(refused)
    assert certificate_count(app) == 0


def test_issuing_again_keeps_the_code(app, client, login_as, world):
    login_as(Role.COORDINATOR)
    first, _ = issue(client, f"/certificates/iltp/ILTP/{world['dorde']}")
    second, _ = issue(client, f"/certificates/iltp/ILTP/{world['dorde']}")
    assert first.headers["Location"] == second.headers["Location"]
    assert certificate_count(app) == 1


# -- verification ---------------------------------------------------------------


def test_the_verification_page_confirms_a_genuine_certificate(
    app, client, login_as, world
):
    login_as(Role.COORDINATOR)
    issue(client, f"/certificates/iltp/ILTP/{world['dorde']}")
    client.post_form("/auth/logout")
    certificate = the_certificate(app, world["dorde"])
    page = client.get(f"/certificates/verify/{certificate.code}")
    assert page.status_code == 200
    text = text_of(page)
    assert "This certificate is genuine." in text
    assert "Đorđe Đorđević" in text
    assert "Certificate of completion" in text
    assert "Integrity Leadership Training Program (ILTP)" in text
    assert certificate.grouped_code in text
    # The form accepts the code as typed from paper: lower case, spaces, O for 0.
    typed = certificate.grouped_code.lower().replace("-", " ").replace("0", "o")
    answer = client.get("/certificates/verify", query_string={"code": typed})
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(
        f"/certificates/verify/{certificate.code}"
    )


def test_the_verification_page_rejects_a_wrong_code(app, client, login_as, world):
    login_as(Role.COORDINATOR)
    issue(client, f"/certificates/iltp/ILTP/{world['dorde']}")
    code = the_certificate(app, world["dorde"]).code
    wrong = ("1" if code[0] != "1" else "2") + code[1:]
    for attempt in (wrong, "not-a-code", code[:-1]):
        page = client.get(f"/certificates/verify/{attempt}")
        assert page.status_code == 404
        text = text_of(page)
        assert "No certificate has the code" in text
        assert "This certificate is genuine." not in text and "Đorđe" not in text
    assert client.get("/certificates/verify").status_code == 200


def test_a_certificate_whose_record_changed_is_withdrawn(
    app, client, login_as, world, make_participation
):
    login_as(Role.COORDINATOR)
    issued, _ = issue(
        client, f"/certificates/events/{world['seoul']}/people/{world['ana']}"
    )
    with app.app_context():
        participation = db.session.scalar(
            select(Participation).where(Participation.person_id == world["ana"])
        )
        participation.attendance = Attendance.ABSENT
        db.session.commit()
    refused = client.get(issued.headers["Location"])
    assert refused.status_code == 403
    assert "is not recorded as having attended Smart City Week" in text_of(refused)
    code = the_certificate(app, world["ana"]).code
    text = text_of(client.get(f"/certificates/verify/{code}"))
    assert "withdrawn" in text and "This certificate is genuine." not in text


# -- event attendance ------------------------------------------------------


def test_the_attendance_certificate_names_the_participant_and_the_event(
    app, client, login_as, world
):
    login_as(Role.COORDINATOR)
    url = f"/certificates/events/{world['seoul']}/people/{world['ana']}"
    issued, download = issue(client, url)
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    text = pdf_text(download.data)
    assert "Certificate of attendance" in text
    assert "Ана Скопје" in text
    assert "attended Smart City Week" in text
    assert "as presenter" in text and "Open Data Portal" in text
    assert "Rijeka" in text


def test_the_attendance_certificate_is_refused_for_a_participant_who_did_not_attend(
    app, client, login_as, world, make_person
):
    login_as(Role.COORDINATOR)
    refused = client.post_form(
        f"/certificates/events/{world['seoul']}/people/{world['boris']}"
    )
    assert refused.status_code == 403
    assert (
        "Boris Halfway is not recorded as having attended Smart City Week"
        in text_of(refused)
    )
    stranger = make_person("Not There")
    refused = client.post_form(
        f"/certificates/events/{world['seoul']}/people/{stranger}"
    )
    assert refused.status_code == 403
    assert "not a participant of the event" in text_of(refused)
    assert certificate_count(app) == 0


def test_the_certificate_is_in_the_language_of_the_holders_account(
    app, client, login_as, make_user, world
):
    # Ana's account speaks Croatian: the dates come in Croatian whoever asks.
    make_user(
        Role.CONTACT,
        email="ana@example.org",
        municipality_id=world["rijeka"],
        locale="hr",
        person_id=world["ana"],
    )
    login_as(Role.COORDINATOR)
    url = f"/certificates/events/{world['seoul']}/people/{world['ana']}"
    _issued, download = issue(client, url)
    text = pdf_text(download.data)
    assert "4. rujna 2017." in text
    reader = PdfReader(io.BytesIO(download.data))
    assert reader.trailer["/Root"]["/Lang"] == "hr"
    # Without an account, the certificate takes the asking user's language.
    _issued, download = issue(
        client, f"/certificates/events/{world['seoul']}/people/{world['dorde']}"
    )
    assert "Sep 4, 2017" in pdf_text(download.data) or "4 Sep 2017" in pdf_text(
        download.data
    )


# -- the ZIP of an event ----------------------------------------------------


def test_the_zip_holds_one_pdf_per_attended_participant(app, client, login_as, world):
    login_as(Role.COORDINATOR)
    response = client.post_form(f"/certificates/events/{world['seoul']}/attendance.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert len(names) == 2 and all(name.endswith(".pdf") for name in names)
    texts = [pdf_text(archive.read(name)) for name in names]
    assert sum("Đorđe Đorđević" in text for text in texts) == 1
    assert sum("Ана Скопје" in text for text in texts) == 1
    assert not any("Boris Halfway" in text for text in texts)
    assert certificate_count(app) == 2
    # Again: the same certificates, no new ones.
    again = client.post_form(f"/certificates/events/{world['seoul']}/attendance.zip")
    assert sorted(zipfile.ZipFile(io.BytesIO(again.data)).namelist()) == sorted(names)
    assert certificate_count(app) == 2


# -- who may have them ------------------------------------------------------


def test_only_staff_and_the_holder_get_a_certificate(
    app, client, login, make_user, login_as, world
):
    login_as(Role.COORDINATOR)
    issued, _ = issue(client, f"/certificates/iltp/ILTP/{world['dorde']}")
    download_url = issued.headers["Location"]
    client.post_form("/auth/logout")
    # A contact of Kuçovë who is not Đorđe: not found, to issue or to download.
    make_user(
        Role.CONTACT, email="colleague@example.org", municipality_id=world["kucove"]
    )
    login("colleague@example.org")
    assert (
        client.post_form(f"/certificates/iltp/ILTP/{world['dorde']}").status_code == 404
    )
    assert client.get(download_url).status_code == 404
    client.post_form("/auth/logout")
    # Đorđe's own account: his certificate, and nobody else's.
    make_user(
        Role.CONTACT,
        email="dorde@example.org",
        municipality_id=world["kucove"],
        person_id=world["dorde"],
    )
    login("dorde@example.org")
    assert client.get(download_url).status_code == 200
    assert (
        client.post_form(f"/certificates/iltp/ILTP/{world['dorde']}").status_code == 303
    )
    assert (
        client.post_form(
            f"/certificates/events/{world['seoul']}/people/{world['ana']}"
        ).status_code
        == 404
    )
    assert (
        client.post_form(
            f"/certificates/events/{world['seoul']}/attendance.zip"
        ).status_code
        == 403
    )
    client.post_form("/auth/logout")
    # A manager reads (downloads) but issues nothing.
    login_as(Role.MANAGER)
    assert client.get(download_url).status_code == 200
    assert (
        client.post_form(f"/certificates/iltp/ILTP/{world['dorde']}").status_code == 403
    )
    client.post_form("/auth/logout")
    anonymous = client.get(download_url)
    assert (
        anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    )


def test_issuing_without_the_csrf_token_is_refused(app, client, login_as, world):
    login_as(Role.COORDINATOR)
    response = client.post(f"/certificates/iltp/ILTP/{world['dorde']}")
    assert response.status_code == 400
    assert certificate_count(app) == 0


# -- the buttons --------------------------------------------------------------------


def test_pages_offer_the_certificates_their_reader_may_have(
    app, client, login, login_as, make_user, world
):
    login_as(Role.COORDINATOR)
    event_page = client.get(f"/events/{world['seoul']}").get_data(as_text=True)
    assert "Attendance certificates (ZIP)" in event_page
    assert "Add to calendar (.ics)" in event_page
    for person in ("dorde", "ana"):
        action = f"/certificates/events/{world['seoul']}/people/{world[person]}"
        assert f'formaction="{action}"' in event_page
    assert f'/people/{world["boris"]}"' not in event_page
    person_page = text_of(client.get(f"/people/{world['dorde']}"))
    assert "Certificate of completion: Integrity Leadership" in person_page
    assert "Certificate of attendance: Smart City Week" in person_page
    # Boris: only the training he attended; not ILTP, not Seoul (registered).
    boris_page = text_of(client.get(f"/people/{world['boris']}"))
    assert "Certificate of attendance: Integrity training in Скопје" in boris_page
    assert "Certificate of completion" not in boris_page
    assert "Certificate of attendance: Smart City Week" not in boris_page
    program_page = client.get("/programs/ILTP").get_data(as_text=True)
    assert f'action="/certificates/iltp/ILTP/{world["dorde"]}"' in program_page
    client.post_form("/auth/logout")
    # A colleague of Kuçovë sees Đorđe's page but not his certificates.
    make_user(
        Role.CONTACT, email="colleague@example.org", municipality_id=world["kucove"]
    )
    login("colleague@example.org")
    page = text_of(client.get(f"/people/{world['dorde']}"))
    assert "Đorđe Đorđević" in page and "Certificate of" not in page
    event_page = client.get(f"/events/{world['seoul']}").get_data(as_text=True)
    assert "Attendance certificates (ZIP)" not in event_page
