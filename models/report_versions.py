"""Frozen report versions: a compiled report is stored once, numbered, and never changed afterwards.

A later compilation whose figures differ becomes the next version (the old one stays as sent); the
admin web compares the newest version with a fresh compilation, so later edits never go unnoticed.
Used by the clock's day-7 and quarterly reports (scheduler/versions.py) and the finalised KPI reports
(services/kpi_reports.py).
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.scheduling import ReportVersion


def json_ready(value):
    """A deep copy of a value that a JSON column can store (dates and the like become strings)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def digest(data: dict) -> str:
    """A stable fingerprint of a report's data."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def latest(session: Session, kind: str, period: str) -> ReportVersion | None:
    """The newest version of a report."""
    return session.scalar(
        select(ReportVersion)
        .where(ReportVersion.kind == kind, ReportVersion.period == period)
        .order_by(ReportVersion.version.desc())
        .limit(1)
    )


def freeze(session: Session, kind: str, period: str, data: dict, *, run_key: str | None, by: str) -> ReportVersion:
    """Store a report as its next version; the same run, or unchanged data, reuses the version it made."""
    if run_key is not None:
        made = session.scalar(
            select(ReportVersion).where(
                ReportVersion.kind == kind, ReportVersion.period == period, ReportVersion.run_key == run_key
            )
        )
        if made is not None:
            return made
    fingerprint = digest(data)
    newest = latest(session, kind, period)
    if newest is not None and newest.digest == fingerprint:
        return newest
    number = (
        session.scalar(
            select(func.max(ReportVersion.version)).where(ReportVersion.kind == kind, ReportVersion.period == period)
        )
        or 0
    ) + 1
    version = ReportVersion(
        kind=kind, period=period, version=number, data=data, digest=fingerprint, run_key=run_key, created_by=by
    )
    session.add(version)
    session.flush()
    return version
