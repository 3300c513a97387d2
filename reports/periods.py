"""Fiscal periods as Bangkok dates and the UTC instants that bound them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from models.timeutil import BANGKOK, fiscal_year_bounds, thai_date


@dataclass(frozen=True)
class Period:
    """A fiscal year (quarter None) or one of its quarters, named by the BE fiscal year."""

    fiscal_year: int
    quarter: int | None = None

    @property
    def first_day(self) -> date:
        """The period's first day (Bangkok)."""
        start, _ = fiscal_year_bounds(self.fiscal_year)
        if self.quarter is None:
            return start
        month = start.month + 3 * (self.quarter - 1)
        return date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    @property
    def last_day(self) -> date:
        """The period's last day (Bangkok)."""
        if self.quarter is None:
            return fiscal_year_bounds(self.fiscal_year)[1]
        first = self.first_day
        month = first.month + 3
        return date(first.year + (month - 1) // 12, (month - 1) % 12 + 1, 1) - timedelta(days=1)

    @property
    def starts(self) -> datetime:
        """The first instant of the period (aware)."""
        return datetime.combine(self.first_day, time.min, BANGKOK)

    @property
    def ends(self) -> datetime:
        """The first instant after the period (aware)."""
        return datetime.combine(self.last_day + timedelta(days=1), time.min, BANGKOK)

    def label(self) -> str:
        """The period in Thai, e.g. 'ปีงบประมาณ 2564 ไตรมาสที่ 4 (1 ก.ค. 2564 – 30 ก.ย. 2564)'."""
        name = f"ปีงบประมาณ {self.fiscal_year}"
        if self.quarter is not None:
            name += f" ไตรมาสที่ {self.quarter}"
        return f"{name} ({thai_date(self.first_day, short=True)} – {thai_date(self.last_day, short=True)})"
