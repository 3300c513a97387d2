"""Exactly once: a job run claims its (job, period) key in job_runs before doing anything.

The unique key makes a second clock, a restart or a repeat by hand find the claim and do nothing.
A run that failed, or whose owner died (its lease ran out), is taken over by the next attempt, which
resumes: the per-recipient rows in job_sends tell it what was already sent.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models import JobRun, JobSend, RunStatus

LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 5


def owner_name() -> str:
    """This process, as written on its claims: host and pid."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}"


def claim(
    sessions: sessionmaker[Session],
    key: str,
    *,
    job: str,
    period: str,
    owner: str,
    now: datetime,
    due_at: datetime | None = None,
    late: bool = False,
    by_hand: bool = False,
) -> int | None:
    """Claim a run; return its id, or None when it is done, running elsewhere or has failed too often."""
    try:
        with sessions.begin() as session:
            run = JobRun(
                key=key,
                job=job,
                period=period,
                owner=owner,
                due_at=due_at,
                late=late,
                by_hand=by_hand,
                claimed_at=now,
                lease_until=now + LEASE,
            )
            session.add(run)
            session.flush()
            return run.id
    except IntegrityError:
        pass
    with sessions.begin() as session:
        resumable = or_(
            JobRun.status == RunStatus.FAILED,
            and_(JobRun.status == RunStatus.RUNNING, JobRun.lease_until < now),
        )
        taken = session.execute(
            update(JobRun)
            .where(JobRun.key == key, JobRun.attempts < MAX_ATTEMPTS, resumable)
            .values(
                status=RunStatus.RUNNING,
                owner=owner,
                lease_until=now + LEASE,
                attempts=JobRun.attempts + 1,
                last_error=None,
            )
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:
            return None
        return session.scalar(select(JobRun.id).where(JobRun.key == key))


def extend(session: Session, run_id: int, now: datetime) -> None:
    """Keep the lease of a run that is still working (in the caller's transaction)."""
    session.execute(
        update(JobRun)
        .where(JobRun.id == run_id)
        .values(lease_until=now + LEASE)
        .execution_options(synchronize_session=False)
    )


def finish(sessions: sessionmaker[Session], run_id: int, now: datetime, note: str | None = None) -> int:
    """Mark a run done with how many recipients it reached; return that number."""
    with sessions.begin() as session:
        run = session.get(JobRun, run_id)
        run.sent = session.scalar(select(func.count()).select_from(JobSend).where(JobSend.run_id == run_id))
        run.status, run.finished_at, run.note = RunStatus.DONE, now, note
        return run.sent


def fail(sessions: sessionmaker[Session], run_id: int, now: datetime, error: str) -> None:
    """Mark a run failed; the next attempt resumes it."""
    with sessions.begin() as session:
        run = session.get(JobRun, run_id)
        run.status, run.finished_at, run.last_error = RunStatus.FAILED, now, error[:2000]


def settled(session: Session, keys: list[str], now: datetime) -> set[str]:
    """Of these keys, those that need no attempt now: done, running under a live lease, or given up."""
    if not keys:
        return set()
    rows = session.execute(
        select(JobRun.key, JobRun.status, JobRun.lease_until, JobRun.attempts).where(JobRun.key.in_(keys))
    ).all()
    return {
        key
        for key, status, lease_until, attempts in rows
        if status == RunStatus.DONE or attempts >= MAX_ATTEMPTS or (status == RunStatus.RUNNING and lease_until >= now)
    }
