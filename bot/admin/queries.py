"""The selects behind the admin web and the API: inbox events, members, rejected bodies, the audit log."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, func, or_, select, true
from sqlalchemy.orm import Session, defer

from bot.auth import district_clause, visible_districts
from models import (
    Agency,
    AuditEntry,
    Chat,
    InboxEvent,
    InboxStatus,
    Member,
    NewsReport,
    RejectedBody,
    ReportItem,
    RiskUnit,
)

INBOX_STATUSES = tuple(status.value for status in InboxStatus)


def inbox_scope(user: object) -> ColumnElement[bool]:
    """A SQL condition keeping the inbox events a user may see: every event, or those of the user's districts.

    An event belongs to a district when its chat is the 1:1 chat of a member of the district, or the LINE
    group of a risk-point unit or a district office (agency) of the district, or when the message became
    part of a news report of the district. Any other event (a group of no district, someone who never
    registered) has no district and is shown to no district-scoped role.
    """
    districts = visible_districts(user)
    if districts is None:
        return true()
    if not districts:
        return false()
    members = select(Member.line_user_id).where(district_clause(user, Member.district))
    units = select(Chat.line_chat_id).join(RiskUnit, RiskUnit.chat_id == Chat.id)
    agencies = select(Chat.line_chat_id).join(Agency, Agency.chat_id == Chat.id)
    reported = (
        select(ReportItem.inbox_event_id)
        .join(NewsReport, NewsReport.id == ReportItem.report_id)
        .where(ReportItem.inbox_event_id.is_not(None), district_clause(user, NewsReport.district))
    )
    return or_(
        InboxEvent.chat_key.in_(members),
        InboxEvent.chat_key.in_(units.where(district_clause(user, RiskUnit.district))),
        InboxEvent.chat_key.in_(agencies.where(district_clause(user, Agency.district))),
        InboxEvent.id.in_(reported),
    )


def inbox_statement(
    user: object, *, status: str | None = None, event_type: str | None = None, with_payload: bool = False
) -> Select:
    """The inbox events a user may see, newest first, optionally of one status and type; payloads only if asked."""
    statement = select(InboxEvent).where(inbox_scope(user)).order_by(InboxEvent.id.desc())
    if not with_payload:
        statement = statement.options(defer(InboxEvent.payload))
    if status:
        statement = statement.where(InboxEvent.status == InboxStatus(status))
    if event_type:
        statement = statement.where(InboxEvent.event_type == event_type)
    return statement


def find_event(session: Session, user: object, event_id: int) -> InboxEvent | None:
    """One inbox event if the user may see it; None alike for a missing event and one outside the scope."""
    return session.scalar(select(InboxEvent).where(InboxEvent.id == event_id, inbox_scope(user)))


def event_types(session: Session, user: object) -> list[str]:
    """The event types present among the events a user may see, for the type filter."""
    statement = select(InboxEvent.event_type).where(inbox_scope(user)).distinct().order_by(InboxEvent.event_type)
    return list(session.scalars(statement))


def inbox_counts(session: Session, user: object) -> dict[str, int]:
    """How many events the user may see are in each status (every status, zero included)."""
    statement = select(InboxEvent.status, func.count()).where(inbox_scope(user)).group_by(InboxEvent.status)
    counts = {str(status): count for status, count in session.execute(statement)}
    return {status: counts.get(status, 0) for status in INBOX_STATUSES}


def latest_received_at(session: Session, user: object):
    """When the newest inbox event the user may see arrived, or None."""
    return session.scalar(select(func.max(InboxEvent.received_at)).where(inbox_scope(user)))


def members_statement(user: object) -> Select:
    """The members a user may see, oldest first: all of them, or those of the user's districts."""
    return select(Member).where(district_clause(user, Member.district)).order_by(Member.id)


def count_members(session: Session, user: object) -> int:
    """How many members of the user's districts (all, for unscoped roles) the bot knows: a number only."""
    statement = select(func.count()).select_from(Member).where(district_clause(user, Member.district))
    return session.scalar(statement) or 0


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
