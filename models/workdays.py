"""Working days in Bangkok: weekends, Thailand's public and government holidays, and local additions.

Pure date logic (no database, no clock), so that every layer may use it: the clock's steps
(scheduler/triggers.py) and the month report's deadline (models/deadlines.py) move days with it.

The holidays come from the maintained `holidays` package (Thailand, categories public and government,
names in Thai); the setting ``scheduler.extra_holidays`` adds local days off ("2569-04-16" in the
Buddhist Era or "2026-04-16").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays

from models.timeutil import ce_year

AS_IS = "as_is"
PREVIOUS_WORKING_DAY = "previous_working_day"
POLICIES = (PREVIOUS_WORKING_DAY, AS_IS)


@lru_cache(maxsize=16)
def _thailand(year: int) -> dict[date, str]:
    """Thailand's public and government holidays of one year, with Thai names."""
    calendar = holidays.Thailand(years=year, categories=("public", "government"), language="th")
    return dict(calendar.items())


def parse_extra_days(values: Iterable[str]) -> frozenset[date]:
    """Read local holidays given as ISO dates, in the Buddhist Era (year > 2400) or the Common Era."""
    days = set()
    for value in values or ():
        year, month, day = (int(part) for part in str(value).strip().split("-"))
        days.add(date(ce_year(year), month, day))
    return frozenset(days)


def holiday_name(day: date, extra: frozenset[date] = frozenset()) -> str | None:
    """The Thai name of the holiday on a day, 'วันหยุดเพิ่มเติม' for a local one, else None."""
    if day in extra:
        return "วันหยุดเพิ่มเติม"
    return _thailand(day.year).get(day)


def is_working_day(day: date, extra: frozenset[date] = frozenset()) -> bool:
    """Monday to Friday and not a holiday."""
    return day.weekday() < 5 and holiday_name(day, extra) is None


def adjust(day: date, policy: str, extra: frozenset[date] = frozenset(), *, earliest: date | None = None) -> date:
    """The day a dated step happens on under the policy: as is, or the working day before (not before earliest)."""
    if policy != PREVIOUS_WORKING_DAY:
        return day
    moved = day
    while not is_working_day(moved, extra):
        moved -= timedelta(days=1)
        if earliest is not None and moved < earliest:
            return day
    return moved
