"""The clock's settings as one frozen value, read from the settings table (defaults in models/settings.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import workdays as calendar
from models.deadlines import DeadlineRule, parse_clock
from models.settings import DEFAULTS, Setting, get_setting

log = logging.getLogger(__name__)

DEFAULT_ROUNDS = (("รอบกลางวัน", "06:00", "18:00"), ("รอบกลางคืน", "18:00", "06:00"))


def _clock(value: Any, fallback: str) -> time:
    """'17:00' -> time(17, 0); a bad value falls back to the default (and is logged)."""
    return parse_clock(value, parse_clock(fallback, time(0, 0)))


def read(session: Session | None, key: str, fallback: Any = None) -> Any:
    """A setting's value; the fallback when the key is not defined (another feature's key not yet there)."""
    if key not in DEFAULTS:
        return fallback
    if session is None:
        return DEFAULTS[key]
    return get_setting(session, key)


def _all_settings(session: Session | None) -> Callable[[str, Any], Any]:
    """A reader over every setting, fetched in one query."""
    stored = {} if session is None else dict(session.execute(select(Setting.key, Setting.value)).tuples().all())

    def value(key: str, fallback: Any = None) -> Any:
        if key not in DEFAULTS:
            return fallback
        return stored.get(key, DEFAULTS[key])

    return value


@dataclass(frozen=True)
class Policy:
    """When each step of the clock happens and to whom its messages go."""

    holiday_policy: str = calendar.PREVIOUS_WORKING_DAY
    extra_holidays: frozenset[date] = frozenset()
    due_day: int = 7
    open_time: time = time(8, 0)
    reminder_time: time = time(9, 0)
    compile_time: time = time(17, 0)
    overdue_time: time = time(9, 0)
    quarterly_day: int = 10
    quarterly_time: time = time(9, 0)
    round_rule: str = "windows"
    rounds: tuple[tuple[str, str, str], ...] = DEFAULT_ROUNDS
    round_warning: timedelta = timedelta(minutes=60)
    camera_time: time = time(20, 0)
    recipients: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=True, hash=False)

    @property
    def deadline(self) -> DeadlineRule:
        """The month report's deadline rule (models/deadlines.py) these settings make."""
        return DeadlineRule(self.due_day, self.compile_time, self.holiday_policy, self.extra_holidays)

    def adjust(self, day: date, earliest: date | None = None) -> date:
        """A deadline day moved by the weekend/holiday policy."""
        return calendar.adjust(day, self.holiday_policy, self.extra_holidays, earliest=earliest)

    def round_settings(self) -> list[dict[str, str]]:
        """The rounds in the shape reports.riskpoint_rounds reads."""
        return [{"name": name, "start": start, "end": end} for name, start, end in self.rounds]

    @classmethod
    def load(cls, session: Session | None) -> Policy:
        """Read every setting (session None: the defaults)."""
        setting = _all_settings(session)
        rounds = setting("riskpoints.rounds", None) or [{"name": n, "start": s, "end": e} for n, s, e in DEFAULT_ROUNDS]
        deadline = DeadlineRule.from_settings(setting)  # the one reading of the month report's deadline
        return cls(
            holiday_policy=deadline.holiday_policy,
            extra_holidays=deadline.extra_holidays,
            due_day=deadline.due_day,
            open_time=_clock(setting("scheduler.month_open_time", "08:00"), "08:00"),
            reminder_time=_clock(setting("scheduler.reminder_time", "09:00"), "09:00"),
            compile_time=deadline.closes_at,
            overdue_time=_clock(setting("scheduler.overdue_time", "09:00"), "09:00"),
            quarterly_day=int(setting("scheduler.quarterly_day", 10)),
            quarterly_time=_clock(setting("scheduler.quarterly_time", "09:00"), "09:00"),
            round_rule=str(setting("riskpoints.round_rule", "windows")),
            rounds=tuple((str(r.get("name") or ""), str(r["start"]), str(r["end"])) for r in rounds),
            round_warning=timedelta(minutes=int(setting("scheduler.round_warning_minutes", 60))),
            camera_time=_clock(setting("scheduler.camera_check_time", "20:00"), "20:00"),
            recipients={
                role: tuple(setting(f"scheduler.recipients.{role}", []) or ())
                for role in ("secretariat", "supervisors", "admins")
            },
        )
