"""Pages of query results, shared by the admin web lists and the JSON API."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class Page:
    """One page of rows and where it sits among all of them."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least 1)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        """Tell whether a previous page exists."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Tell whether a next page exists."""
        return self.page < self.pages

    def meta(self) -> dict:
        """The page's position as JSON-ready numbers."""
        return {"page": self.page, "per_page": self.per_page, "total": self.total, "pages": self.pages}


def _positive_int(value: object, default: int) -> int:
    """Read a positive integer, falling back to the default."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


def page_args(args: Mapping[str, Any], *, default_per_page: int = DEFAULT_PER_PAGE) -> tuple[int, int]:
    """Read ?page= and ?per_page= leniently: bad values fall back to 1 and the default, per_page is capped."""
    page = _positive_int(args.get("page"), 1)
    per_page = min(_positive_int(args.get("per_page"), default_per_page), MAX_PER_PAGE)
    return page, per_page


def paginate(session: Session, statement: Select, page: int, per_page: int, *, scalars: bool = True) -> Page:
    """Run an ordered select for one page and count all its rows."""
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    query = statement.limit(per_page).offset((page - 1) * per_page)
    items = list(session.scalars(query)) if scalars else list(session.execute(query))
    return Page(items=items, page=page, per_page=per_page, total=total)
