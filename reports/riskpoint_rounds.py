"""Patrol rounds: which round and patrol day a moment belongs to, as pure functions of the settings.

Two rules (setting ``riskpoints.round_rule``):
- ``windows``: rounds are Bangkok time windows (``riskpoints.rounds``, e.g. 06:00–18:00 and 18:00–06:00);
  a window that passes midnight belongs to the day it started on.
- ``gap``: a visit counts as a new round when it comes at least ``riskpoints.round_gap_hours`` after the
  last counted visit of that Bangkok day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from models.timeutil import BANGKOK, to_bangkok


@dataclass(frozen=True)
class Window:
    """One round window in Bangkok local time."""

    number: int
    name: str
    start: time
    end: time

    @property
    def overnight(self) -> bool:
        """Whether the window passes midnight (e.g. 18:00–06:00)."""
        return self.end <= self.start

    def label(self) -> str:
        """e.g. 'รอบกลางคืน 18:00–06:00 น.'."""
        return f"{self.name} {self.start:%H:%M}–{self.end:%H:%M} น."

    def bounds(self, day: date) -> tuple[datetime, datetime]:
        """The aware start and end of this window on a patrol day."""
        start = datetime.combine(day, self.start, BANGKOK)
        end_day = day + timedelta(days=1) if self.overnight else day
        return start, datetime.combine(end_day, self.end, BANGKOK)


def _time(value: str) -> time:
    hours, minutes = value.strip().split(":")
    return time(int(hours) % 24, int(minutes))


def windows(rounds: list[dict[str, Any]]) -> list[Window]:
    """The configured windows, numbered from 1 in the order given."""
    return [
        Window(number, str(item.get("name") or f"รอบที่ {number}"), _time(item["start"]), _time(item["end"]))
        for number, item in enumerate(rounds, start=1)
    ]


def locate(moment: datetime, rounds: list[dict[str, Any]]) -> tuple[date, int]:
    """The patrol day and round number of a moment under the windows rule (round 0: outside every window)."""
    local = to_bangkok(moment)
    clock = local.time()
    for window in windows(rounds):
        if not window.overnight and window.start <= clock < window.end:
            return local.date(), window.number
        if window.overnight:
            if clock >= window.start:
                return local.date(), window.number
            if clock < window.end:
                return local.date() - timedelta(days=1), window.number
    return local.date(), 0


def gap_round(moment: datetime, counted_today: list[tuple[datetime, int]], gap_hours: float) -> tuple[date, int]:
    """The patrol day and round under the gap rule, given the day's earlier (moment, round) visits."""
    day = to_bangkok(moment).date()
    if not counted_today:
        return day, 1
    last_moment, last_round = max(counted_today)
    if moment - last_moment >= timedelta(hours=gap_hours):
        return day, last_round + 1
    return day, last_round


def current_round(now: datetime, rounds: list[dict[str, Any]]) -> Window | None:
    """The window a moment falls in, if any."""
    _, number = locate(now, rounds)
    return next((w for w in windows(rounds) if w.number == number), None)
