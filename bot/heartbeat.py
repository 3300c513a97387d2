"""Dedicated event workers announce themselves, so web processes leave event processing to them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models import WorkerHeartbeat

BEAT_EVERY = timedelta(seconds=5)
ALIVE_WITHIN = timedelta(seconds=20)


def beat(session: Session, name: str, now: datetime) -> None:
    """Record that the worker `name` (host:pid) is alive now."""
    row = session.get(WorkerHeartbeat, name)
    if row is None:
        session.add(WorkerHeartbeat(name=name, started_at=now, beat_at=now))
    else:
        row.beat_at = now


def forget(session: Session, name: str) -> None:
    """Remove a worker that stops cleanly, so the web processes take over at once."""
    session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.name == name))


def live_workers(session: Session, now: datetime) -> int:
    """How many dedicated workers beat within ALIVE_WITHIN."""
    recent = select(func.count()).where(WorkerHeartbeat.beat_at >= now - ALIVE_WITHIN)
    return session.scalar(recent) or 0
