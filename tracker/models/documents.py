"""Documents attached to records: presentations, strategies, reports, photos.

An attachment belongs to exactly one record (an event, a session, a
participation, an enrollment, a stage change or a municipality: one foreign
key of six is set, a CHECK says so). It holds its current file; each
replaced file is kept as an ``AttachmentVersion``. The bytes live in the
storage (``tracker.documents.storage``), named by their SHA-256.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, String, select
from sqlalchemy import event as orm_event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from tracker.models.base import (
    Base,
    Timestamped,
    UTCDateTime,
    Versioned,
    enum_type,
    utcnow,
)
from tracker.models.enrollments import Enrollment, StageChange
from tracker.models.enums import Role
from tracker.models.events import Event, EventSession, Participation
from tracker.models.places import Municipality
from tracker.translation import lazy_gettext as _l

if TYPE_CHECKING:
    from tracker.models.accounts import User


class Visibility(StrEnum):
    STAFF = "staff"
    MUNICIPALITY = "municipality"
    PUBLIC = "public"

    @property
    def label(self) -> str:
        return str(VISIBILITY_LABELS[self])


VISIBILITY_LABELS = {
    Visibility.STAFF: _l("Staff only"),
    Visibility.MUNICIPALITY: _l("Staff and the municipality"),
    Visibility.PUBLIC: _l("Everyone who may see the record"),
}

# URL name of an owner kind -> (foreign key column, model). A record deleted
# through the ORM takes its attachments with it (``_delete_with_owners``).
OWNER_KINDS: dict[str, tuple[str, type]] = {
    "event": ("event_id", Event),
    "session": ("session_id", EventSession),
    "participation": ("participation_id", Participation),
    "enrollment": ("enrollment_id", Enrollment),
    "stage-change": ("stage_change_id", StageChange),
    "municipality": ("municipality_id", Municipality),
}
OWNER_COLUMNS = [column for column, _ in OWNER_KINDS.values()]


def owner_kind(record: object) -> str:
    """The URL name of a record's kind (``"stage-change"``)."""
    for kind, (_, model) in OWNER_KINDS.items():
        if isinstance(record, model):
            return kind
    raise TypeError(f"{type(record).__name__} records take no attachments")


def home_municipality_id(record: Any) -> int | None:
    """The municipality whose record this is; events and sessions have none."""
    if isinstance(record, Municipality):
        return record.id
    if isinstance(record, Enrollment | Participation):
        return record.municipality_id
    if isinstance(record, StageChange):
        return record.enrollment.municipality_id
    return None


def record_can_view(record: Any, user: User) -> bool:
    """The record's own rule; a stage change is seen with its enrollment."""
    if isinstance(record, StageChange):
        return record.enrollment.can_view(user)
    return bool(record.can_view(user))


def can_attach(record: Any, user: User) -> bool:
    """Editors attach to any record; a contact to their own municipality's."""
    if not user.is_authenticated or not record_can_view(record, user):
        return False
    if user.can_edit_records:
        return True
    home = home_municipality_id(record)
    return (
        user.role == Role.CONTACT and home is not None and home == user.municipality_id
    )


def visibility_choices(record: Any) -> list[Visibility]:
    """ "The municipality" only where the record has one."""
    if home_municipality_id(record) is None:
        return [Visibility.STAFF, Visibility.PUBLIC]
    return list(Visibility)


class StoredFile:
    """A file's facts: the bytes are in the storage under ``sha256``."""

    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    thumbnail_sha256: Mapped[str | None] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def _owner_fk(table: str) -> Mapped[int | None]:
    return mapped_column(ForeignKey(f"{table}.id", ondelete="RESTRICT"), index=True)


