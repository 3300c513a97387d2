"""Messages the bot could not deliver, for the secretariat: who, what, when, why, and a button to resend.

Three lists of the outbox (runtime/delivery.py): rows LINE refused or that ran out of tries (failed and
parked: they can be sent again, with the same retry key); rows still being retried after an error; and
rows whose fate LINE never told (a push after a reply of unknown outcome may have arrived twice; a reply
marked "reply-unconfirmed" before that rule may never have arrived). Recipients appear by reporter code,
staff name or group name, never by LINE id, and the message text is not shown. Groups have no district,
so the page is for roles whose scope is every district (Permission.VIEW_UNDELIVERED); each view is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, request, url_for
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from bot.admin import outbox_texts as ot
from bot.admin.actions import Done, Refused, audit, audited, audited_page
from bot.admin.blueprint import bp
from bot.api.pagination import page_args, paginate
from bot.auth import Permission, require_permission
from bot.request_session import db
from models import Chat, Member, OutboxStatus, OutgoingMessage, StaffUser
from models.retention import removal_of
from models.timeutil import utcnow
from models.workgroup import StaffLineLink
from runtime import delivery, quota
from services.audit import Action

KINDS = ("failed", "retrying", "unknown")
RESENDABLE = (OutboxStatus.FAILED, OutboxStatus.PARKED)
IN_DOUBT = (delivery.PUSH_AFTER_REPLY, delivery.LEGACY_UNCONFIRMED)


def kind_clause(kind: str) -> ColumnElement[bool]:
    """Which outbox rows one list holds."""
    if kind == "retrying":
        return and_(
            OutgoingMessage.status == OutboxStatus.PENDING,
            OutgoingMessage.last_error.is_not(None),
            OutgoingMessage.last_error != quota.DEFERRED,  # waiting for next month's quota is not a failure
        )
    if kind == "unknown":
        return and_(OutgoingMessage.status == OutboxStatus.SENT, OutgoingMessage.method.in_(IN_DOUBT))
    return OutgoingMessage.status.in_(RESENDABLE)


def undelivered_counts(session: Session) -> dict[str, int]:
    """How many rows each list holds."""
    return {
        kind: session.scalar(select(func.count()).select_from(OutgoingMessage).where(kind_clause(kind))) or 0
        for kind in KINDS
    }


@bp.app_template_global()
def undelivered_total() -> int:
    """Messages that did not reach their recipient and wait for the secretariat (failed, parked): the dashboard's."""
    return undelivered_counts(db())["failed"]


@dataclass(frozen=True)
class Recipient:
    """Who a message was for, as the secretariat may see it."""

    label: str
    member_id: int | None = None


def recipients(session: Session, rows: list[OutgoingMessage]) -> dict[int, Recipient]:
    """Each row's recipient: a member's reporter code, a staff member's name, a group's name; never a LINE id."""
    ids = {row.recipient for row in rows}
    members = {
        line_id: (member_id, code)
        for line_id, member_id, code in session.execute(
            select(Member.line_user_id, Member.id, Member.reporter_code).where(Member.line_user_id.in_(ids))
        )
    }
    staff = dict(
        session.execute(
            select(StaffLineLink.line_user_id, func.coalesce(func.nullif(StaffUser.full_name, ""), StaffUser.username))
            .join(StaffUser, StaffUser.id == StaffLineLink.staff_user_id)
            .where(StaffLineLink.line_user_id.in_(ids))
        ).all()
    )
    chats = dict(session.execute(select(Chat.line_chat_id, Chat.name).where(Chat.line_chat_id.in_(ids))).all())
    found: dict[int, Recipient] = {}
    for row in rows:
        line_id = row.recipient
        if row.multicast_to:
            found[row.id] = Recipient(ot.RECIPIENT_MANY.format(count=len(row.multicast_to)))
        elif line_id in staff:
            found[row.id] = Recipient(ot.RECIPIENT_STAFF.format(name=staff[line_id]))
        elif line_id in members:
            member_id, code = members[line_id]
            found[row.id] = Recipient(ot.RECIPIENT_MEMBER.format(code=code), member_id)
        elif line_id.startswith("C"):
            name = chats.get(line_id)
            found[row.id] = Recipient(ot.RECIPIENT_GROUP.format(name=name) if name else ot.RECIPIENT_UNNAMED_GROUP)
        elif line_id.startswith("R"):
            found[row.id] = Recipient(ot.RECIPIENT_ROOM)
        else:
            found[row.id] = Recipient(ot.RECIPIENT_UNKNOWN_USER)
    return found


@bp.get("/outbox/undelivered")
@require_permission(Permission.VIEW_UNDELIVERED)
def outbox_undelivered():
    """One list of messages that did not (or may not have) reach their recipients, newest first; audited."""
    sql = db()
    kind = request.args.get("kind")
    kind = kind if kind in KINDS else "failed"
    page, per_page = page_args(request.args)
    statement = (
        select(OutgoingMessage)
        .where(kind_clause(kind))
        .order_by(OutgoingMessage.created_at.desc(), OutgoingMessage.id.desc())
    )
    result = paginate(sql, statement, page, per_page)
    return audited_page(
        "admin/outbox_undelivered.html",
        audit(Action.VIEW_UNDELIVERED, "outgoing_message", kind=kind, count=len(result.items)),
        ot=ot,
        kind=kind,
        kinds=KINDS,
        counts=undelivered_counts(sql),
        page=result,
        recipients=recipients(sql, result.items),
        removed={row.id for row in result.items if removal_of(row.messages) is not None},
        resendable=RESENDABLE,
    )


@bp.post("/outbox/<int:row_id>/retry")
@require_permission(Permission.VIEW_UNDELIVERED, Permission.RETRY_EVENTS)
@audited(lambda row_id: url_for("admin.outbox_undelivered", kind="failed"))
def outbox_retry(row_id: int):
    """Put a failed or parked message back in the queue (runtime.delivery.requeue: same retry key); audited."""
    sql = db()
    if sql.get(OutgoingMessage, row_id) is None:
        abort(404)
    if not delivery.requeue(sql, row_id, utcnow()):
        raise Refused(ot.RETRY_REFUSED)
    entry = audit(Action.OUTBOX_RETRY, "outgoing_message", row_id)
    return Done(ot.RETRY_DONE.format(id=row_id), entry, after=current_app.extensions["fieldline"].worker.wake)
