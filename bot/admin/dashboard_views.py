"""The admin web's front page: the inbox backlog at a glance."""

from __future__ import annotations

from flask import current_app, render_template

from bot.admin.blueprint import bp
from bot.admin.queries import INBOX_STATUSES, count_members, latest_received_at
from bot.admin.request_session import db
from bot.auth import Permission, require_permission
from bot.inbox import backlog


@bp.get("/")
@require_permission(Permission.VIEW_INBOX)
def dashboard():
    """Counts by inbox status, members, the spool and the newest event: numbers only, no personal data."""
    sql = db()
    counts = backlog(sql)
    return render_template(
        "admin/dashboard.html",
        counts={status: counts.get(status, 0) for status in INBOX_STATUSES},
        total_events=sum(counts.values()),
        member_count=count_members(sql),
        spool_backlog=current_app.extensions["fieldline"].intake.spool.count(),
        latest=latest_received_at(sql),
    )
