"""SQL expressions that SQLite and PostgreSQL spell differently.

Aggregates that the database computes (instead of Python looping over every
row) sometimes need arithmetic the two dialects write in their own way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class days_between(FunctionElement[int]):  # noqa: N801 - reads as a SQL function
    """Whole days from the date ``start`` to the date ``end`` (negative if before)."""

    type = Integer()
    inherit_cache = True

    def __init__(self, start: Any, end: Any) -> None:
        super().__init__(start, end)


@compiles(days_between)
def _days_between(element: days_between, compiler, **kw) -> str:
    # SQLite stores dates as ISO text; julianday() turns them into day numbers.
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element: days_between, compiler, **kw) -> str:
    # date - date is an integer number of days.
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({end} - {start})"
