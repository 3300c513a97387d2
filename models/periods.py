"""A span of Bangkok days: a day, a month, a fiscal quarter or year, a year to date, or any days.

Fiscal years are named by the Buddhist Era year they end in (1 October to 30 September); the clock's
keys are Buddhist Era too: ``2569-03`` for a month, ``2569-Q2`` for a fiscal quarter.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from models.timeutil import (
    BANGKOK,
    THAI_MONTHS,
    be_year,
    ce_year,
    fiscal_quarter,
    fiscal_year,
    fiscal_year_bounds,
    from_be,
    thai_date,
    to_bangkok,
)

DAY, MONTH, QUARTER, YEAR, YEAR_TO_DATE, DAYS = "day", "month", "quarter", "year", "ytd", "days"


@dataclass(frozen=True, order=True)
class Period:
    """Inclusive Bangkok days from first to last, with what kind of span they are."""

    first: date
    last: date
    kind: str = field(default=DAYS, compare=False)

    @classmethod
    def between(cls, first: date, last: date) -> Period:
        """Any days, first to last inclusive."""
        return cls(first, last, DAYS)

    @classmethod
    def of_day(cls, day: date) -> Period:
        """One day."""
        return cls(day, day, DAY)

    @classmethod
    def of_month(cls, year: int, month: int) -> Period:
        """A calendar month (Common Era year; a Buddhist Era year above 2400 is converted)."""
        year = ce_year(year)
        if not 1 <= month <= 12:
            raise ValueError(f"not a month: {month}")
        return cls(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), MONTH)

    @classmethod
    def month_of(cls, day: date | datetime) -> Period:
        """The month a date (or an aware moment, in Bangkok) falls in."""
        if isinstance(day, datetime):
            day = to_bangkok(day).date()
        return cls.of_month(day.year, day.month)

    @classmethod
    def of_quarter(cls, fiscal_year_be: int, quarter: int) -> Period:
        """A fiscal quarter (quarter 1 = October to December)."""
        if not 1 <= quarter <= 4:
            raise ValueError(f"not a quarter: {quarter}")
        start, _ = fiscal_year_bounds(fiscal_year_be)
        first = _add_months(start, 3 * (quarter - 1))
        return cls(first, _add_months(first, 3) - timedelta(days=1), QUARTER)

    @classmethod
    def of_fiscal_year(cls, fiscal_year_be: int) -> Period:
        """A fiscal year named by its BE year (1 October to 30 September)."""
        return cls(*fiscal_year_bounds(fiscal_year_be), YEAR)

    @classmethod
    def year_to_date(cls, fiscal_year_be: int, quarter: int) -> Period:
        """From the start of a fiscal year to the end of one of its quarters."""
        return cls(fiscal_year_bounds(fiscal_year_be)[0], cls.of_quarter(fiscal_year_be, quarter).last, YEAR_TO_DATE)

    @classmethod
    def parse_month(cls, key: str) -> Period:
        """Read a month key such as '2569-03'."""
        match = re.fullmatch(r"(\d{4})-(\d{2})", key.strip())
        if not match or not 1 <= int(match[2]) <= 12:
            raise ValueError(f"not a month key (e.g. 2569-03): {key!r}")
        return cls.of_month(from_be(int(match[1])), int(match[2]))

    @classmethod
    def parse_quarter(cls, key: str) -> Period:
        """Read a quarter key such as '2569-Q2'."""
        match = re.fullmatch(r"(\d{4})-Q([1-4])", key.strip())
        if not match:
            raise ValueError(f"not a quarter key (e.g. 2569-Q2): {key!r}")
        return cls.of_quarter(int(match[1]), int(match[2]))

    @property
    def fiscal_year(self) -> int:
        """The BE fiscal year the last day falls in."""
        return fiscal_year(self.last)

    @property
    def quarter(self) -> int | None:
        """The fiscal quarter the last day falls in (None for a whole fiscal year)."""
        return None if self.kind == YEAR else fiscal_quarter(self.last)

    @property
    def year(self) -> int:
        """The Common Era year of the first day."""
        return self.first.year

    @property
    def month(self) -> int:
        """The month number of the first day."""
        return self.first.month

    @property
    def days(self) -> int:
        """How many days the span has."""
        return (self.last - self.first).days + 1

    @property
    def starts(self) -> datetime:
        """The first instant (aware, Bangkok)."""
        return datetime.combine(self.first, time.min, BANGKOK)

    @property
    def ends(self) -> datetime:
        """The first instant after the span (aware, Bangkok)."""
        return datetime.combine(self.last + timedelta(days=1), time.min, BANGKOK)

    @property
    def key(self) -> str:
        """The clock's key: '2569-03' for a month, '2569-Q2' for a quarter."""
        if self.kind == MONTH:
            return f"{be_year(self.first)}-{self.first.month:02d}"
        if self.kind == QUARTER:
            return f"{self.fiscal_year}-Q{self.quarter}"
        raise ValueError(f"a {self.kind} period has no key")

    def label(self) -> str:
        """The span in Thai, e.g. 'มีนาคม 2569' or 'ปีงบประมาณ 2564 ไตรมาสที่ 4 (1 ก.ค. 2564 – 30 ก.ย. 2564)'."""
        days = f"{thai_date(self.first, short=True)} – {thai_date(self.last, short=True)}"
        if self.kind == MONTH:
            return f"{THAI_MONTHS[self.first.month - 1]} {be_year(self.first)}"
        if self.kind == DAY:
            return thai_date(self.first)
        if self.kind == YEAR:
            return f"ปีงบประมาณ {self.fiscal_year} ({days})"
        if self.kind == QUARTER:
            return f"ปีงบประมาณ {self.fiscal_year} ไตรมาสที่ {self.quarter} ({days})"
        if self.kind == YEAR_TO_DATE:
            return f"ปีงบประมาณ {self.fiscal_year} ถึงสิ้นไตรมาสที่ {self.quarter} ({days})"
        return days

    def next(self) -> Period:
        """The following month (of a month period)."""
        return Period.month_of(_add_months(self.first.replace(day=1), 1))

    def previous(self) -> Period:
        """The month before (of a month period)."""
        return Period.month_of(_add_months(self.first.replace(day=1), -1))

    def day(self, number: int) -> date:
        """A day of the first day's month, clamped to its length."""
        last = calendar.monthrange(self.first.year, self.first.month)[1]
        return self.first.replace(day=min(max(number, 1), last))

    def clipped(self, as_of: date | None) -> Period | None:
        """The part of the span up to as_of (None when nothing of it has passed)."""
        if as_of is None or as_of >= self.last:
            return self
        if as_of < self.first:
            return None
        return Period.between(self.first, as_of)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, day.day)
