"""What merging two records of one kind shares: the field choice, the
redirect from the merged-away record's address, and the audit entry.

The merges themselves live with their domains
(``tracker/people/services.py``, ``tracker/municipalities/services.py``);
each moves every dependent record to the survivor in the caller's
transaction and never commits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import abort, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response
from wtforms import HiddenField, RadioField

from tracker.audit import record_event
from tracker.extensions import db
from tracker.forms import STALE_MESSAGE, TrackerForm, commit_or_stale
from tracker.lists import int_arg, text_search
from tracker.models import MergedRecord
from tracker.permissions import get_viewable_or_404

THIS, OTHER = "this", "other"
MERGE_CANDIDATES = 20  # records the merge page offers for one search


@dataclass(frozen=True)
class MergeField:
    """One field the merge page asks about: kept from this record or the other."""

    name: str
    label: Any  # a lazy string


class MergeForm(TrackerForm):
    """The two records' versions as the page showed them, and a choice per field
    (``keep_<field>`` radio fields, added by ``merge_form``)."""

    this_version = HiddenField()
    other_version = HiddenField()

    def is_stale(self, this: Any, other: Any) -> bool:
        return self.this_version.data != str(
            this.version_id
        ) or self.other_version.data != str(other.version_id)

    def taken_from_other(self, fields: Sequence[MergeField]) -> set[str]:
        return {
            field.name for field in fields if self[f"keep_{field.name}"].data == OTHER
        }


def merge_form(
    fields: Sequence[MergeField], this: Any, other: Any, shown: dict[str, Any]
) -> MergeForm:
    """A merge form for ``this`` and ``other``: one radio per field, each option
    labelled with that record's value (``shown[name](record)``); the default
    keeps this record's value unless only the other has one."""
    attrs = {
        f"keep_{field.name}": RadioField(field.label, choices=[THIS, OTHER])
        for field in fields
    }
    form_class = type("RecordMergeForm", (MergeForm,), attrs)
    form = form_class()
    for field in fields:
        radio = form[f"keep_{field.name}"]
        mine, theirs = shown[field.name](this), shown[field.name](other)
        radio.choices = [(THIS, mine or "—"), (OTHER, theirs or "—")]
        if radio.data not in (THIS, OTHER):
            radio.data = OTHER if (theirs and not mine) else THIS
    if not form.is_submitted():
        form.this_version.data = str(this.version_id)
        form.other_version.data = str(other.version_id)
    return form


def copy_chosen(
    survivor: Any, values: dict[str, Any], taken_from_other: set[str]
) -> None:
    """Set the fields chosen from the merged-away record (its ``values``)."""
    for name in taken_from_other:
        setattr(survivor, name, values[name])


def record_merge(
    session: Session,
    entity_type: str,
    survivor_id: int,
    loser_id: int,
    details: dict[str, Any],
) -> None:
    """Remember that ``loser_id`` is now ``survivor_id`` (earlier redirects to
    the loser follow it), and audit the merge."""
    for earlier in session.scalars(
        select(MergedRecord).where(
            MergedRecord.entity_type == entity_type,
            MergedRecord.new_id == loser_id,
        )
    ):
        earlier.new_id = survivor_id
    session.add(
        MergedRecord(entity_type=entity_type, old_id=loser_id, new_id=survivor_id)
    )
    record_event(
        session,
        "merge",
        entity_type,
        survivor_id,
        {"merged_id": loser_id, **details},
    )


def get_viewable_or_redirect(
    model: Any, object_id: int, endpoint: str, options: Sequence[ORMOption] = ()
) -> Any:
    """``get_viewable_or_404``, except that the address of a record merged into
    another answers a permanent redirect to the survivor. Costs nothing more
    when the record is there."""
    try:
        return get_viewable_or_404(model, object_id, options)
    except NotFound:
        if (moved := redirect_if_merged(model, object_id, endpoint)) is not None:
            abort(moved)
        raise


def redirect_if_merged(model: Any, object_id: int, endpoint: str) -> Response | None:
    """A permanent redirect to the record ``object_id`` was merged into, when it
    is gone that way and the current user may see the survivor."""
    if db.session.get(model, object_id) is not None:
        return None
    new_id = db.session.scalar(
        select(MergedRecord.new_id).where(
            MergedRecord.entity_type == model.__tablename__,
            MergedRecord.old_id == object_id,
        )
    )
    survivor = db.session.get(model, new_id) if new_id is not None else None
    if survivor is None or not survivor.can_view(current_user):
        return None
    id_name = f"{model.__tablename__}_id"
    return redirect(url_for(endpoint, **{id_name: new_id}), 308)


def other_record(model: Any, record: Any, args: Any) -> Any:
    """The record ``?other=`` names for merging into ``record`` (None if none)."""
    other_id = int_arg(args, "other")
    if other_id is None or other_id == record.id:
        return None
    return db.session.get(model, other_id)


def merge_candidates(
    model: Any, record: Any, q: str, order: Sequence[Any], options: Sequence[Any] = ()
) -> list[Any]:
    """Records of ``model`` a search ``q`` finds to merge into ``record``."""
    return list(
        db.session.scalars(
            select(model)
            .options(*options)
            .where(text_search(model, q), model.id != record.id)
            .order_by(*order)
            .limit(MERGE_CANDIDATES)
        )
    )


def submit_merge(
    form: MergeForm, this: Any, other: Any, merge: Callable[[], None]
) -> bool:
    """Run ``merge`` for a submitted, current page and commit it; False (the
    form then says why) when either record changed since the page was shown."""
    if form.is_stale(this, other):
        form.form_errors.append(_(STALE_MESSAGE))
        return False
    merge()
    return commit_or_stale(form)
