"""Agencies acknowledging forwards (their group's button, or recorded by staff); reminders to those that have not."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import groupby

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from models.settings import get_setting
from models.workgroup import Forward, ForwardRecipient
from reports.documents.month_report import actor_name
from services.notices import Notify
from services.workgroup.errors import get_or_refuse
from services.workgroup.forwards import notify_groups


def acknowledge(
    session: Session, recipient_id: int, *, chat_id: str | None, user_id: str | None, name: str | None, now: datetime
) -> tuple[str, ForwardRecipient | None]:
    """Record an agency's acknowledgement from its group's button: 'ok', 'already', 'wrong_chat' or 'unknown'."""
    recipient = session.get(ForwardRecipient, recipient_id)
    if recipient is None:
        return "unknown", None
    if recipient.line_chat_id is None or recipient.line_chat_id != chat_id:
        return "wrong_chat", recipient
    if recipient.acknowledged_at is not None:
        return "already", recipient
    recipient.acknowledged_at = now
    recipient.acknowledged_user_id = user_id
    recipient.acknowledged_by = (name or "").strip()[:200] or "สมาชิกกลุ่ม"
    return "ok", recipient


def acknowledge_by_staff(session: Session, recipient_id: int, *, by: str, now: datetime) -> ForwardRecipient:
    """Record an acknowledgement received another way (a letter, a phone call)."""
    recipient = get_or_refuse(session, ForwardRecipient, recipient_id, "ไม่พบผู้รับเรื่องนี้")
    if recipient.acknowledged_at is None:
        recipient.acknowledged_at, recipient.acknowledged_by = now, f"บันทึกโดย {actor_name(session, by)}"
    return recipient


def unacknowledged_statement():
    """Recipients that have not acknowledged, oldest forward first (a select, for paging)."""
    return (
        select(ForwardRecipient)
        .join(Forward, Forward.id == ForwardRecipient.forward_id)
        .where(ForwardRecipient.acknowledged_at.is_(None))
        .options(selectinload(ForwardRecipient.forward), selectinload(ForwardRecipient.agency))
        .order_by(Forward.sent_at, ForwardRecipient.id)
    )


def unacknowledged(session: Session) -> list[ForwardRecipient]:
    """Every recipient still to acknowledge."""
    return list(session.scalars(unacknowledged_statement()))


def remind_unacknowledged(
    session: Session,
    now: datetime,
    notify: Notify,
    *,
    after_days: float | None = None,
    forward_id: int | None = None,
) -> int:
    """Remind, once, each agency group that has not acknowledged after some days; return the pushes queued.

    The scheduler calls it daily; the admin web calls it for one forward with after_days=0.
    """
    days = float(get_setting(session, "workgroup.ack_reminder_days") if after_days is None else after_days)
    statement = (
        unacknowledged_statement()
        .where(ForwardRecipient.reminded_at.is_(None), ForwardRecipient.line_chat_id.is_not(None))
        .where(Forward.sent_at <= now - timedelta(days=days))
    )
    if forward_id is not None:
        statement = statement.where(Forward.id == forward_id)
    due = list(session.scalars(statement))
    pushes = 0
    for _, recipients in groupby(due, key=lambda r: r.forward_id):
        group = list(recipients)
        pushes += notify_groups(session, group[0].forward, group, notify, reminder=True)
        for recipient in group:
            recipient.reminded_at = now
    return pushes


def recipient_in_chat(session: Session, ref_no: str, chat_id: str) -> ForwardRecipient | None:
    """The recipient of a forward whose agency group is this chat."""
    return session.scalar(
        select(ForwardRecipient)
        .join(Forward, Forward.id == ForwardRecipient.forward_id)
        .where(Forward.ref_no == ref_no.upper(), ForwardRecipient.line_chat_id == chat_id)
        .order_by(ForwardRecipient.id)
        .limit(1)
    )


def unacknowledged_count(session: Session) -> int:
    """How many agencies have not acknowledged a forward yet."""
    query = select(func.count()).select_from(ForwardRecipient).where(ForwardRecipient.acknowledged_at.is_(None))
    return session.scalar(query) or 0