class Attachment(StoredFile, Versioned, Timestamped, Base):
    __table_args__ = (
        CheckConstraint(
            " + ".join(
                f"(CASE WHEN {column} IS NULL THEN 0 ELSE 1 END)"
                for column in OWNER_COLUMNS
            )
            + " = 1",
            name="one_owner",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = _owner_fk("event")
    session_id: Mapped[int | None] = _owner_fk("event_session")
    participation_id: Mapped[int | None] = _owner_fk("participation")
    enrollment_id: Mapped[int | None] = _owner_fk("enrollment")
    stage_change_id: Mapped[int | None] = _owner_fk("stage_change")
    municipality_id: Mapped[int | None] = _owner_fk("municipality")
    title: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(16))
    visibility: Mapped[Visibility] = mapped_column(enum_type(Visibility))
    # The number of the current file: 1 at upload, +1 at each replacement.
    number: Mapped[int] = mapped_column(default=1)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )

    event: Mapped[Event | None] = relationship()
    session: Mapped[EventSession | None] = relationship()
    participation: Mapped[Participation | None] = relationship()
    enrollment: Mapped[Enrollment | None] = relationship()
    stage_change: Mapped[StageChange | None] = relationship()
    municipality: Mapped[Municipality | None] = relationship()
    uploaded_by: Mapped[User | None] = relationship()
    versions: Mapped[list[AttachmentVersion]] = relationship(
        back_populates="attachment",
        cascade="all, delete-orphan",
        order_by="AttachmentVersion.number.desc()",
    )

    @property
    def owner(self) -> Any:
        for column, _ in OWNER_KINDS.values():
            if getattr(self, column) is not None:
                return getattr(self, column.removesuffix("_id"))
        return None

    @property
    def owner_kind(self) -> str:
        return owner_kind(self.owner)

    def can_view(self, user: User) -> bool:
        """Deny by default: the record's readers, narrowed by the visibility."""
        record = self.owner
        return record_can_view(record, user) and self.admits(user, record)

    def admits(self, user: User, record: Any) -> bool:
        """The visibility's part of ``can_view``, for a reader who may see
        ``record`` (lists check the record once, then each attachment)."""
        if self.visibility == Visibility.PUBLIC:
            return True
        if not user.is_authenticated:
            return False
        if user.is_staff or self.uploaded_by_id == user.id:
            return True
        home = home_municipality_id(record)
        return (
            self.visibility == Visibility.MUNICIPALITY
            and home is not None
            and home == user.municipality_id
        )

    def can_edit(self, user: User) -> bool:
        """Replace or delete: editors; a contact, what they uploaded themselves."""
        if not user.is_authenticated:
            return False
        if user.can_edit_records:
            return True
        return self.uploaded_by_id == user.id and can_attach(self.owner, user)

    def __repr__(self) -> str:
        return f"<Attachment {self.id} {self.title!r} v{self.number}>"


class AttachmentVersion(StoredFile, Base):
    """A file an attachment held before it was replaced."""

    id: Mapped[int] = mapped_column(primary_key=True)
    attachment_id: Mapped[int] = mapped_column(
        ForeignKey("attachment.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column()
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    attachment: Mapped[Attachment] = relationship(back_populates="versions")
    uploaded_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AttachmentVersion {self.attachment_id} v{self.number}>"


@orm_event.listens_for(Session, "before_flush")
def _delete_with_owners(session: Session, flush_context, instances) -> None:
    """Delete the attachments of records this flush deletes, through the ORM
    (so each deletion is audited); their stored files are released later by
    ``flask documents prune``.

    A listener rather than a cascade on the owners: a cascade loads the
    collection when the owner is deleted, and that query would autoflush
    half-done changes (an undone stage change already taken out of its
    enrollment). Inside the flush nothing autoflushes.
    """
    doomed: dict[str, list[int]] = {}
    for obj in session.deleted:
        for column, model in OWNER_KINDS.values():
            if isinstance(obj, model) and obj.id is not None:
                doomed.setdefault(column, []).append(obj.id)
    for column, ids in doomed.items():
        for attachment in session.scalars(
            select(Attachment).where(getattr(Attachment, column).in_(ids))
        ):
            session.delete(attachment)
