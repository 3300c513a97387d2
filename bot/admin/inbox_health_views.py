"""The inbox's health for the people who run the bot: events by status, the spool, the newest event, dead letters."""

from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user

from bot.admin.blueprint import bp
from bot.admin.queries import count_members, inbox_counts, latest_received_at
from bot.auth import Permission, can, require_permission, visible_districts
from bot.request_session import db


@bp.get("/inbox/health")
@require_permission(Permission.VIEW_INBOX)
def inbox_health():
    """Counts by inbox status, members, the spool and the newest event: numbers only, within the user's districts."""
    sql = db()
    counts = inbox_counts(sql, current_user)
    spool = current_app.extensions["fieldline"].intake.spool
    return render_template(
        "admin/inbox_health.html",
        counts=counts,
        total_events=sum(counts.values()),
        member_count=count_members(sql, current_user),
        # the spool holds bodies of every district, not yet read: a number for unscoped roles only
        spool_backlog=spool.count() if visible_districts(current_user) is None else None,
        latest=latest_received_at(sql, current_user),
        dead_letters=spool.dead_count() if can(current_user, Permission.VIEW_REJECTED) else 0,
    )
