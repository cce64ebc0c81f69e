"""Demo documents: small files made at seed time (no binaries in the repo).

Rijeka's and Belgrade's presentations in Seoul, a photo of the study tour
on the event, and Kuçovë's adopted strategy as the evidence of its stage
change. Each is looked up by its record and title first: running twice adds
nothing.
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.documents import services
from tracker.documents.storage import storage
from tracker.models import (
    Attachment,
    Enrollment,
    Event,
    Municipality,
    Participation,
    Program,
    StageChange,
    User,
    Visibility,
)
from tracker.models.documents import OWNER_KINDS, owner_kind


def tiny_pdf(*lines: str) -> bytes:
    """A one-page PDF showing ``lines`` (ASCII), valid enough for any reader."""
    text = " ".join(
        f"({line.encode('ascii', 'replace').decode()}) Tj 0 -20 Td" for line in lines
    )
    stream = f"BT /F1 14 Tf 60 760 Td {text} ET".encode()
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]"
        b"/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
        b"<</Length %d>>stream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def tiny_photo(caption: str) -> bytes:
    """A small JPEG "photo": a skyline in blocks with a caption."""
    image = Image.new("RGB", (480, 270), (135, 180, 220))
    draw = ImageDraw.Draw(image)
    for left, height in ((20, 120), (90, 180), (170, 90), (240, 200), (330, 140)):
        draw.rectangle((left, 270 - height, left + 60, 270), fill=(60, 70, 90))
    draw.text((16, 12), caption, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _attach_once(
    session: Session, record: Any, title: str, data: bytes, file_name: str, **fields
) -> None:
    if record is None:
        return
    column, _ = OWNER_KINDS[owner_kind(record)]
    exists = session.scalar(
        select(Attachment.id).where(
            getattr(Attachment, column) == record.id, Attachment.title == title
        )
    )
    if exists is None:
        services.attach(
            record, data, file_name=file_name, title=title, storage=storage(), **fields
        )


def seed(session: Session) -> None:
    """Attach the demo documents that are not there yet."""
    by = session.scalar(select(User).where(User.email == "coordinator@example.org"))
    seoul = session.scalar(select(Event).where(Event.title.contains("Smart City Week")))
    if seoul is not None:
        talks = {
            p.municipality.name: p
            for p in session.scalars(
                select(Participation).where(
                    Participation.event_id == seoul.id,
                    Participation.presentation_title != "",
                    Participation.municipality_id.is_not(None),
                )
            )
        }
        shared = {"language": "en", "visibility": Visibility.MUNICIPALITY, "by": by}
        _attach_once(
            session,
            talks.get("Rijeka"),
            "Open Data Portal, iURBAN and MySMARTLife (slides)",
            tiny_pdf(
                "Rijeka: a smart city approach",
                "Open Data Portal, iURBAN, MySMARTLife",
                "Seoul, Smart City Week, September 2017 (demo file)",
            ),
            "Rijeka - Open Data Portal.pdf",
            **shared,
        )
        _attach_once(
            session,
            talks.get("Belgrade"),
            "Beokom centre: web portal, modules and mobile apps (slides)",
            tiny_pdf(
                "Belgrade: the Beokom centre",
                "Aggregation web portal, added modules, mobile apps",
                "Seoul, Smart City Week, September 2017 (demo file)",
            ),
            "Beograd - Beokom.pdf",
            **shared,
        )
        _attach_once(
            session,
            seoul,
            "Study tour: Seoul's integrated CCTV centre (photo)",
            tiny_photo("Seoul study tour (demo photo)"),
            "seoul-study-tour.jpg",
            language="en",
            visibility=Visibility.PUBLIC,
            by=by,
        )
    change = session.scalar(
        select(StageChange)
        .join(Enrollment)
        .join(Municipality)
        .join(Program)
        .where(Municipality.name == "Kuçovë", Program.code == "ACP")
        .where(StageChange.note.contains("adopted"))
        .order_by(StageChange.effective_on)
        .limit(1)
    )
    _attach_once(
        session,
        change,
        "Anticorruption strategy, adopted by the council on 26 February 2013",
        tiny_pdf(
            "Municipality of Kucove: anticorruption strategy",
            "Adopted by the municipal council, 26 February 2013",
            "(demo file)",
        ),
        "Strategjia kundër korrupsionit - Kuçovë.pdf",
        language="sq",
        visibility=Visibility.MUNICIPALITY,
        by=by,
    )
