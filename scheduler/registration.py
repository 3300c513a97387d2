"""The clock's APScheduler wiring: each scheduled job fires under its own id, and a sweep catches up.

APScheduler calls ``fire(job_id)``; it asks the runner what is due for that job and runs it (claimed,
exactly once). ``--run JOB --period P`` calls the runner directly.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler

from scheduler import triggers
from scheduler.jobs.registry import JOBS
from scheduler.policy import Policy
from scheduler.runner import Runner
from texts import scheduler as t

log = logging.getLogger("scheduler")

_RUNNER: Runner | None = None


def fire(job_id: str) -> None:
    """What APScheduler calls: run whatever of this job is due now (claimed jobs exactly once)."""
    runner = _RUNNER
    if runner is None:
        raise RuntimeError("register_jobs was not given a runner")
    spec = runner.jobs[job_id]
    if spec.claimed:
        runner.run_due(jobs=[job_id])
        return
    now = runner.clock()
    slot = triggers.occurrences(job_id, runner.policy(), now - timedelta(hours=1), now + timedelta(microseconds=1))
    if slot:
        runner.run(job_id, slot[-1].period)


def sweep() -> None:
    """Every few minutes: run anything due that a firing missed (a settings change, a failure to resume)."""
    runner = _RUNNER
    if runner is None:
        raise RuntimeError("register_jobs was not given a runner")
    runner.run_due()
    refresh_triggers(runner.scheduler)


SWEEP_MINUTES = 5


def register_jobs(scheduler: BaseScheduler, runner: Runner | None = None) -> int:
    """Add every scheduled job with an explicit id (replace_existing=True) and the sweep; return how many."""
    global _RUNNER
    if runner is not None:
        _RUNNER = runner
        runner.scheduler = scheduler
    try:
        policy = runner.policy() if runner is not None else Policy.load(None)
    except Exception as exc:  # the database is down: the defaults until the sweep re-times the jobs
        log.warning("settings unavailable (%s); jobs timed by the defaults", type(exc).__name__)
        policy = Policy.load(None)
    count = 0
    for spec in JOBS.values():
        if not spec.scheduled:
            continue
        scheduler.add_job(
            fire,
            trigger=triggers.PolicyTrigger(spec.id, policy),
            args=[spec.id],
            id=spec.id,
            name=t.JOB_TITLES.get(spec.id, spec.id),
            replace_existing=True,
            coalesce=True,
            misfire_grace_time=None,
            max_instances=spec.instances,
        )
        count += 1
    scheduler.add_job(
        sweep,
        trigger="interval",
        minutes=SWEEP_MINUTES,
        id="sweep",
        name="ตรวจงานที่ค้าง (catch-up)",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )
    return count


def refresh_triggers(scheduler: BaseScheduler | None) -> None:
    """Re-time the jobs when the settings changed since they were registered."""
    runner = _RUNNER
    if scheduler is None or runner is None:
        return
    policy = runner.policy()
    for spec in JOBS.values():
        job = scheduler.get_job(spec.id)
        if job is not None and isinstance(job.trigger, triggers.PolicyTrigger) and job.trigger.policy != policy:
            scheduler.reschedule_job(spec.id, trigger=triggers.PolicyTrigger(spec.id, policy))
