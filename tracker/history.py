"""A record's History panel in words: its audit entries as a reader says them.

The audit trail stores what the database held (``current_stage_id: 7 -> 8``,
ISO timestamps, ``True``); the panel shows what it meant ("Stage: Diagnosis
-> Solutions formulation", "4 Sep 2017 10:00 CEST", "Yes"). The raw diff
stays on the entry for administrators.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Enum,
    Integer,
    literal,
    select,
    union_all,
)
from sqlalchemy import Table as SQLTable
from sqlalchemy.orm import Session

from tracker.audit import REDACTED
from tracker.audit import history_for as audit_entries_for
from tracker.i18n import format_day, format_moment
from tracker.models import (
    AuditEntry,
    Cohort,
    Country,
    Event,
    Municipality,
    Person,
    Program,
    Stage,
    User,
)
from tracker.models.base import UTCDateTime
from tracker.models.enums import label
from tracker.translation import lazy_gettext as _l
from tracker.vocabulary import field_label, yes_no

# What names a referenced record, by its table.
NAMES = {
    column.class_.__tablename__: column
    for column in (
        Cohort.name,
        Country.name,
        Event.title,
        Municipality.name,
        Person.full_name,
        Program.name,
        Stage.name,
        User.email,
    )
}
NOTHING = "—"
ACTIONS = {
    "create": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
}


@dataclass(frozen=True)
class Change:
    field: str
    old: str | None  # None: a single value, not a change from one to another
    new: str


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    who: str
    action: str
    changes: list[Change]
    raw: dict[str, Any]


def history_for(session: Session, obj: object, limit: int = 50) -> list[HistoryRow]:
    """The newest audit entries about ``obj``, in words; two queries at most."""
    entries = audit_entries_for(session, obj, limit)
    table: SQLTable = type(obj).__table__  # type: ignore[attr-defined]
    names = _referenced_names(session, table, entries)
    return [
        HistoryRow(
            at=entry.at,
            who=entry.actor_label or label(entry.actor_role),
            action=str(ACTIONS.get(entry.action) or label(entry.action)),
            changes=[
                _change(table, key, values, names)
                for key, values in entry.changes.items()
            ],
            raw=entry.changes,
        )
        for entry in entries
    ]


def _change(
    table: SQLTable, key: str, values: Any, names: dict[tuple[str, int], str]
) -> Change:
    if isinstance(values, list) and len(values) == 2:
        return Change(
            field_label(key),
            _in_words(table, key, values[0], names),
            _in_words(table, key, values[1], names),
        )
    return Change(field_label(key), None, _in_words(table, key, values, names))


def _target(table: SQLTable, key: str) -> str | None:
    """The table a foreign-key column refers to, if it names one we can name."""
    column = table.columns.get(key)
    if column is None:
        return None
    for foreign_key in column.foreign_keys:
        target = foreign_key.column.table.name
        if target in NAMES:
            return target
    return None


def _referenced_names(
    session: Session, table: SQLTable, entries: list[AuditEntry]
) -> dict[tuple[str, int], str]:
    """The names of every record the entries refer to, in one statement."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        for key, values in entry.changes.items():
            target = _target(table, key)
            if target is None or not isinstance(values, list):
                continue
            wanted.setdefault(target, set()).update(
                value for value in values if isinstance(value, int)
            )
    parts = []
    for position, (target, ids) in enumerate(sorted(wanted.items())):
        if not ids:
            continue
        name = NAMES[target]
        model_id = name.class_.id  # type: ignore[attr-defined]
        parts.append(
            # Typed, so PostgreSQL's UNION need not guess the parameter's type.
            select(literal(position, Integer), model_id, name).where(
                model_id.in_(sorted(ids))
            )
        )
    if not parts:
        return {}
    targets = sorted(wanted)
    statement = parts[0] if len(parts) == 1 else union_all(*parts)
    return {
        (targets[position], record_id): str(name)
        for position, record_id, name in session.execute(statement)
    }


def _in_words(
    table: SQLTable, key: str, value: Any, names: dict[tuple[str, int], str]
) -> str:
    if value is None or value == "":
        return NOTHING
    if value == REDACTED:
        return str(value)
    if (target := _target(table, key)) is not None and isinstance(value, int):
        return names.get((target, value), f"#{value}")
    column = table.columns.get(key)
    kind = column.type if column is not None else None
    if isinstance(kind, Boolean) or isinstance(value, bool):
        return yes_no(bool(value))
    if isinstance(kind, UTCDateTime | DateTime) and isinstance(value, str):
        try:
            return format_moment(datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(kind, Date) and isinstance(value, str):
        try:
            return format_day(date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(kind, Enum):
        return label(str(value))
    return str(value)
