"""Access rules of attached documents (tracker/documents/routes.py).

- a record's documents page: whoever may see the record;
- attaching: coordinators and admins to any record, a municipal contact to
  their own municipality's records only (another municipality's: 404, a
  staff record such as an event: 403); managers never;
- downloading: as the attachment's visibility says, 404 to everyone else
  (anonymous visitors too: public attachments of public records only);
- replacing or deleting: editors, and a contact for what they uploaded.
"""

from tests.access.matrix import (
    DENIED,
    HIDDEN,
    LOGIN,
    OK,
    Row,
    editors_only,
    public_page,
    rijeka_editable_by_contact,
    rijeka_private,
    row,
    signed_in,
)
from tests.access.world import World
from tracker.documents.storage import storage
from tracker.extensions import db
from tracker.models import Attachment, AttachmentVersion, Visibility

PDF = b"%PDF-1.4\n%%EOF\n"


def _attachment(blob: bytes, visibility: Visibility, **owner) -> Attachment:
    key = storage().put(blob)
    return Attachment(
        title="Matrix document",
        language="en",
        visibility=visibility,
        file_name="matrix.pdf",
        content_type="application/pdf",
        size=len(blob),
        sha256=key,
        **owner,
    )


def build(world: World) -> None:
    """A document of Rijeka for its municipality, a staff-only one, and a
    public one (with an earlier version and a thumbnail) on a public event."""
    rijeka_doc = _attachment(
        PDF + b"% rijeka",
        Visibility.MUNICIPALITY,
        municipality_id=world["rijeka"],
        uploaded_by_id=world["user_contact_rijeka"],
    )
    staff_doc = _attachment(
        PDF + b"% staff", Visibility.STAFF, municipality_id=world["rijeka"]
    )
    public_doc = _attachment(
        PDF + b"% public", Visibility.PUBLIC, event_id=world["event_past_public"]
    )
    public_doc.thumbnail_sha256 = public_doc.sha256
    public_doc.number = 2
    public_doc.versions.append(
        AttachmentVersion(
            number=1,
            file_name="matrix-v1.pdf",
            content_type="application/pdf",
            size=public_doc.size,
            sha256=public_doc.sha256,
        )
    )
    db.session.add_all([rijeka_doc, staff_doc, public_doc])
    db.session.flush()
    world.update(
        doc_rijeka=rijeka_doc.id, doc_staff=staff_doc.id, doc_public=public_doc.id
    )


def rijeka_visible(method: str, url: str) -> Row:
    """Rijeka's document for the municipality: staff and Rijeka's contact."""
    return row(
        method,
        url,
        anonymous=HIDDEN,
        contact_rijeka=OK,
        contact_belgrade=HIDDEN,
        coordinator=OK,
        manager=OK,
        admin=OK,
    )


ROWS: list[Row] = [
    # Documents pages: the record's own readers (the past public event's
    # Rijeka participation is listed publicly, so Belgrade sees the page).
    rijeka_private("GET", "/documents/municipality/{rijeka}"),
    signed_in("GET", "/documents/participation/{participation_rijeka_past}"),
    signed_in("GET", "/documents/event/{event_past_public}"),
    # Uploads without a file come back (422), past access control.
    rijeka_editable_by_contact("POST", "/documents/municipality/{rijeka}"),
    # Belgrade's contact sees this participation (listed publicly) but may
    # not attach to Rijeka's record: 403, not 404.
    row(
        "POST",
        "/documents/participation/{participation_rijeka_past}",
        anonymous=LOGIN,
        contact_rijeka=OK,
        contact_belgrade=DENIED,
        coordinator=OK,
        manager=DENIED,
        admin=OK,
    ),
    editors_only("POST", "/documents/event/{event_past_public}"),
    # Downloads.
    rijeka_visible("GET", "/documents/{doc_rijeka}/download"),
    row(
        "GET",
        "/documents/{doc_staff}/download",
        anonymous=HIDDEN,
        contact_rijeka=HIDDEN,
        contact_belgrade=HIDDEN,
        coordinator=OK,
        manager=OK,
        admin=OK,
    ),
    public_page("GET", "/documents/{doc_public}/download"),
    public_page("GET", "/documents/{doc_public}/versions/1/download"),
    public_page("GET", "/documents/{doc_public}/thumbnail"),
    # Replace without a file: 422 past access control. Rijeka's contact
    # uploaded this one.
    rijeka_editable_by_contact("POST", "/documents/{doc_rijeka}/replace"),
    row(
        "POST",
        "/documents/{doc_staff}/delete",
        anonymous=LOGIN,
        contact_rijeka=HIDDEN,
        contact_belgrade=HIDDEN,
        coordinator=OK,
        manager=DENIED,
        admin=OK,
    ),
]
