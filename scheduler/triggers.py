"""When each job is due, as pure functions of the policy and a time range (no database, no clock).

``occurrences(job, policy, start, end)`` lists the (period, due time) pairs of a job in [start, end);
``due(job, policy, now)`` the ones whose time has come and that are not yet stale; ``upcoming`` the next
few. ``PolicyTrigger`` hands the same functions to APScheduler, so what ``--list`` prints, what the
scheduler fires and what the catch-up finds can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from apscheduler.triggers.base import BaseTrigger

from models.periods import Period
from models.timeutil import BANGKOK, fiscal_quarter, fiscal_year, to_bangkok
from scheduler.periods import at, day_key, round_key
from scheduler.policy import Policy

HORIZON = timedelta(days=400)
RETENTION_TIME = time(3, 30)  # the PDPA retention purge, when the bot is quietest
EVIDENCE_SECONDS = 5  # how soon a requested evidence pack starts


@dataclass(frozen=True, order=True)
class Occurrence:
    """One due run of a job: the period it is for and when it is due."""

    due_at: datetime
    job: str
    period: str

    @property
    def key(self) -> str:
        """The claim key, e.g. 'monthly-reminder:2569-03:day5'."""
        return f"{self.job}:{self.period}"


def _months(start: datetime, end: datetime, lead: int = 1) -> Iterator[Period]:
    """Report months whose cycle (run in the following month) may touch [start, end)."""
    month = Period.month_of(start)
    for _ in range(lead + 1):
        month = month.previous()
    last = Period.month_of(end)
    while month <= last:
        yield month
        month = month.next()


def monthly_steps(month: Period, policy: Policy) -> dict[str, datetime]:
    """The monthly cycle of one report month, run in the month after it: job[:step] -> due time."""
    cycle = month.next()
    nominal = policy.due_day
    deadline = policy.deadline.day(month.year, month.month)  # the one deadline (models/deadlines.py)
    early = policy.adjust(cycle.day(nominal - 2), earliest=cycle.day(2))
    steps = {
        "monthly-open": at(cycle.day(1), policy.open_time),
        f"monthly-reminder:day{nominal}": at(deadline, policy.reminder_time),
        "monthly-compile": policy.deadline.instant(month.year, month.month),
        "monthly-overdue": at(cycle.day(nominal + 1), policy.overdue_time),
    }
    if early < deadline:  # when both fall on one day, the deadline-day reminder is enough
        steps[f"monthly-reminder:day{nominal - 2}"] = at(early, policy.reminder_time)
    return steps


def _monthly(job: str) -> Callable[[Policy, datetime, datetime], list[Occurrence]]:
    def occurrences(policy: Policy, start: datetime, end: datetime) -> list[Occurrence]:
        found = []
        for month in _months(start, end):
            for name, due_at in monthly_steps(month, policy).items():
                base, _, step = name.partition(":")
                if base == job and start <= due_at < end:
                    found.append(Occurrence(due_at, job, f"{month.key}:{step}" if step else month.key))
        return found

    return occurrences


def quarterly_due(period: Period, policy: Policy) -> datetime:
    """When a fiscal quarter's summary goes out: a set day of the month after it ends."""
    after = Period.month_of(period.last).next()
    return at(after.day(policy.quarterly_day), policy.quarterly_time)


def _quarterly(policy: Policy, start: datetime, end: datetime) -> list[Occurrence]:
    found = []
    for month in _months(start, end, lead=2):
        if month.month not in (12, 3, 6, 9):
            continue
        first = month.day(1)
        period = Period.of_quarter(fiscal_year(first), fiscal_quarter(first))
        due_at = quarterly_due(period, policy)
        if start <= due_at < end:
            found.append(Occurrence(due_at, "quarterly-summary", period.key))
    return found


def _days(start: datetime, end: datetime) -> Iterator[date]:
    day = to_bangkok(start).date() - timedelta(days=1)
    while day <= to_bangkok(end).date():
        yield day
        day += timedelta(days=1)


def round_bounds(policy: Policy, day: date) -> list[tuple[int, datetime, datetime]]:
    """Each patrol round window starting on a day: (number, start, end); none under the gap rule."""
    if policy.round_rule != "windows":
        return []
    try:
        from reports.riskpoint_rounds import windows
    except ImportError:  # the risk-point modules are not there: no rounds to watch
        return []

    return [(window.number, *window.bounds(day)) for window in windows(policy.round_settings())]


def _rounds(job: str, before: bool) -> Callable[[Policy, datetime, datetime], list[Occurrence]]:
    def occurrences(policy: Policy, start: datetime, end: datetime) -> list[Occurrence]:
        found = []
        for day in _days(start, end):
            for number, _, closes in round_bounds(policy, day):
                due_at = closes - policy.round_warning if before else closes
                if start <= due_at < end:
                    found.append(Occurrence(due_at, job, round_key(day, number)))
        return found

    return occurrences


