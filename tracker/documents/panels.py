"""The documents list other record pages include (``documents/_list.html``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracker.documents.services import attachments_for
from tracker.models import Attachment, User
from tracker.models.documents import can_attach, owner_kind, record_can_view
from tracker.permissions import unproxied


@dataclass
class Group:
    heading: str
    kind: str
    record_id: int
    attachments: list[Attachment] = field(default_factory=list)
    may_attach: bool = False


def documents_panel(records: list[tuple[str, Any]], user: User) -> list[Group]:
    """One group per (heading, record): the attachments ``user`` may open,
    in one query for all of them. Records without any (and where the user may
    not attach) are left out, except the first, the page's own record."""
    user = unproxied(user)
    found = attachments_for([record for _, record in records])
    groups = []
    for position, (heading, record) in enumerate(records):
        kind = owner_kind(record)
        readable = record_can_view(record, user)
        visible = [
            attachment
            for attachment in found.get((kind, record.id), [])
            if readable and attachment.admits(user, record)
        ]
        may_attach = readable and can_attach(record, user)
        if position == 0 or visible:
            groups.append(Group(heading, kind, record.id, visible, may_attach))
    return groups


def record_title(record: Any) -> str:
    """How a record with documents is named on the documents page."""
    from flask_babel import gettext as _

    from tracker.i18n import format_day

    kind = owner_kind(record)
    if kind == "event":
        return record.title
    if kind == "session":
        return f"{record.title} ({record.event.title})"
    if kind == "participation":
        name = record.person.full_name
        if record.presentation_title:
            name = f"{record.presentation_title}, {name}"
        return _("%(name)s at %(event)s", name=name, event=record.event.title)
    if kind == "enrollment":
        return _(
            "%(municipality)s in %(program)s",
            municipality=record.municipality.name,
            program=record.program.code,
        )
    if kind == "stage-change":
        enrollment = record.enrollment
        return _(
            "%(municipality)s in %(program)s: %(stage)s on %(day)s",
            municipality=enrollment.municipality.name,
            program=enrollment.program.code,
            stage=record.to_stage.name,
            day=format_day(record.effective_on),
        )
    return record.name


def record_url(record: Any) -> str:
    """The page the record (or, for sessions and the like, its parent) lives on."""
    from flask import url_for

    kind = owner_kind(record)
    if kind == "event":
        return url_for("events.detail", event_id=record.id)
    if kind in ("session", "participation"):
        return url_for("events.detail", event_id=record.event_id)
    if kind == "enrollment":
        return url_for("enrollments.detail", enrollment_id=record.id)
    if kind == "stage-change":
        return url_for("enrollments.detail", enrollment_id=record.enrollment_id)
    return url_for("municipalities.detail", municipality_id=record.id)


def language_name(code: str) -> str:
    from tracker.documents.forms import language_choices

    return str(dict(language_choices()).get(code, code))


def file_size(size: int) -> str:
    """A file's size in the reader's language: "694 bytes", "4,9 KB", "1.2 MB"."""
    from flask_babel import format_decimal
    from flask_babel import gettext as _

    if size < 1024:
        return _("%(num)s bytes", num=format_decimal(size))
    if size < 1024 * 1024:
        return _("%(num)s KB", num=format_decimal(size / 1024, format="#,##0.#"))
    return _("%(num)s MB", num=format_decimal(size / 1024 / 1024, format="#,##0.#"))
