"""The working group's rule errors."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

Row = TypeVar("Row")


class WorkgroupError(ValueError):
    """An action the data does not allow (shown to the staff member as is, in Thai)."""


def get_or_refuse(session: Session, model: type[Row], row_id: int, missing: str) -> Row:
    """The row of ``model`` with this id, or a WorkgroupError saying ``missing``."""
    row = session.get(model, row_id)
    if row is None:
        raise WorkgroupError(missing)
    return row
