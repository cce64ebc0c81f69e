"""Helpers the seed modules share."""

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

M = TypeVar("M")


def get_or_create(
    session: Session, model: type[M], lookup: dict[str, Any], **values: Any
) -> M:
    """The row matching ``lookup``, created with ``values`` when missing."""
    query = select(model).filter_by(**lookup)
    obj = session.scalars(query).first()
    if obj is None:
        obj = model(**lookup, **values)
        session.add(obj)
        session.flush()
    return obj
