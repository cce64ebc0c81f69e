"""Search that knows the region's letters and scripts.

Every searchable record keeps a *search key*: its searched fields folded the
way people type them — case-folded, diacritics removed (š→s, ç→c, ë→e,
ž→z), Serbian and Macedonian Cyrillic written in Latin (Шабац→sabac,
Скопје→skopje), and đ as both "dj" and "d". A query is folded the same way
and looked for *inside* the key, so ``sabac``, ``Šabac``, ``ŠABAC`` and
``Шабац`` find the same municipality.

The key is written in one place, a mapper event on ``Searchable`` models,
on every insert and update. "Contains" is answered by an index, so a
search costs the same whatever the table's size: a trigram GIN index on
PostgreSQL (``pg_trgm``), an FTS5 table with the trigram tokenizer on
SQLite, kept in step by triggers.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import (
    DDL,
    ColumnElement,
    Select,
    Text,
    event,
    false,
    literal_column,
    select,
)
from sqlalchemy import table as table_clause
from sqlalchemy.orm import Mapped, mapped_column

# Cyrillic letters of Serbian and Macedonian (and a few more) in Latin, as
# the region writes them; ђ goes through đ so it gets both spellings.
CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "đ", "е": "e",
    "ж": "z", "з": "z", "и": "i", "ј": "j", "к": "k", "л": "l", "љ": "lj",
    "м": "m", "н": "n", "њ": "nj", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "ћ": "c", "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "c",
    "џ": "dz", "ш": "s", "ѓ": "gj", "ќ": "kj", "ѕ": "dz", "й": "j", "ы": "y",
    "э": "e", "ю": "ju", "я": "ja", "щ": "st", "ъ": "", "ь": "", "ё": "e",
    "є": "je", "і": "i", "ї": "ji",
}  # fmt: skip
# Letters Unicode does not decompose into a base letter and a mark.
UNDECOMPOSED = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "ħ": "h"}
# What a key or query keeps besides letters and digits: e-mail addresses, and
# the LIKE wildcards, searched as text ("100%" is not "1000").
KEPT = "@.-%_"
SEPARATOR = "|"  # between fields in a key; no query holds it
NOT_KEPT = re.compile(rf"[^\w{re.escape(KEPT)}]+")


def _fold(text: str, dj: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    letters = []
    for letter in text:
        letter = CYRILLIC.get(letter, letter)
        if letter == "đ":
            letters.append(dj)
            continue
        letter = UNDECOMPOSED.get(letter, letter)
        decomposed = unicodedata.normalize("NFKD", letter)
        letters.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return " ".join(NOT_KEPT.sub(" ", "".join(letters)).split())


def fold(text: str) -> str:
    """``text`` as a query is matched: "Đakovo" -> "djakovo", "Шабац" -> "sabac"."""
    return _fold(text, "dj")


def search_key(*fields: str | None) -> str:
    """The key a record is found by: its fields folded, with both spellings of đ."""
    parts = []
    for field in fields:
        if not field:
            continue
        parts.append(_fold(field, "dj"))
        if "đ" in field.casefold() or "ђ" in field.casefold():
            parts.append(_fold(field, "d"))
    return SEPARATOR.join(part for part in parts if part)


class Searchable:
    """A model found by text: ``__search_fields__`` names what its key holds.

    ``__search_indexed__`` False leaves out the index for tables that stay
    small (countries, user accounts): a scan of a few rows is as fast.
    """

    __search_fields__: tuple[str, ...] = ()
    __search_indexed__: bool = True

    search_key: Mapped[str] = mapped_column(Text, default="")


def key_of(record: Any) -> str:
    return search_key(*(getattr(record, name) for name in record.__search_fields__))


@event.listens_for(Searchable, "before_insert", propagate=True)
@event.listens_for(Searchable, "before_update", propagate=True)
def _write_key(_mapper, _connection, record: Any) -> None:
    key = key_of(record)
    if record.search_key != key:
        record.search_key = key


def contains(model: Any, text: str, dialect_name: str) -> ColumnElement[bool]:
    """Records of ``model`` whose key holds the folded ``text``.

    A query with nothing searchable left once folded (only punctuation)
    finds nothing.
    """
    folded = fold(text)
    if not folded:
        return false()
    if "%" in folded or "_" in folded:
        # Wildcards typed as text: a rare search, answered by a scan of the keys.
        escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return model.search_key.like(f"%{escaped}%", escape="\\")
    if dialect_name == "sqlite" and model.__search_indexed__:
        return model.id.in_(matching_ids(model, text, dialect_name))
    return model.search_key.like(f"%{folded}%")


def matching_ids(
    model: Any, text: str, dialect_name: str, limit: int | None = None
) -> Select | None:
    """The ids of at most ``limit`` records of ``model`` whose key holds the
    folded ``text``, found through the index (lowest ids first on SQLite);
    None when the index cannot answer (no index, nothing to search, or
    wildcards typed as text)."""
    folded = fold(text)
    if not model.__search_indexed__ or not folded or "%" in folded or "_" in folded:
        return None
    pattern = f"%{folded}%"
    if dialect_name == "sqlite":
        index = fts_table(model.__tablename__)
        ids = (
            select(literal_column("rowid"))
            .select_from(table_clause(index))
            .where(literal_column(f"{index}.search_key").like(pattern))
        )
    else:
        ids = select(model.id).where(model.search_key.like(pattern))
    return ids if limit is None else ids.limit(limit)


# -- the indexes ---------------------------------------------------------------


def fts_table(table: str) -> str:
    return f"{table}_search"


def is_search_index(name: str | None) -> bool:
    """A search index: an FTS5 table (or one of its shadow tables) or a trigram
    index. They are made by DDL, not declared in the models' metadata."""
    return bool(
        name
        and re.fullmatch(
            r"\w+_search(_(data|idx|config|docsize|content))?|ix_\w+_search_trgm",
            name,
        )
    )


