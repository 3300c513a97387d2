"""The audit log page (admin only)."""

from __future__ import annotations

from flask import render_template, request

from bot.admin.blueprint import bp
from bot.admin.queries import audit_statement
from bot.admin.request_session import db
from bot.api.pagination import page_args, paginate
from bot.auth import Permission, require_permission
from services.audit import Action, record_request


@bp.get("/audit")
@require_permission(Permission.VIEW_AUDIT)
def audit_log():
    """List audit entries, newest first, filtered by action and actor; viewing it is audited too."""
    sql = db()
    action = (request.args.get("action") or "").strip()[:60] or None
    actor = (request.args.get("actor") or "").strip()[:120] or None
    page, per_page = page_args(request.args)
    result = paginate(sql, audit_statement(action=action, actor=actor), page, per_page)
    record_request(sql, Action.VIEW_AUDIT, object_type="audit_log", page=result.page)
    html = render_template("admin/audit_log.html", page=result, filters={"action": action or "", "actor": actor or ""})
    sql.commit()
    return html
