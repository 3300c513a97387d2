"""The selects behind the admin web and the API: inbox events, members, rejected bodies, the audit log."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, defer

from bot.auth import district_clause
from models import AuditEntry, InboxEvent, InboxStatus, Member, RejectedBody

INBOX_STATUSES = tuple(status.value for status in InboxStatus)


def inbox_statement(*, status: str | None = None, event_type: str | None = None, with_payload: bool = False) -> Select:
    """Inbox events, newest first, optionally of one status and type; the payload only when asked for."""
    statement = select(InboxEvent).order_by(InboxEvent.id.desc())
    if not with_payload:
        statement = statement.options(defer(InboxEvent.payload))
    if status:
        statement = statement.where(InboxEvent.status == InboxStatus(status))
    if event_type:
        statement = statement.where(InboxEvent.event_type == event_type)
    return statement


def event_types(session: Session) -> list[str]:
    """The event types present in the inbox, for the type filter."""
    return list(session.scalars(select(InboxEvent.event_type).distinct().order_by(InboxEvent.event_type)))


def latest_received_at(session: Session):
    """When the newest inbox event arrived, or None."""
    return session.scalar(select(func.max(InboxEvent.received_at)))


def members_statement(user: object) -> Select:
    """The members a user may see, oldest first: all of them, or those of the user's districts."""
    return select(Member).where(district_clause(user, Member.district)).order_by(Member.id)


def count_members(session: Session) -> int:
    """How many members the bot knows (a number, not personal data)."""
    return session.scalar(select(func.count()).select_from(Member)) or 0


def rejected_statement() -> Select:
    """Rejected webhook bodies, newest first."""
    return select(RejectedBody).order_by(RejectedBody.id.desc())


def audit_statement(*, action: str | None = None, actor: str | None = None) -> Select:
    """Audit entries, newest first, optionally filtered by action prefix and actor."""
    statement = select(AuditEntry).order_by(AuditEntry.id.desc())
    if action:
        statement = statement.where(AuditEntry.action.startswith(action, autoescape=True))
    if actor:
        statement = statement.where(AuditEntry.actor == actor.strip().lower())
    return statement
