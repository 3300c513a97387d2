"""GET /healthz: the database, the spool backlog and the inbox backlog."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from bot.inbox import backlog

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Report whether this process can do its work; 503 when the database is unreachable."""
    fieldline = current_app.extensions["fieldline"]
    report = {"database": "ok", "spool_backlog": fieldline.intake.spool.count(), "inbox": {}}
    status = 200
    try:
        with fieldline.sessions() as session:
            session.execute(text("SELECT 1"))
            report["inbox"] = backlog(session)
    except Exception as exc:
        report["database"] = f"unavailable: {type(exc).__name__}"
        status = 503
    inbox = report["inbox"]
    report["inbox_backlog"] = sum(inbox.get(k, 0) for k in ("pending", "failed"))
    report["inbox_parked"] = inbox.get("parked", 0)
    report["status"] = "ok" if status == 200 else "degraded"
    return jsonify(report), status