def include_in_migrations(_object, name, _type, reflected, _compare_to) -> bool:
    """Alembic's ``include_object``: leave the search indexes out of comparisons."""
    return not (reflected and is_search_index(name))


def sqlite_index_statements(table: str) -> list[str]:
    """An FTS5 trigram index over ``table.search_key``, kept in step by triggers.

    DDL, so names cannot be bound parameters; ``table`` is always a model's
    table name from the code, never input (hence the ``nosec`` marks).
    """
    fts = fts_table(table)
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5(search_key, content='{table}', "
        f"content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "  # nosec B608
        f"INSERT INTO {fts}(rowid, search_key) VALUES (new.id, new.search_key); END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "  # nosec B608
        f"INSERT INTO {fts}({fts}, rowid, search_key) "
        f"VALUES ('delete', old.id, old.search_key); END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF search_key ON {table} BEGIN "  # nosec B608
        f"INSERT INTO {fts}({fts}, rowid, search_key) "
        f"VALUES ('delete', old.id, old.search_key); "
        f"INSERT INTO {fts}(rowid, search_key) VALUES (new.id, new.search_key); END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",  # nosec B608
    ]


def postgresql_index_statements(table: str) -> list[str]:
    return [
        f"CREATE INDEX ix_{table}_search_trgm ON {table} "
        "USING gin (search_key gin_trgm_ops)"
    ]


PG_TRGM = "CREATE EXTENSION IF NOT EXISTS pg_trgm"


def add_indexes(model: Any) -> None:
    """Create ``model``'s search index with its table (``create_all``)."""
    if not model.__search_indexed__:
        return
    table = model.__table__
    for statement in sqlite_index_statements(table.name):
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="sqlite"))
    event.listen(table, "before_create", DDL(PG_TRGM).execute_if(dialect="postgresql"))
    for statement in postgresql_index_statements(table.name):
        event.listen(
            table, "after_create", DDL(statement).execute_if(dialect="postgresql")
        )


# -- duplicates ----------------------------------------------------------------


def name_keys(name: str | None) -> set[str]:
    """The folded spellings of a name: "Đakovo" -> {"djakovo", "dakovo"}."""
    return set(search_key(name).split(SEPARATOR)) - {""}


def same_name(one: str | None, other: str | None) -> bool:
    """Whether two names are the same once folded ("Sabac" and "Šabac", "Шабац")."""
    return bool(name_keys(one) & name_keys(other))
