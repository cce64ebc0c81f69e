"""The import and export engine every CSV kind shares.

A ``Kind`` (declared in its domain's ``io.py`` and listed in
``tracker.dataio.registry``) names its columns, how a record becomes a row,
and how a row is parsed and resolved. This module reads files, reports every
bad line and writes a whole file or nothing.

Each kind's CSV is self-contained, so an export imported into an empty
database recreates the same rows: a municipality row names its country, a
participation row names its event and person. A row that matches an
existing record (by its natural key) is matched, never duplicated; where
it differs in a column the file holds, the record is updated (a column left
out of the file changes nothing). A file's ``version`` column, when present,
must hold each record's current optimistic-lock version. A row whose name
folds like an existing record's ("Sabac" beside "Šabac") is listed as a
likely duplicate and written only when the import is confirmed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tracker.dataio.batch import Batch, Duplicate, Update
from tracker.dataio.fields import Parsed, RowError
from tracker.tabular import csv_chunks

MAX_IMPORT_ROWS = 20_000
# Enough for the longest text column (notes); a longer field is refused on
# its line by the csv module itself, before it is held in memory whole.
MAX_FIELD_CHARS = csv.field_size_limit()


class FileRefused(Exception):
    """The upload is not a CSV text file at all (said before any row is read)."""


@dataclass
class Problem:
    line: int
    column: str
    reason: str


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    matched: int = 0
    problems: list[Problem] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    #: True when likely duplicates kept an import from being written
    needs_confirmation: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Kind:
    name: str
    columns: tuple[str, ...]
    query: Callable[[], Select]
    to_row: Callable[[Any], tuple[Any, ...]]
    parse: Callable[[dict[str, str]], Parsed]
    resolve: Callable[[Batch, Parsed], bool]
    example: tuple[str, ...]
    #: the columns a file must have (its natural key); None: every column
    required: tuple[str, ...] | None = None

    @property
    def required_columns(self) -> tuple[str, ...]:
        return self.columns if self.required is None else self.required


def decode_csv(raw: bytes) -> str:
    """An uploaded or read file as text; the web page and the CLI both use this."""
    if b"\x00" in raw:
        raise FileRefused(_("The file is not a text file."))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(
            _("The file is not UTF-8 text. Save it as CSV UTF-8.")
        ) from None


def export_rows(session: Session, kind: Kind) -> Iterator[tuple[Any, ...]]:
    """Every row of ``kind``, fetched in batches (constant memory)."""
    result = session.scalars(kind.query().execution_options(yield_per=1000))
    for record in result:
        yield kind.to_row(record)


def _csv_error(error: csv.Error) -> str:
    message = str(error)
    if "field larger than field limit" in message:
        return _(
            'has a field longer than %(limit)s characters (is a closing quote " '
            "missing?)",
            limit=f"{MAX_FIELD_CHARS:,}",
        )
    if "unexpected end of data" in message:
        return _('has a quote " that is never closed')
    return _("is not valid CSV (%(reason)s)", reason=message)


def read_rows(
    kind: Kind, data: str, report: ImportReport
) -> list[tuple[int, dict[str, str]]] | None:
    """The file's rows by line; None when the file as a whole is refused.

    Every problem goes into ``report``; a row with the wrong number of fields
    is one problem on its line, and the other rows are still read.

    Lines are split as the csv module expects (``newline=""``): CRLF, LF and
    old-Mac CR alike, with line breaks inside quoted fields kept. Reading
    stops at the first row past the limit, so an over-long file is refused
    without being read whole.
    """
    reader = csv.reader(io.StringIO(data.lstrip("\ufeff"), newline=""), strict=True)
    try:
        header = [name.strip() for name in next(reader, [])]
    except csv.Error as error:
        report.problems.append(Problem(1, "", _csv_error(error)))
        return None
    repeated = sorted({name for name in header if header.count(name) > 1 and name})
    if repeated:
        report.problems.append(
            Problem(1, ", ".join(repeated), _("column appears more than once"))
        )
        return None
    missing = [column for column in kind.required_columns if column not in header]
    if missing:
        report.problems.append(Problem(1, ", ".join(missing), _("column is missing")))
        return None
    rows: list[tuple[int, dict[str, str]]] = []
    line = reader.line_num + 1
    try:
        for fields in reader:
            if fields:
                if len(rows) == MAX_IMPORT_ROWS:
                    report.problems.append(
                        Problem(
                            line,
                            "",
                            _(
                                "more than %(limit)s rows; split the file",
                                limit=f"{MAX_IMPORT_ROWS:,}",
                            ),
                        )
                    )
                    return None
                if len(fields) != len(header):
                    reason = (
                        _("has too many fields")
                        if len(fields) > len(header)
                        else _(
                            "has %(count)s fields; the header has %(header)s",
                            count=len(fields),
                            header=len(header),
                        )
                    )
                    report.problems.append(Problem(line, "", reason))
                else:
                    rows.append((line, dict(zip(header, fields, strict=True))))
            line = reader.line_num + 1
    except csv.Error as error:
        report.problems.append(Problem(line, "", _csv_error(error)))
        return None
    return rows


def import_csv(
    session: Session,
    kind: Kind,
    data: str,
    *,
    commit: bool,
    confirm_duplicates: bool = False,
) -> ImportReport:
    """Check every row; write them all only when ``commit`` and none is bad.

    Every row is checked against records fetched once for the whole file
    (``Batch``); nothing is written unless all rows pass (and, when some look
    like duplicates of existing records, unless ``confirm_duplicates``), and
    then every new record goes in one flush and every update in another,
    which the audit listener records as usual. The caller commits the
    transaction.
    """
    report = ImportReport(kind.name)
    rows = read_rows(kind, data, report)
    if rows is None:
        return report
    parsed: list[tuple[int, Parsed]] = []
    for line, row in rows:
        report.rows += 1
        try:
            values = kind.parse(row)
        except RowError as error:
            report.problems.append(Problem(line, error.column, error.reason))
            continue
        values["columns"] = frozenset(row)  # what the file says anything about
        parsed.append((line, values))
    batch = Batch(session, [values for _, values in parsed])
    for line, values in parsed:
        batch.line = line
        updates = len(batch.updates)
        try:
            created = kind.resolve(batch, values)
        except RowError as error:
            report.problems.append(Problem(line, error.column, error.reason))
            continue
        if created:
            report.created += 1
        elif len(batch.updates) > updates:
            report.updated += 1
        else:
            report.matched += 1
    report.updates, report.duplicates = batch.updates, batch.duplicates
    report.problems.sort(key=lambda problem: problem.line)
    if not (commit and report.ok):
        return report
    if report.duplicates and not confirm_duplicates:
        report.needs_confirmation = True
        return report
    savepoint = session.begin_nested()
    try:
        session.add_all(batch.new)
        session.flush()
        session.add_all([make() for make in batch.later])
        for update in batch.updates:
            update.apply()
        session.flush()
    except IntegrityError:
        savepoint.rollback()
        report.problems.append(
            Problem(1, "", _("conflicts with a record saved meanwhile; try again"))
        )
        return report
    except StaleDataError:
        savepoint.rollback()
        report.problems.append(
            Problem(1, "", _("a record was changed meanwhile; check the file again"))
        )
        return report
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    return report


def template_csv(kind: Kind) -> str:
    """An import file with the kind's columns and one example row."""
    return "".join(csv_chunks(kind.columns, [kind.example]))
