"""Every clock job by id: its body, how stale it may get, whether it is claimed; and the shape of its periods."""

from __future__ import annotations

import re
from datetime import timedelta

from models.periods import Period
from scheduler.context import JobSpec
from scheduler.jobs import evidence_jobs, network_jobs, riskpoint_jobs, upkeep_jobs, workgroup_jobs
from scheduler.periods import parse_day, parse_round, split_step

JOBS: dict[str, JobSpec] = {
    spec.id: spec
    for spec in (
        JobSpec("monthly-open", riskpoint_jobs.monthly_open, stale_after=timedelta(days=4)),
        JobSpec("monthly-reminder", riskpoint_jobs.monthly_reminder, stale_after=timedelta(hours=8)),
        JobSpec("monthly-compile", riskpoint_jobs.monthly_compile, stale_after=timedelta(days=24)),
        JobSpec("monthly-overdue", riskpoint_jobs.monthly_overdue, stale_after=timedelta(days=20)),
        JobSpec("quarterly-summary", network_jobs.quarterly_summary, stale_after=timedelta(days=60)),
        JobSpec("patrol-round-warning", riskpoint_jobs.patrol_round_warning, stale_after=timedelta(minutes=50)),
        JobSpec("patrol-round-close", riskpoint_jobs.patrol_round_close, stale_after=timedelta(days=2)),
        JobSpec("camera-day-end", riskpoint_jobs.camera_day_end, stale_after=timedelta(hours=3)),
        JobSpec("workgroup-meetings", workgroup_jobs.meetings_behind, stale_after=timedelta(days=5)),
        JobSpec("workgroup-actions", workgroup_jobs.action_items, stale_after=timedelta(hours=10)),
        JobSpec("workgroup-forwards", workgroup_jobs.forward_reminders, stale_after=timedelta(days=2)),
        JobSpec("retention-purge", upkeep_jobs.retention_purge, stale_after=timedelta(hours=20)),
        JobSpec("media-retry", upkeep_jobs.media_retry, claimed=False),
        JobSpec("quota-watch", upkeep_jobs.quota_watch, claimed=False),
        JobSpec("evidence-packs", evidence_jobs.build_queued, claimed=False, quiet=True, instances=3),
        JobSpec("quota-warning", upkeep_jobs.quota_warning, scheduled=False),
    )
}


def _month_step(period: str) -> None:
    base, step = split_step(period)
    Period.parse_month(base)
    if step is not None and not re.fullmatch(r"day\d{1,2}", step):
        raise ValueError(f"not a monthly step (e.g. 2569-03:day5): {period!r}")


def _month_threshold(period: str) -> None:
    base, step = split_step(period)
    Period.parse_month(base)
    if step not in ("80", "100"):
        raise ValueError(f"not a quota warning period (e.g. 2569-03:80): {period!r}")


def _slot(period: str) -> None:
    day, _, clock = period.partition("T")
    parse_day(day)
    if not re.fullmatch(r"\d{2}:\d{2}", clock):
        raise ValueError(f"not a time slot (e.g. 2569-03-15T10:30): {period!r}")


def _second_slot(period: str) -> None:
    day, _, clock = period.partition("T")
    parse_day(day)
    if not re.fullmatch(r"\d{2}:\d{2}:\d{2}", clock):
        raise ValueError(f"not a time slot (e.g. 2569-03-15T10:30:05): {period!r}")


PERIOD_CHECKS = {
    "monthly-open": Period.parse_month,
    "monthly-reminder": _month_step,
    "monthly-compile": Period.parse_month,
    "monthly-overdue": Period.parse_month,
    "quarterly-summary": Period.parse_quarter,
    "patrol-round-warning": parse_round,
    "patrol-round-close": parse_round,
    "camera-day-end": parse_day,
    "workgroup-meetings": Period.parse_month,
    "workgroup-actions": parse_day,
    "workgroup-forwards": parse_day,
    "retention-purge": parse_day,
    "media-retry": _slot,
    "quota-watch": _slot,
    "evidence-packs": _second_slot,
    "quota-warning": _month_threshold,
}


def check_period(job: str, period: str) -> None:
    """Raise ValueError unless the period key has the shape the job takes."""
    if job not in JOBS:
        raise ValueError(f"no such job: {job}")
    PERIOD_CHECKS[job](period)
