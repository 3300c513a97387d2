"""The clock's period keys: report months, fiscal quarters, days and patrol rounds, all in the Buddhist Era.

- a report month: ``2569-03`` (March 2569; its cycle runs in April);
- a fiscal quarter: ``2569-Q2`` (fiscal year 2569, January to March 2569);
- a day: ``2569-03-15``; a patrol round: ``2569-03-15:r1`` (round 1 that started that day);
- a step of a job inside a period: ``2569-03:day5``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from models.timeutil import BANGKOK, BE_OFFSET, THAI_MONTHS, to_bangkok
from reports.periods import Period


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month (Common Era numbers inside, Buddhist Era in its key and label)."""

    year: int
    month: int

    @classmethod
    def of(cls, day: date | datetime) -> Month:
        """The month a date (or an aware moment, in Bangkok) falls in."""
        if isinstance(day, datetime):
            day = to_bangkok(day).date()
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, key: str) -> Month:
        """Read a key such as '2569-03'."""
        match = re.fullmatch(r"(\d{4})-(\d{2})", key.strip())
        if not match or not 1 <= int(match[2]) <= 12:
            raise ValueError(f"not a month key (e.g. 2569-03): {key!r}")
        return cls(int(match[1]) - BE_OFFSET, int(match[2]))

    @property
    def key(self) -> str:
        """e.g. '2569-03'."""
        return f"{self.year + BE_OFFSET}-{self.month:02d}"

    def label(self) -> str:
        """e.g. 'มีนาคม 2569'."""
        return f"{THAI_MONTHS[self.month - 1]} {self.year + BE_OFFSET}"

    def next(self) -> Month:
        """The following month."""
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        """The month before."""
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def day(self, number: int) -> date:
        """A day of this month, clamped to its length."""
        last = (date(self.next().year, self.next().month, 1) - timedelta(days=1)).day
        return date(self.year, self.month, min(max(number, 1), last))

    @property
    def starts(self) -> datetime:
        """The first instant of the month (Bangkok)."""
        return datetime.combine(self.day(1), time.min, BANGKOK)

    @property
    def ends(self) -> datetime:
        """The first instant after the month (Bangkok)."""
        return self.next().starts


def quarter_key(period: Period) -> str:
    """e.g. '2569-Q2'."""
    return f"{period.fiscal_year}-Q{period.quarter}"


def parse_quarter(key: str) -> Period:
    """Read a key such as '2569-Q2'."""
    match = re.fullmatch(r"(\d{4})-Q([1-4])", key.strip())
    if not match:
        raise ValueError(f"not a quarter key (e.g. 2569-Q2): {key!r}")
    return Period(int(match[1]), int(match[2]))


def day_key(day: date) -> str:
    """e.g. '2569-03-15'."""
    return f"{day.year + BE_OFFSET}-{day.month:02d}-{day.day:02d}"


def parse_day(key: str) -> date:
    """Read a key such as '2569-03-15'."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", key.strip())
    if not match:
        raise ValueError(f"not a day key (e.g. 2569-03-15): {key!r}")
    return date(int(match[1]) - BE_OFFSET, int(match[2]), int(match[3]))


def round_key(day: date, number: int) -> str:
    """e.g. '2569-03-15:r1'."""
    return f"{day_key(day)}:r{number}"


def parse_round(key: str) -> tuple[date, int]:
    """Read a key such as '2569-03-15:r1'."""
    day, _, number = key.partition(":r")
    if not number.isdigit():
        raise ValueError(f"not a round key (e.g. 2569-03-15:r1): {key!r}")
    return parse_day(day), int(number)


def split_step(key: str) -> tuple[str, str | None]:
    """'2569-03:day5' -> ('2569-03', 'day5'); a key without a step gives None."""
    base, _, step = key.partition(":")
    return base, step or None


def at(day: date, clock: time) -> datetime:
    """An aware Bangkok moment on a day."""
    return datetime.combine(day, clock, BANGKOK)