def _daily(job: str, clock_of: Callable[[Policy], object]) -> Callable[[Policy, datetime, datetime], list[Occurrence]]:
    def occurrences(policy: Policy, start: datetime, end: datetime) -> list[Occurrence]:
        found = []
        for day in _days(start, end):
            due_at = at(day, clock_of(policy))
            if start <= due_at < end:
                found.append(Occurrence(due_at, job, day_key(day)))
        return found

    return occurrences


def _every(job: str, minutes: int) -> Callable[[Policy, datetime, datetime], list[Occurrence]]:
    def occurrences(policy: Policy, start: datetime, end: datetime) -> list[Occurrence]:
        local = to_bangkok(start)
        slot = local.replace(minute=local.minute - local.minute % minutes, second=0, microsecond=0)
        found = []
        while slot < end:
            if slot >= start:
                found.append(Occurrence(slot, job, f"{day_key(slot.date())}T{slot:%H:%M}"))
            slot += timedelta(minutes=minutes)
        return found

    return occurrences


def _every_seconds(job: str, seconds: int) -> Callable[[Policy, datetime, datetime], list[Occurrence]]:
    """Every few seconds (a queue the web fills: evidence packs), slots keyed to the second."""

    def occurrences(policy: Policy, start: datetime, end: datetime) -> list[Occurrence]:
        local = to_bangkok(start).replace(microsecond=0)
        slot = local - timedelta(seconds=local.second % seconds)
        found = []
        while slot < end:
            if slot >= start:
                found.append(Occurrence(slot, job, f"{day_key(slot.date())}T{slot:%H:%M:%S}"))
            slot += timedelta(seconds=seconds)
        return found

    return occurrences


def _half_year_months(job: str, clock: time) -> Callable[[Policy, datetime, datetime], list[Occurrence]]:
    """The first of each month from April to September (the fiscal year's second half)."""

    def occurrences(policy: Policy, start: datetime, end: datetime) -> list[Occurrence]:
        found = []
        for month in _months(start, end, lead=0):
            due_at = at(month.day(1), clock)
            if 4 <= month.month <= 9 and start <= due_at < end:
                found.append(Occurrence(due_at, job, month.key))
        return found

    return occurrences


SCHEDULES: dict[str, Callable[[Policy, datetime, datetime], list[Occurrence]]] = {
    "monthly-open": _monthly("monthly-open"),
    "monthly-reminder": _monthly("monthly-reminder"),
    "monthly-compile": _monthly("monthly-compile"),
    "monthly-overdue": _monthly("monthly-overdue"),
    "quarterly-summary": _quarterly,
    "patrol-round-warning": _rounds("patrol-round-warning", before=True),
    "patrol-round-close": _rounds("patrol-round-close", before=False),
    "camera-day-end": _daily("camera-day-end", lambda policy: policy.camera_time),
    "workgroup-meetings": _half_year_months("workgroup-meetings", time(8, 30)),
    "workgroup-actions": _daily("workgroup-actions", lambda policy: time(8, 30)),
    "workgroup-forwards": _daily("workgroup-forwards", lambda policy: time(9, 30)),
    "retention-purge": _daily("retention-purge", lambda policy: RETENTION_TIME),
    "media-retry": _every("media-retry", 30),
    "quota-watch": _every("quota-watch", 15),
    "evidence-packs": _every_seconds("evidence-packs", EVIDENCE_SECONDS),
}


def occurrences(job: str, policy: Policy, start: datetime, end: datetime) -> list[Occurrence]:
    """A job's occurrences due in [start, end), in time order."""
    return sorted(SCHEDULES[job](policy, start, end))


def due(job: str, policy: Policy, now: datetime, stale_after: timedelta) -> list[Occurrence]:
    """Occurrences whose time has come (due_at <= now) and that are not older than stale_after."""
    return occurrences(job, policy, now - stale_after, now + timedelta(microseconds=1))


def upcoming(job: str, policy: Policy, after: datetime, count: int = 3) -> list[Occurrence]:
    """The next occurrences strictly after a moment."""
    start = after + timedelta(microseconds=1)
    for span in (timedelta(minutes=1), timedelta(days=2), timedelta(days=40), HORIZON):  # frequent jobs stop early
        found = occurrences(job, policy, start, start + span)
        if len(found) >= count or span == HORIZON:
            return found[:count]
    return []


class PolicyTrigger(BaseTrigger):
    """An APScheduler 3.x trigger that fires at a job's occurrences under a policy."""

    def __init__(self, job: str, policy: Policy):
        """Fire for `job` as the policy says."""
        self.job = job
        self.policy = policy

    def get_next_fire_time(self, previous_fire_time, now):
        """The first occurrence after both the previous fire time and now (aware, Bangkok)."""
        after = max(moment for moment in (previous_fire_time, now) if moment is not None)
        found = upcoming(self.job, self.policy, after, 1)
        return found[0].due_at.astimezone(BANGKOK) if found else None

    def __str__(self) -> str:
        """Shown in APScheduler's logs."""
        return f"policy[{self.job}]"
