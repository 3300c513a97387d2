"""The audit log page (admin only)."""

from __future__ import annotations

from flask import request

from bot.admin.actions import audit, audited_page
from bot.admin.blueprint import bp
from bot.admin.queries import audit_statement
from bot.api.pagination import page_args, paginate
from bot.auth import Permission, require_permission
from bot.request_session import db
from services.audit import Action


@bp.get("/audit")
@require_permission(Permission.VIEW_AUDIT)
def audit_log():
    """List audit entries, newest first, filtered by action and actor; viewing it is audited too."""
    sql = db()
    action = (request.args.get("action") or "").strip()[:60] or None
    actor = (request.args.get("actor") or "").strip()[:120] or None
    page, per_page = page_args(request.args)
    result = paginate(sql, audit_statement(action=action, actor=actor), page, per_page)
    filters = {"action": action or "", "actor": actor or ""}
    entry = audit(Action.VIEW_AUDIT, "audit_log", page=result.page)
    return audited_page("admin/audit_log.html", entry, page=result, filters=filters)
