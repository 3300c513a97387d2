"""The webhook inbox: the event list (metadata only), one event, and the retry button.

District officers see only the events of their districts (bot.admin.queries.inbox_scope); an event
outside a user's scope is a 404, as if it did not exist, so its id tells nothing.
"""

from __future__ import annotations

import json

from flask import abort, current_app, render_template, request, url_for
from flask_login import current_user

from bot.admin import texts
from bot.admin.actions import Done, Refused, audit, audited, next_or
from bot.admin.blueprint import bp
from bot.admin.queries import INBOX_STATUSES, event_types, find_event, inbox_statement
from bot.api.pagination import page_args, paginate
from bot.audit import record_request
from bot.auth import Permission, can, require_permission, visible_districts
from bot.processor import retry
from bot.request_session import db
from models import InboxStatus
from models.retention import removal_of
from services.audit import Action

RETRYABLE = (InboxStatus.FAILED, InboxStatus.PARKED)


@bp.get("/inbox")
@require_permission(Permission.VIEW_INBOX)
def inbox():
    """List inbox events with their processing state; never the message content."""
    sql = db()
    status = request.args.get("status") or None
    status = status if status in INBOX_STATUSES else None
    types = event_types(sql, current_user)
    event_type = request.args.get("type") or None
    event_type = event_type if event_type in types else None
    page, per_page = page_args(request.args)
    statement = inbox_statement(current_user, status=status, event_type=event_type)
    result = paginate(sql, statement, page, per_page)
    return render_template(
        "admin/inbox_list.html",
        page=result,
        statuses=INBOX_STATUSES,
        types=types,
        status=status,
        event_type=event_type,
        retryable=RETRYABLE,
        filters={"status": status or "", "type": event_type or ""},
        districts=visible_districts(current_user),
    )


@bp.get("/inbox/<int:event_id>")
@require_permission(Permission.VIEW_INBOX)
def inbox_event(event_id: int):
    """One event's metadata; its raw payload (personal data) only for roles allowed, and audited.

    A payload the retention job removed (services/privacy/retention.py) is shown as removed, to every role, unaudited.
    """
    sql = db()
    event = find_event(sql, current_user, event_id)
    if event is None:
        abort(404)
    payload = None
    removal = removal_of(event.payload)
    if removal is None and can(current_user, Permission.VIEW_PAYLOAD):
        payload = json.dumps(json.loads(event.payload), ensure_ascii=False, indent=2)
        record_request(sql, Action.VIEW_INBOX_PAYLOAD, object_type="inbox_event", object_id=event.id)
    page = render_template(
        "admin/inbox_detail.html", event=event, payload=payload, removal=removal, retryable=RETRYABLE
    )
    sql.commit()  # the audit entry is stored before the page leaves
    return page


@bp.post("/inbox/<int:event_id>/retry")
@require_permission(Permission.RETRY_EVENTS)
@audited(lambda event_id: next_or(url_for("admin.inbox_event", event_id=event_id)))
def inbox_retry(event_id: int):
    """Put a failed or parked event back in the queue (bot.processor.retry)."""
    sql = db()
    if find_event(sql, current_user, event_id) is None:
        abort(404)
    if not retry(sql, event_id):
        raise Refused(texts.RETRY_REFUSED)
    entry = audit(Action.INBOX_RETRY, "inbox_event", event_id)
    return Done(texts.RETRY_DONE.format(id=event_id), entry, after=current_app.extensions["fieldline"].worker.wake)
