"""Attaching, replacing and deleting documents; the one place that writes them.

Plain functions over objects and the acting user: they add and flush, the
view commits. The bytes go to the storage before the row is written; a row
that then rolls back leaves a blob nobody refers to, which
``prune_unreferenced`` (``flask documents prune``) removes.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import or_, select, union
from sqlalchemy.orm import Session

from tracker.documents import files
from tracker.documents.storage import Storage
from tracker.extensions import db
from tracker.models import Attachment, AttachmentVersion, User, Visibility, utcnow
from tracker.models.documents import OWNER_KINDS, owner_kind


class FileTooLarge(ValueError):
    """The file is larger than ``DOCUMENTS_MAX_FILE_SIZE``."""


def read_limited(stream: Any, limit: int) -> bytes:
    """At most ``limit`` bytes of an upload, or FileTooLarge: never more in memory."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge()
    return data


def _store(storage: Storage, data: bytes) -> tuple[files.CleanFile, str, str | None]:
    clean = files.clean(data)
    key = storage.put(clean.data)
    thumbnail_key = storage.put(clean.thumbnail) if clean.thumbnail else None
    return clean, key, thumbnail_key


def _set_file(
    target: Attachment | AttachmentVersion,
    clean: files.CleanFile,
    key: str,
    thumbnail_key: str | None,
    file_name: str | None,
) -> None:
    target.file_name = files.display_name(file_name, clean.content_type)
    target.content_type = clean.content_type
    target.size = len(clean.data)
    target.sha256 = key
    target.thumbnail_sha256 = thumbnail_key
    target.uploaded_at = utcnow()


def attach(
    record: Any,
    data: bytes,
    *,
    file_name: str | None,
    title: str,
    language: str,
    visibility: Visibility,
    by: User | None,
    storage: Storage,
) -> Attachment:
    """Attach a file to ``record``; raises files.RefusedFile for a refused type."""
    clean, key, thumbnail_key = _store(storage, data)
    column, _ = OWNER_KINDS[owner_kind(record)]
    attachment = Attachment(
        title=title.strip(),
        language=language,
        visibility=visibility,
        uploaded_by_id=by.id if by else None,
        **{column: record.id},
    )
    _set_file(attachment, clean, key, thumbnail_key, file_name)
    db.session.add(attachment)
    db.session.flush()
    return attachment


def replace(
    attachment: Attachment,
    data: bytes,
    *,
    file_name: str | None,
    by: User | None,
    storage: Storage,
) -> Attachment:
    """Put a new file in place; the old one is kept as a version."""
    clean, key, thumbnail_key = _store(storage, data)
    old = AttachmentVersion(
        number=attachment.number,
        file_name=attachment.file_name,
        content_type=attachment.content_type,
        size=attachment.size,
        sha256=attachment.sha256,
        thumbnail_sha256=attachment.thumbnail_sha256,
        uploaded_at=attachment.uploaded_at,
        uploaded_by_id=attachment.uploaded_by_id,
        replaced_at=utcnow(),
    )
    attachment.versions.append(old)
    _set_file(attachment, clean, key, thumbnail_key, file_name)
    attachment.number += 1
    attachment.uploaded_by_id = by.id if by else None
    db.session.flush()
    return attachment


def blob_keys(attachment: Attachment) -> set[str]:
    """Every blob an attachment refers to: files and thumbnails of all versions."""
    keys = set()
    for item in (attachment, *attachment.versions):
        keys.add(item.sha256)
        if item.thumbnail_sha256:
            keys.add(item.thumbnail_sha256)
    return keys


def delete(attachment: Attachment) -> set[str]:
    """Delete an attachment and its versions (audited by the flush); returns
    the blob keys to release once the deletion is committed."""
    keys = blob_keys(attachment)
    db.session.delete(attachment)
    db.session.flush()
    return keys


def referenced_keys(session: Session) -> set[str]:
    """Every blob key some row still refers to."""
    columns = [select(model.sha256) for model in (Attachment, AttachmentVersion)] + [
        select(model.thumbnail_sha256).where(model.thumbnail_sha256.is_not(None))
        for model in (Attachment, AttachmentVersion)
    ]
    return set(session.scalars(select(union(*columns).subquery().c[0])))


def release(keys: set[str], storage: Storage) -> int:
    """Remove from the storage the blobs of ``keys`` no row refers to any more
    (the same bytes may belong to another attachment); returns how many."""
    still = set(
        db.session.scalars(select(Attachment.sha256).where(Attachment.sha256.in_(keys)))
    ) | set(
        db.session.scalars(
            select(AttachmentVersion.sha256).where(AttachmentVersion.sha256.in_(keys))
        )
    )
    still |= set(
        db.session.scalars(
            select(Attachment.thumbnail_sha256).where(
                Attachment.thumbnail_sha256.in_(keys)
            )
        )
    )
    still |= set(
        db.session.scalars(
            select(AttachmentVersion.thumbnail_sha256).where(
                AttachmentVersion.thumbnail_sha256.in_(keys)
            )
        )
    )
    gone = keys - still
    for key in gone:
        storage.delete(key)
    return len(gone)


def prune_unreferenced(storage: Storage) -> int:
    """Delete blobs no row refers to (left by rolled-back uploads or by records
    deleted with their attachments); returns how many."""
    referenced = referenced_keys(db.session)
    orphans = [key for key in storage.keys() if key not in referenced]
    for key in orphans:
        storage.delete(key)
    return len(orphans)


def attachments_of(record: Any) -> list[Attachment]:
    """Every attachment of ``record`` (for erasure and exports): all
    visibilities, newest first. Their blobs: ``blob_keys``."""
    column, _ = OWNER_KINDS[owner_kind(record)]
    return list(
        db.session.scalars(
            select(Attachment)
            .where(getattr(Attachment, column) == record.id)
            .order_by(Attachment.id.desc())
        )
    )


def attachments_for(records: list[Any]) -> dict[tuple[str, int], list[Attachment]]:
    """The attachments of several records in one query, by (kind, record id)."""
    conditions = []
    by_kind: dict[str, list[int]] = {}
    for record in records:
        by_kind.setdefault(owner_kind(record), []).append(record.id)
    for kind, ids in by_kind.items():
        column, _ = OWNER_KINDS[kind]
        conditions.append(getattr(Attachment, column).in_(ids))
    found: dict[tuple[str, int], list[Attachment]] = {}
    if not conditions:
        return found
    rows = db.session.scalars(
        select(Attachment).where(or_(*conditions)).order_by(Attachment.id)
    )
    for attachment in rows:
        for kind, (column, _) in OWNER_KINDS.items():
            owner_id = getattr(attachment, column)
            if owner_id is not None:
                found.setdefault((kind, owner_id), []).append(attachment)
    return found


def max_file_size() -> int:
    return int(current_app.config["DOCUMENTS_MAX_FILE_SIZE"])


def hand_over(source: Any, target: Any) -> int:
    """Give every attachment of ``source`` to ``target`` (a merge: the record
    that goes away leaves its documents to the one that stays, rather than
    taking them along when it is deleted). Returns how many moved."""
    old_column, _ = OWNER_KINDS[owner_kind(source)]
    new_column, _ = OWNER_KINDS[owner_kind(target)]
    moved = attachments_of(source)
    for attachment in moved:
        setattr(attachment, old_column.removesuffix("_id"), None)
        setattr(attachment, new_column.removesuffix("_id"), target)
    db.session.flush()
    return len(moved)
