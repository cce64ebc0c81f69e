"""Attachments: who may upload and download, what is refused, what is kept.

The acceptance of issue 18 (attachments part): a coordinator attaches a PDF
to Rijeka's presentation at the Seoul event, Rijeka's contact downloads it,
Belgrade's contact gets 404; an .exe named .pdf is refused; a 30 MB upload
gets 413 with nothing stored; a JPEG with GPS metadata is stored without it.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from tracker.documents import files
from tracker.documents.storage import FilesystemStorage, S3Storage, checked
from tracker.extensions import db
from tracker.models import Attachment, AttachmentVersion, AuditEntry, Role

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


@pytest.fixture
def documents_dir(app, tmp_path, monkeypatch) -> Path:
    """A fresh storage folder for this test, so its files can be counted."""
    monkeypatch.setitem(app.config, "DOCUMENTS_PATH", str(tmp_path / "store"))
    return tmp_path / "store"


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "DemoCam"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (45.0, 20.0, 0.0)
    gps[3] = "E"
    gps[4] = (14.0, 26.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


@pytest.fixture
def seoul(make_event, make_municipality, make_person, make_participation, make_user):
    """The Seoul Smart City Week with Rijeka's and Belgrade's presentations."""
    rijeka = make_municipality("Rijeka", country="HR")
    belgrade = make_municipality("Belgrade", country="RS")
    event = make_event(
        "World Smart City Summit and Smart City Week",
        starts_on=date(2017, 9, 4),
        ends_on=date(2017, 9, 8),
    )
    ana = make_person("Ana Demo", municipality_id=rijeka)
    marko = make_person("Marko Demo", municipality_id=belgrade)
    return {
        "event": event,
        "rijeka": rijeka,
        "belgrade": belgrade,
        "rijeka_talk": make_participation(
            event, ana, municipality_id=rijeka, presentation_title="Open Data Portal"
        ),
        "belgrade_talk": make_participation(
            event, marko, municipality_id=belgrade, presentation_title="Beokom"
        ),
        "contact_rijeka": make_user(Role.CONTACT, municipality_id=rijeka),
        "contact_belgrade": make_user(Role.CONTACT, municipality_id=belgrade),
    }


def upload(client, kind, record_id, data, name="file.pdf", **fields):
    form = {
        "title": fields.pop("title", "Open Data Portal (slides)"),
        "language": fields.pop("language", "en"),
        "visibility": fields.pop("visibility", "municipality"),
        "file": (io.BytesIO(data), name),
        **fields,
    }
    return client.post_form(
        f"/documents/{kind}/{record_id}", form, content_type="multipart/form-data"
    )


def email_of(app, user_id):
    from tracker.models import User

    with app.app_context():
        return db.session.get(User, user_id).email


def only_attachment(app) -> Attachment:
    with app.app_context():
        attachment = db.session.scalars(select(Attachment)).one()
        db.session.expunge(attachment)
        return attachment


def test_rijeka_downloads_its_presentation_and_belgrade_gets_404(
    app, client, login_as, login, seoul, documents_dir
):
    login_as(Role.COORDINATOR)
    response = upload(client, "participation", seoul["rijeka_talk"], PDF)
    assert response.status_code == 302
    attachment = only_attachment(app)
    assert attachment.content_type == "application/pdf"
    assert attachment.participation_id == seoul["rijeka_talk"]
    url = f"/documents/{attachment.id}/download"

    client.post_form("/auth/logout")
    login(email_of(app, seoul["contact_rijeka"]))
    response = client.get(url)
    assert response.status_code == 200
    assert response.data == PDF
    # The event page lists it for Rijeka's contact.
    assert b"Open Data Portal (slides)" in client.get(f"/events/{seoul['event']}").data

    client.post_form("/auth/logout")
    login(email_of(app, seoul["contact_belgrade"]))
    assert client.get(url).status_code == 404
    page = client.get(f"/events/{seoul['event']}")
    assert page.status_code == 200
    assert b"Open Data Portal (slides)" not in page.data

    client.post_form("/auth/logout")
    assert client.get(url).status_code == 404  # anonymous


def test_public_attachment_of_rijeka_opens_for_belgrade_too(
    app, client, login_as, login, seoul, documents_dir
):
    login_as(Role.COORDINATOR)
    upload(client, "participation", seoul["rijeka_talk"], PDF, visibility="public")
    attachment = only_attachment(app)
    client.post_form("/auth/logout")
    login(email_of(app, seoul["contact_belgrade"]))
    assert client.get(f"/documents/{attachment.id}/download").status_code == 200


def test_staff_only_attachment_is_hidden_from_the_municipality(
    app, client, login_as, login, seoul, documents_dir
):
    login_as(Role.COORDINATOR)
    upload(client, "participation", seoul["rijeka_talk"], PDF, visibility="staff")
    attachment = only_attachment(app)
    client.post_form("/auth/logout")
    login(email_of(app, seoul["contact_rijeka"]))
    assert client.get(f"/documents/{attachment.id}/download").status_code == 404


def test_download_headers_keep_the_file_out_of_our_origin(
    app, client, login_as, seoul, documents_dir
):
    login_as(Role.COORDINATOR)
    upload(
        client,
        "participation",
        seoul["rijeka_talk"],
        PDF,
        name="Prezentacija Čakovec.pdf",
    )
    attachment = only_attachment(app)
    response = client.get(f"/documents/{attachment.id}/download")
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Prezentacija%20%C4%8Cakovec.pdf" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == (
        "sandbox; default-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )


def test_exe_renamed_pdf_is_refused_with_a_message(
    app, client, login_as, seoul, documents_dir
):
    login_as(Role.COORDINATOR)
    response = upload(
        client, "participation", seoul["rijeka_talk"], EXE, name="slides.pdf"
    )
    assert response.status_code == 422
    assert b"This type of file is not accepted" in response.data
    with app.app_context():
        assert db.session.scalar(select(func.count(Attachment.id))) == 0
    assert stored_files(documents_dir) == []


# Werkzeug's test client spools a large request body to a temporary file and
# never closes it when the app refuses the body unread; collecting it here
# keeps its ResourceWarning in this test, where it is expected.
unread_body = pytest.mark.filterwarnings(
    "ignore::pytest.PytestUnraisableExceptionWarning"
)


@unread_body
def test_30_mb_upload_gets_413_and_nothing_is_stored(
    app, client, login_as, seoul, documents_dir
):
    login_as(Role.COORDINATOR)
    big = PDF + b"0" * (30 * 1024 * 1024)
    response = upload(client, "participation", seoul["rijeka_talk"], big)
    assert response.status_code == 413
    assert b"The file is too large" in response.data
    assert b"20 MB" in response.data
    with app.app_context():
        assert db.session.scalar(select(func.count(Attachment.id))) == 0
    assert stored_files(documents_dir) == []
    # Werkzeug's test client spools the body to a temporary file and leaves
    # it open when the app refuses it unread: closed here, not left to the GC.
    response.request.environ["wsgi.input"].close()


def test_file_over_the_per_file_limit_gets_413_and_nothing_is_stored(
    app, client, login_as, seoul, documents_dir, monkeypatch
):
    monkeypatch.setitem(app.config, "DOCUMENTS_MAX_FILE_SIZE", 1024)
    login_as(Role.COORDINATOR)
    response = upload(client, "participation", seoul["rijeka_talk"], PDF + b"0" * 2048)
    assert response.status_code == 413
    with app.app_context():
        assert db.session.scalar(select(func.count(Attachment.id))) == 0
    assert stored_files(documents_dir) == []


def test_jpeg_is_stored_without_its_gps_metadata(
    app, client, login_as, seoul, documents_dir
):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    login_as(Role.COORDINATOR)
    response = upload(
        client, "event", seoul["event"], original, name="tour.jpg", visibility="public"
    )
    assert response.status_code == 302
    attachment = only_attachment(app)
    stored = client.get(f"/documents/{attachment.id}/download")
    assert stored.status_code == 200
    assert stored.headers["Content-Disposition"].startswith("inline;")
    image = Image.open(io.BytesIO(stored.data))
    assert image.format == "JPEG"
    assert image.size == (64, 48)
    exif = image.getexif()
    assert not exif.get_ifd(0x8825)
    assert 0x010F not in exif
    assert b"DemoCam" not in stored.data
    # A thumbnail shows on the event page.
    page = client.get(f"/events/{seoul['event']}").data.decode()
    assert f"/documents/{attachment.id}/thumbnail" in page
    thumbnail = client.get(f"/documents/{attachment.id}/thumbnail")
    assert Image.open(io.BytesIO(thumbnail.data)).format == "JPEG"


def test_replacing_keeps_the_earlier_version(
    app, client, login_as, seoul, documents_dir
):
    login_as(Role.COORDINATOR)
    upload(client, "participation", seoul["rijeka_talk"], PDF)
    attachment = only_attachment(app)
    second = PDF.replace(b"1.4", b"1.7")
    response = client.post_form(
        f"/documents/{attachment.id}/replace",
        {
            "version_id": str(attachment.version_id),
            "file": (io.BytesIO(second), "v2.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert client.get(f"/documents/{attachment.id}/download").data == second
    assert client.get(f"/documents/{attachment.id}/versions/1/download").data == PDF
    page = client.get(f"/documents/participation/{seoul['rijeka_talk']}").data
    assert b"Earlier versions (1)" in page
    with app.app_context():
        current = db.session.get(Attachment, attachment.id)
        assert current.number == 2
        assert [version.number for version in current.versions] == [1]


def test_delete_is_audited_and_releases_the_file(
    app, client, login_as, seoul, documents_dir
):
    login_as(Role.COORDINATOR)
    upload(client, "participation", seoul["rijeka_talk"], PDF)
    attachment = only_attachment(app)
    assert len(stored_files(documents_dir)) == 1
    response = client.post_form(f"/documents/{attachment.id}/delete")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Attachment, attachment.id) is None
        entry = db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity_type == "attachment",
                AuditEntry.entity_id == attachment.id,
                AuditEntry.action == "delete",
            )
        ).one()
        assert entry.changes["title"] == ["Open Data Portal (slides)", None]
        assert entry.actor_role == "coordinator"
    assert stored_files(documents_dir) == []


@pytest.mark.parametrize(
    "name",
    ["../../../etc/passwd.pdf", "..\\..\\windows\\win.ini", "/tmp/x/../evil.pdf"],
)
def test_path_traversal_names_are_harmless(
    app, client, login_as, seoul, documents_dir, name
):
    login_as(Role.COORDINATOR)
    assert (
        upload(
            client, "participation", seoul["rijeka_talk"], PDF, name=name
        ).status_code
        == 302
    )
    attachment = only_attachment(app)
    assert "/" not in attachment.file_name and "\\" not in attachment.file_name
    assert attachment.file_name.endswith(".pdf")
    assert not attachment.file_name.startswith(".")
    # The file lives under the storage folder, named by its hash only.
    paths = stored_files(documents_dir)
    assert [path.name for path in paths] == [attachment.sha256]
    assert all(documents_dir in path.parents for path in paths)


def test_contact_attaches_to_their_own_municipality_only(
    app, client, login, seoul, documents_dir
):
    login(email_of(app, seoul["contact_rijeka"]))
    own = upload(client, "municipality", seoul["rijeka"], PDF, title="Strategy")
    assert own.status_code == 302
    assert upload(client, "participation", seoul["rijeka_talk"], PDF).status_code == 302
    # Belgrade's records are not even revealed; the event is staff's.
    assert upload(client, "municipality", seoul["belgrade"], PDF).status_code == 404
    assert (
        upload(client, "participation", seoul["belgrade_talk"], PDF).status_code == 403
    )
    assert upload(client, "event", seoul["event"], PDF).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(Attachment.id))) == 2


def test_accepted_types_are_detected_from_content():
    assert files.detect_type(PDF) == files.PDF
    assert files.detect_type(docx_bytes()) == files.DOCX
    assert files.detect_type("Zapisnik sjednice, Kuçovë\n".encode()) == files.TEXT
    assert files.detect_type(EXE) is None
    assert files.detect_type(b"PK\x03\x04 not really a zip") is None
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("setup.exe", EXE)
    assert files.detect_type(plain_zip.getvalue()) is None


def test_display_names_keep_unicode_and_take_the_real_extension():
    assert (
        files.display_name("Strategija Kuçovë.pdf", files.PDF)
        == "Strategija Kuçovë.pdf"
    )
    assert files.display_name("report.exe", files.PDF) == "report.pdf"
    assert files.display_name("../../.htaccess", files.TEXT) == "htaccess.txt"
    assert files.ascii_name("Strategija Kuçovë.pdf") == "Strategija_Kucove.pdf"


def test_storage_refuses_names_that_are_not_hashes(tmp_path):
    store = FilesystemStorage(tmp_path)
    key = store.put(b"hello")
    assert store.get(key) == b"hello"
    for bad in ("../" + key, key[:-1], "a" * 64 + "/x"):
        with pytest.raises(ValueError):
            checked(bad)
        with pytest.raises(ValueError):
            store.get(bad)


def test_s3_storage_round_trip_with_moto():
    moto = pytest.importorskip("moto")
    import boto3

    with moto.mock_aws():
        client = boto3.client("s3", region_name="eu-central-1")
        client.create_bucket(
            Bucket="upp-documents",
            CreateBucketConfiguration={"LocationConstraint": "eu-central-1"},
        )
        store = S3Storage("upp-documents", "documents/", client=client)
        key = store.put(PDF)
        assert store.exists(key)
        assert store.get(key) == PDF
        assert store.keys() == [key]
        names = [
            item["Key"]
            for item in client.list_objects_v2(Bucket="upp-documents")["Contents"]
        ]
        assert names == [f"documents/{key}"]
        store.delete(key)
        assert not store.exists(key)


def test_versions_are_removed_with_their_attachment(
    app, client, login_as, seoul, documents_dir
):
    login_as(Role.COORDINATOR)
    upload(client, "participation", seoul["rijeka_talk"], PDF)
    attachment = only_attachment(app)
    client.post_form(
        f"/documents/{attachment.id}/replace",
        {
            "version_id": str(attachment.version_id),
            "file": (io.BytesIO(docx_bytes()), "v2.docx"),
        },
        content_type="multipart/form-data",
    )
    client.post_form(f"/documents/{attachment.id}/delete")
    with app.app_context():
        assert db.session.scalar(select(func.count(AttachmentVersion.id))) == 0
    assert stored_files(documents_dir) == []


def test_contact_cannot_delete_what_staff_uploaded(
    app, client, login_as, login, seoul, documents_dir
):
    login_as(Role.COORDINATOR)
    upload(client, "municipality", seoul["rijeka"], PDF, title="Assessment report")
    attachment = only_attachment(app)
    client.post_form("/auth/logout")
    login(email_of(app, seoul["contact_rijeka"]))
    assert client.get(f"/documents/{attachment.id}/download").status_code == 200
    assert client.post_form(f"/documents/{attachment.id}/delete").status_code == 403
    with app.app_context():
        assert db.session.get(Attachment, attachment.id) is not None


def test_an_event_offers_no_municipality_visibility(
    app, client, login_as, seoul, documents_dir
):
    login_as(Role.COORDINATOR)
    page = client.get(f"/documents/event/{seoul['event']}").data
    assert b'value="municipality"' not in page
    response = upload(client, "event", seoul["event"], PDF, visibility="municipality")
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count(Attachment.id))) == 0


def test_public_event_page_lists_its_public_documents_only(
    app, client, login_as, make_event, documents_dir
):
    event = make_event("Mayors Symposium", is_public=True)
    login_as(Role.COORDINATOR)
    upload(client, "event", event, PDF, title="Programme", visibility="public")
    upload(client, "event", event, PDF + b"%", title="Budget notes", visibility="staff")
    client.post_form("/auth/logout")
    page = client.get(f"/events/public/{event}")
    assert page.status_code == 200
    assert b"Programme" in page.data
    assert b"Budget notes" not in page.data
    with app.app_context():
        public_id = db.session.scalar(
            select(Attachment.id).where(Attachment.title == "Programme")
        )
    assert client.get(f"/documents/{public_id}/download").status_code == 200


def test_deleting_a_participation_deletes_its_documents_audited(
    app, client, login_as, seoul, documents_dir, runner
):
    login_as(Role.COORDINATOR)
    upload(client, "participation", seoul["rijeka_talk"], PDF)
    attachment = only_attachment(app)
    response = client.post_form(
        f"/events/{seoul['event']}/participants/{seoul['rijeka_talk']}/delete"
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Attachment, attachment.id) is None
        assert (
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(
                    AuditEntry.entity_type == "attachment",
                    AuditEntry.entity_id == attachment.id,
                    AuditEntry.action == "delete",
                )
            )
            == 1
        )
    # The stored file stays until pruned: no row refers to it any more.
    assert len(stored_files(documents_dir)) == 1
    result = runner.invoke(args=["documents", "prune"])
    assert "Removed 1 unreferenced stored file(s)." in result.output
    assert stored_files(documents_dir) == []
