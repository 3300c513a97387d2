"""The admin web's front page: the inbox backlog at a glance, for the events the user may see."""

from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user

from bot.admin.blueprint import bp
from bot.admin.queries import count_members, inbox_counts, latest_received_at
from bot.auth import Permission, can, require_permission, visible_districts
from bot.request_session import db


@bp.get("/")
@require_permission()  # every signed-in role: the page shows only what the role may count
def dashboard():
    """Counts by inbox status, members, the spool and the newest event: numbers only, within the user's districts."""
    sql = db()
    inbox = can(current_user, Permission.VIEW_INBOX)
    counts = inbox_counts(sql, current_user) if inbox else {}
    return render_template(
        "admin/dashboard.html",
        inbox=inbox,
        counts=counts,
        total_events=sum(counts.values()),
        member_count=count_members(sql, current_user),
        # the spool holds bodies of every district, not yet read: a number for unscoped roles only
        spool_backlog=current_app.extensions["fieldline"].intake.spool.count()
        if inbox and visible_districts(current_user) is None
        else None,
        latest=latest_received_at(sql, current_user) if inbox else None,
        dead_letters=current_app.extensions["fieldline"].intake.spool.dead_count()
        if can(current_user, Permission.VIEW_REJECTED)
        else 0,
    )
