"""The selects behind the network's admin pages and API: members, groups, reports and their links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select, union_all
from sqlalchemy.orm import Session

from bot.admin.network_filters import HIDDEN_STATUSES, STATUS_ALL, MemberFilters, ReportFilters, day_start
from bot.auth import district_clause
from models import (
    AuditEntry,
    Chat,
    GroupRegistrationCode,
    Invitation,
    Member,
    MemberStatus,
    NewsReport,
    Occupation,
    ReportCategory,
    ReportItem,
    ReportLink,
    ReportStatus,
)
from services.audit import Action


def occupation_names(session: Session) -> dict[str, str]:
    """Occupational group names by code."""
    return dict(session.execute(select(Occupation.code, Occupation.name)).all())


def category_names(session: Session) -> dict[str, str]:
    """Report category names by code."""
    return dict(session.execute(select(ReportCategory.code, ReportCategory.name)).all())


def occupations(session: Session) -> list[Occupation]:
    """Every occupational group in its order (retired ones too)."""
    return list(session.scalars(select(Occupation).order_by(Occupation.sort_order, Occupation.code)))


def categories(session: Session) -> list[ReportCategory]:
    """Every report category in its order (retired ones too)."""
    return list(session.scalars(select(ReportCategory).order_by(ReportCategory.sort_order, ReportCategory.code)))


# --- members --------------------------------------------------------------------------------------


def members_in_group(chat_id: int):
    """A condition: members seen in a group (they reported there or were invited from it).

    LINE does not give the member list of a group, so this is what the bot itself has seen.
    """
    reporters = select(NewsReport.reporter_id).where(NewsReport.chat_id == chat_id, NewsReport.reporter_id.is_not(None))
    invited = select(Invitation.line_user_id).where(Invitation.chat_id == chat_id)
    return or_(Member.id.in_(reporters), Member.line_user_id.in_(invited))


def network_members_statement(user: object, filters: MemberFilters) -> Select:
    """The members a user may see (their districts only, for district officers), filtered, newest first."""
    statement = select(Member).where(district_clause(user, Member.district))
    if filters.status:
        statement = statement.where(Member.status == MemberStatus(filters.status))
    if filters.occupation:
        statement = statement.where(Member.occupation_code == filters.occupation)
    if filters.district:
        statement = statement.where(Member.district == filters.district)
    if filters.group:
        statement = statement.where(members_in_group(filters.group))
    return statement.order_by(Member.id.desc())


def count_pending(session: Session, user: object) -> int:
    """How many registered members of the user's districts wait for approval."""
    statement = select(func.count(Member.id)).where(
        Member.status == MemberStatus.PENDING, district_clause(user, Member.district)
    )
    return session.scalar(statement) or 0


def report_counts(session: Session, member_ids: list[int]) -> dict[int, int]:
    """How many confirmed reports each member sent."""
    if not member_ids:
        return {}
    statement = (
        select(NewsReport.reporter_id, func.count(NewsReport.id))
        .where(NewsReport.reporter_id.in_(member_ids), NewsReport.status.not_in(HIDDEN_STATUSES))
        .group_by(NewsReport.reporter_id)
    )
    return dict(session.execute(statement).all())


def member_groups(session: Session, member: Member) -> list[Chat]:
    """The registered groups a member was seen in."""
    reported = select(NewsReport.chat_id).where(NewsReport.reporter_id == member.id)
    invited = select(Invitation.chat_id).where(Invitation.line_user_id == member.line_user_id)
    statement = (
        select(Chat)
        .where(Chat.registered_at.is_not(None), or_(Chat.id.in_(reported), Chat.id.in_(invited)))
        .order_by(Chat.name)
    )
    return list(session.scalars(statement))


# --- groups ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupRow:
    """A registered group and how many confirmed reports came from it."""

    chat: Chat
    reports: int


def registered_groups(session: Session) -> list[GroupRow]:
    """Registered groups, oldest registration first, with their report counts."""
    reports = (
        select(func.count(NewsReport.id))
        .where(NewsReport.chat_id == Chat.id, NewsReport.status.not_in(HIDDEN_STATUSES))
        .correlate(Chat)
        .scalar_subquery()
    )
    statement = (
        select(Chat, reports)
        .where(Chat.registered_at.is_not(None), Chat.purpose.is_not(None))
        .order_by(Chat.registered_at, Chat.id)
    )
    return [GroupRow(chat, count or 0) for chat, count in session.execute(statement)]


def registered_groups_statement() -> Select:
    """Registered groups as a select (the API pages it)."""
    return select(Chat).where(Chat.registered_at.is_not(None), Chat.purpose.is_not(None)).order_by(Chat.registered_at)


def unregistered_chats_statement() -> Select:
    """Groups and rooms the bot is in that nobody registered (nothing of them is logged)."""
    return (
        select(Chat)
        .where(or_(Chat.registered_at.is_(None), Chat.purpose.is_(None)), Chat.is_member.is_(True))
        .order_by(Chat.joined_at.desc())
    )


