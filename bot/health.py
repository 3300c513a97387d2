"""GET /healthz: the database, the spool backlog and dead letters, the inbox backlog and the event workers."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import func, select

from bot.heartbeat import live_workers
from bot.inbox import queued
from models import InboxEvent, InboxStatus
from models.timeutil import utcnow

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Report whether this process can do its work; 503 when the database is unreachable.

    Every count uses an index, so a platform may ask as often as it likes however big the inbox grows.
    """
    fieldline = current_app.extensions["fieldline"]
    spool = fieldline.intake.spool
    report = {
        "status": "ok",
        "database": "ok",
        "spool_backlog": spool.count(),
        "spool_dead_letters": spool.dead_count(),
    }
    try:
        with fieldline.sessions() as session:
            report["inbox_backlog"] = queued(session)
            report["inbox_parked"] = session.scalar(
                select(func.count()).select_from(InboxEvent).where(InboxEvent.status == InboxStatus.PARKED)
            )
            report["event_workers"] = live_workers(session, utcnow())
    except Exception as exc:
        report.update(status="degraded", database=f"unavailable: {type(exc).__name__}")
        return jsonify(report), 503
    return jsonify(report), 200
