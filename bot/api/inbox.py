"""GET /api/v1/inbox and /api/v1/inbox/<id>: webhook events; payloads only on request, if allowed, audited.

Scoped like the admin web (bot.admin.queries.inbox_scope): an event outside the caller's districts is a 404.
"""

from __future__ import annotations

import json

from flask import abort, request

from bot.admin.queries import INBOX_STATUSES, find_event, inbox_statement
from bot.api.access import api_user, require_api_permission
from bot.api.blueprint import bp
from bot.api.pagination import page_args, paginate
from bot.api.responses import api_error, included, iso, item_response, list_response
from bot.audit import record_request
from bot.auth import Permission, can
from bot.request_session import db
from models import InboxEvent
from services.audit import Action


def serialize_event(event: InboxEvent, *, with_payload: bool = False) -> dict:
    """An inbox event's metadata, plus its raw payload when asked for (and allowed)."""
    item = {
        "id": event.id,
        "type": event.event_type,
        "source_type": event.source_type,
        "mode": event.mode,
        "status": event.status.value,
        "attempts": event.attempts,
        "last_error": event.last_error,
        "is_redelivery": event.is_redelivery,
        "via_spool": event.via_spool,
        "event_at": iso(event.event_at),
        "received_at": iso(event.received_at),
        "next_attempt_at": iso(event.next_attempt_at),
        "processed_at": iso(event.processed_at),
    }
    if with_payload:
        item["payload"] = json.loads(event.payload)
    return item


@bp.get("/inbox")
@require_api_permission(Permission.VIEW_INBOX)
def inbox_list():
    """A page of inbox events, newest first; ?status=, ?type=, ?include=payload (admin and secretariat)."""
    status = request.args.get("status") or None
    if status is not None and status not in INBOX_STATUSES:
        return api_error(400, "bad_request", f"status must be one of: {', '.join(INBOX_STATUSES)}")
    with_payload = included("payload")
    if with_payload and not can(api_user(), Permission.VIEW_PAYLOAD):
        return api_error(403, "forbidden", "บทบาทของผู้ใช้นี้ไม่มีสิทธิ์ดูข้อมูลดิบของเหตุการณ์")
    sql = db()
    statement = inbox_statement(
        api_user(), status=status, event_type=request.args.get("type") or None, with_payload=with_payload
    )
    page, per_page = page_args(request.args)
    result = paginate(sql, statement, page, per_page)
    if with_payload and result.items:
        ids = [event.id for event in result.items]
        record_request(sql, Action.VIEW_INBOX_PAYLOAD, object_type="inbox_event", ids=ids, count=len(ids))
    response = list_response(result, lambda event: serialize_event(event, with_payload=with_payload))
    sql.commit()
    return response


@bp.get("/inbox/<int:event_id>")
@require_api_permission(Permission.VIEW_INBOX)
def inbox_item(event_id: int):
    """One inbox event; ?include=payload for its raw payload (admin and secretariat, audited)."""
    with_payload = included("payload")
    if with_payload and not can(api_user(), Permission.VIEW_PAYLOAD):
        return api_error(403, "forbidden", "บทบาทของผู้ใช้นี้ไม่มีสิทธิ์ดูข้อมูลดิบของเหตุการณ์")
    sql = db()
    event = find_event(sql, api_user(), event_id)
    if event is None:
        abort(404)
    if with_payload:
        record_request(sql, Action.VIEW_INBOX_PAYLOAD, object_type="inbox_event", object_id=event.id)
    response = item_response(serialize_event(event, with_payload=with_payload))
    sql.commit()
    return response
