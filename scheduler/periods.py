"""The clock's day, patrol-round and step keys, in the Buddhist Era (month and quarter keys: models.periods).

- a report month: ``2569-03`` (March 2569; its cycle runs in April);
- a fiscal quarter: ``2569-Q2`` (fiscal year 2569, January to March 2569);
- a day: ``2569-03-15``; a patrol round: ``2569-03-15:r1`` (round 1 that started that day);
- a step of a job inside a period: ``2569-03:day5``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from models.timeutil import BANGKOK, be_year, from_be


def day_key(day: date) -> str:
    """e.g. '2569-03-15'."""
    return f"{be_year(day)}-{day.month:02d}-{day.day:02d}"


def parse_day(key: str) -> date:
    """Read a key such as '2569-03-15'."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", key.strip())
    if not match:
        raise ValueError(f"not a day key (e.g. 2569-03-15): {key!r}")
    return date(from_be(int(match[1])), int(match[2]), int(match[3]))


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