def open_codes(session: Session, now: datetime) -> list[GroupRegistrationCode]:
    """Group registration codes not used yet and not expired, newest first."""
    statement = (
        select(GroupRegistrationCode)
        .where(GroupRegistrationCode.used_at.is_(None), GroupRegistrationCode.expires_at > now)
        .order_by(GroupRegistrationCode.created_at.desc())
    )
    return list(session.scalars(statement))


def group_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of registered groups, for filters."""
    statement = select(Chat.id, Chat.name).where(Chat.registered_at.is_not(None)).order_by(Chat.name)
    return [(chat_id, name or f"กลุ่ม #{chat_id}") for chat_id, name in session.execute(statement)]


# --- reports ---------------------------------------------------------------------------------------


def reports_statement(user: object, filters: ReportFilters) -> Select:
    """Reports the user may see, newest first, with item, unsent and duplicate counts, code and group.

    Rows: (NewsReport, item_count, unsent_count, duplicate_count, reporter_code, chat_name).
    The counts come from two grouped subqueries joined once (one pass over items and links per page, whatever
    the page's offset), not from a subquery per row: a deep page of a district-year stays fast.
    """
    items = (
        select(
            ReportItem.report_id.label("report_id"),
            func.count(ReportItem.id).label("item_total"),
            func.count(ReportItem.unsent_at).label("unsent_total"),
        )
        .group_by(ReportItem.report_id)
        .subquery("item_counts")
    )
    ends = union_all(
        select(ReportLink.report_id.label("report_id")), select(ReportLink.other_id.label("report_id"))
    ).subquery("link_ends")
    duplicates = (
        select(ends.c.report_id, func.count().label("links")).group_by(ends.c.report_id).subquery("link_counts")
    )
    statement = (
        select(
            NewsReport,
            func.coalesce(items.c.item_total, 0).label("item_count"),
            func.coalesce(items.c.unsent_total, 0).label("unsent_count"),
            func.coalesce(duplicates.c.links, 0).label("duplicate_count"),
            Member.reporter_code,
            Chat.name.label("chat_name"),
        )
        .outerjoin(items, items.c.report_id == NewsReport.id)
        .outerjoin(duplicates, duplicates.c.report_id == NewsReport.id)
        .outerjoin(Member, Member.id == NewsReport.reporter_id)
        .outerjoin(Chat, Chat.id == NewsReport.chat_id)
        .where(district_clause(user, NewsReport.district))
    )
    return _filter_reports(statement, filters).order_by(NewsReport.started_at.desc(), NewsReport.id.desc())


def _filter_reports(statement: Select, filters: ReportFilters) -> Select:
    """Apply the inbox's filters to a select of reports."""
    if filters.date_from:
        statement = statement.where(NewsReport.started_at >= day_start(filters.date_from))
    if filters.ends:
        statement = statement.where(NewsReport.started_at < filters.ends)
    if filters.received_since:
        statement = statement.where(NewsReport.started_at >= filters.received_since)
    if filters.district:
        statement = statement.where(NewsReport.district == filters.district)
    if filters.category == "none":
        statement = statement.where(NewsReport.category_code.is_(None))
    elif filters.category:
        statement = statement.where(NewsReport.category_code == filters.category)
    if filters.group == "direct":
        statement = statement.where(NewsReport.channel == "direct")
    elif filters.group:
        statement = statement.where(NewsReport.chat_id == int(filters.group))
    if filters.status is None:
        statement = statement.where(NewsReport.status.not_in(HIDDEN_STATUSES))
    elif filters.status != STATUS_ALL:
        statement = statement.where(NewsReport.status == ReportStatus(filters.status))
    if filters.ref:
        statement = statement.where(NewsReport.ref_no.contains(filters.ref, autoescape=True))
    return statement


def find_report(session: Session, key: str | int) -> NewsReport | None:
    """A report by id or by reference number (NR-2569-000123)."""
    text = str(key).strip()
    if text.isdigit():
        return session.get(NewsReport, int(text))
    return session.scalar(select(NewsReport).where(NewsReport.ref_no == text.upper()))


@dataclass(frozen=True)
class LinkedReport:
    """A report linked to another as possibly the same news."""

    report: NewsReport
    distance_m: float | None
    minutes_apart: float | None


def linked_reports(session: Session, report_id: int) -> list[LinkedReport]:
    """The possible duplicates of a report, in either direction of the link."""
    links = session.scalars(
        select(ReportLink).where(or_(ReportLink.report_id == report_id, ReportLink.other_id == report_id))
    ).all()
    found = []
    for link in links:
        other = session.get(NewsReport, link.other_id if link.report_id == report_id else link.report_id)
        if other is not None:
            found.append(LinkedReport(other, link.distance_m, link.minutes_apart))
    return sorted(found, key=lambda linked: linked.report.started_at)


def status_update_history(session: Session, report_id: int) -> list[AuditEntry]:
    """The status updates sent to a report's sender (from the audit log), oldest first."""
    statement = (
        select(AuditEntry)
        .where(
            AuditEntry.action == Action.REPORT_STATUS_UPDATE,
            AuditEntry.object_type == "news_report",
            AuditEntry.object_id == str(report_id),
        )
        .order_by(AuditEntry.id)
    )
    return list(session.scalars(statement))
