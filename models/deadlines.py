"""The one deadline of a month report: the instant after which a unit's report for month M is late.

A month's report is due on ``riskpoints.report_due_day`` (7) of the following month at
``scheduler.compile_time`` (17:00, Bangkok), the day moved by ``scheduler.holiday_policy`` (to the working
day before, never before the 2nd) with ``scheduler.extra_holidays`` counted as days off. At that instant
the clock compiles and freezes the month report, so "on time" means submitted strictly before it: the
units are told "ภายใน<day> เวลา 17:00 น.", the frozen report, the compliance figures, the LINE answer, the
admin page and the supervisors' overdue list all use this same instant.

November 2569's report: 7 December 2569 is the substitute holiday for Father's Day (the 5th, a Saturday),
so the deadline is Friday 4 December 2569 17:00; a report sent at 17:01 that day is late.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from models.periods import Period
from models.settings import DEFAULTS, get_setting
from models.timeutil import BANGKOK, ce_year
from models.workdays import AS_IS, POLICIES, PREVIOUS_WORKING_DAY, adjust, parse_extra_days

log = logging.getLogger(__name__)


def parse_clock(value: Any, fallback: time) -> time:
    """'17:00' -> time(17, 0); a bad value falls back (and is logged)."""
    try:
        hours, minutes = str(value).strip().split(":")
        return time(int(hours), int(minutes))
    except (TypeError, ValueError):
        log.warning("bad time setting %r; using %s", value, fallback)
        return fallback


@dataclass(frozen=True)
class DeadlineRule:
    """When month reports are due: a day of the following month, a time, and the holiday policy."""

    due_day: int = 7
    closes_at: time = time(17, 0)
    holiday_policy: str = PREVIOUS_WORKING_DAY
    extra_holidays: frozenset[date] = frozenset()

    def day(self, year: int, month: int) -> date:
        """The (holiday-moved) due day of a month's report, in the month after it."""
        following = Period.of_month(ce_year(year), month).next()
        nominal = following.day(self.due_day)
        return adjust(nominal, self.holiday_policy, self.extra_holidays, earliest=following.day(2))

    def instant(self, year: int, month: int) -> datetime:
        """The deadline of a month's report: reports in strictly before it are on time (aware, Bangkok)."""
        return datetime.combine(self.day(year, month), self.closes_at, BANGKOK)

    @classmethod
    def from_settings(cls, value: Callable[[str], Any]) -> DeadlineRule:
        """Read the rule through a settings reader (key -> value); bad values fall back and are logged."""
        policy = value("scheduler.holiday_policy")
        if policy not in POLICIES:
            log.warning("unknown holiday policy %r; using as_is", policy)
            policy = AS_IS
        try:
            extra = parse_extra_days(value("scheduler.extra_holidays") or [])
        except ValueError:
            log.warning("bad scheduler.extra_holidays setting; ignoring it")
            extra = frozenset()
        return cls(
            due_day=int(value("riskpoints.report_due_day")),
            closes_at=parse_clock(value("scheduler.compile_time"), time(17, 0)),
            holiday_policy=policy,
            extra_holidays=extra,
        )

    @classmethod
    def load(cls, session: Session | None) -> DeadlineRule:
        """The rule as the settings table says (session None: the defaults)."""
        return cls.from_settings(lambda key: DEFAULTS[key] if session is None else get_setting(session, key))


def month_deadline(session: Session | None, year: int, month: int) -> datetime:
    """The deadline of month M's report (holiday-moved, Bangkok): the instant after which it is late."""
    return DeadlineRule.load(session).instant(year, month)


def on_time(submitted_at: datetime, deadline: datetime) -> bool:
    """A report is on time when it came strictly before the deadline."""
    return submitted_at < deadline
