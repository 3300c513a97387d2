"""Query helpers and small operations on the working group's tables, shared by LINE handlers and the web.

They take the session first and never commit. The admin web's larger operations are in services/workgroup/committees.py
and services/workgroup/forwards.py; these are the ones the bot's LINE handlers need too.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from models.admin import Role, StaffUser
from models.network import NewsReport, ReportStatus
from models.workgroup import (
    Forward,
    ForwardRecipient,
    Measure,
    MeasureKind,
    Meeting,
    MeetingReport,
    MeetingStatus,
    StaffLineLink,
    StaffLinkCode,
    StoredFile,
)

WAITING_STATUSES = (ReportStatus.NEW, ReportStatus.RECEIVED)
SECRETARIAT_ROLES = (Role.ADMIN, Role.SECRETARIAT)


class WorkgroupError(ValueError):
    """An action the data does not allow (shown to the staff member as is, in Thai)."""


def next_meeting(session: Session, now: datetime) -> Meeting | None:
    """The next planned meeting from now on."""
    query = (
        select(Meeting)
        .where(Meeting.status == MeetingStatus.PLANNED, Meeting.starts_at >= now)
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(1)
    )
    return session.scalar(query)


def waiting_reports_statement():
    """Network reports no held meeting has considered yet, oldest first (a select, for paging)."""
    considered = (
        select(MeetingReport.id)
        .join(Meeting, Meeting.id == MeetingReport.meeting_id)
        .where(MeetingReport.report_id == NewsReport.id, Meeting.status == MeetingStatus.HELD)
    )
    return (
        select(NewsReport)
        .where(NewsReport.ref_no.is_not(None), NewsReport.status.in_(WAITING_STATUSES), ~exists(considered))
        .order_by(NewsReport.started_at, NewsReport.id)
    )


def reports_waiting(session: Session, limit: int | None = None) -> list[NewsReport]:
    """The reports waiting to be considered by a meeting."""
    statement = waiting_reports_statement()
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.scalars(statement))


def use_link_code(session: Session, typed: str, line_user_id: str, now: datetime) -> StaffUser | None:
    """Link the LINE user to the code's staff account; None if the code is wrong, used or expired."""
    code = session.scalar(
        select(StaffLinkCode).where(
            StaffLinkCode.code == typed.strip().upper(),
            StaffLinkCode.used_at.is_(None),
            StaffLinkCode.expires_at > now,
        )
    )
    if code is None:
        return None
    user = session.get(StaffUser, code.staff_user_id)
    if user is None or not user.is_active:
        return None
    taken = session.scalar(select(StaffLineLink).where(StaffLineLink.line_user_id == line_user_id))
    if taken is not None and taken.staff_user_id != user.id:
        raise WorkgroupError("taken")
    code.used_at = now
    link = session.get(StaffLineLink, user.id)
    if link is None:
        session.add(StaffLineLink(staff_user_id=user.id, line_user_id=line_user_id, linked_at=now))
    else:
        link.line_user_id, link.linked_at = line_user_id, now
    session.flush()
    return user


def unlink_line(session: Session, *, staff_user_id: int | None = None, line_user_id: str | None = None) -> bool:
    """Remove a staff account's LINE link; False when there was none."""
    query = select(StaffLineLink)
    if staff_user_id is not None:
        query = query.where(StaffLineLink.staff_user_id == staff_user_id)
    elif line_user_id is not None:
        query = query.where(StaffLineLink.line_user_id == line_user_id)
    else:
        return False
    link = session.scalar(query)
    if link is None:
        return False
    session.delete(link)
    session.flush()
    return True


def line_link(session: Session, staff_user_id: int) -> StaffLineLink | None:
    """The staff account's LINE link, if any."""
    return session.get(StaffLineLink, staff_user_id)


def staff_for_line_user(session: Session, line_user_id: str | None) -> StaffUser | None:
    """The active staff account linked to a LINE user id."""
    if not line_user_id:
        return None
    user = session.scalar(
        select(StaffUser)
        .join(StaffLineLink, StaffLineLink.staff_user_id == StaffUser.id)
        .where(StaffLineLink.line_user_id == line_user_id)
    )
    return user if user is not None and user.is_active else None


def is_secretariat(user: StaffUser | None) -> bool:
    """Whether a staff account may use the secretariat's LINE commands."""
    return user is not None and user.is_active and user.role in SECRETARIAT_ROLES


def secretariat_line_ids(session: Session) -> list[str]:
    """LINE user ids of active admin and secretariat accounts: where warnings and reminders go."""
    rows = session.scalars(
        select(StaffLineLink.line_user_id)
        .join(StaffUser, StaffUser.id == StaffLineLink.staff_user_id)
        .where(StaffUser.is_active, StaffUser.role.in_(SECRETARIAT_ROLES))
        .order_by(StaffLineLink.staff_user_id)
    )
    return list(rows)


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


# --- measures reported back ----------------------------------------------------------------------


def record_measure(
    session: Session,
    *,
    forward_id: int,
    agency_id: int,
    title: str,
    by: str,
    reported_on: date,
    kind: str = MeasureKind.MEASURE,
    detail: str | None = None,
    district: str | None = None,
    stored: StoredFile | None = None,
    source: str = "web",
    now: datetime | None = None,
) -> Measure:
    """Record a measure, policy or plan an agency reported on a forward (it also acknowledges receipt)."""
    forward = session.get(Forward, forward_id)
    if forward is None:
        raise WorkgroupError("ไม่พบเรื่องที่ส่งต่อ")
    recipient = next((r for r in forward.recipients if r.agency_id == agency_id), None)
    if recipient is None:
        raise WorkgroupError("หน่วยงานนี้ไม่ได้รับเรื่องนี้")
    if not title.strip():
        raise WorkgroupError("กรุณาระบุมาตรการหรือนโยบาย")
    measure = Measure(
        forward_id=forward.id,
        agency_id=agency_id,
        kind=MeasureKind(kind),
        title=title.strip()[:300],
        detail=(detail or "").strip() or None,
        district=district or recipient.agency.district,
        reported_on=reported_on,
        file_id=stored.id if stored else None,
        source=source,
        recorded_by=by,
    )
    session.add(measure)
    if recipient.acknowledged_at is None:
        recipient.acknowledged_at = now or forward.sent_at
        recipient.acknowledged_by = "แจ้งผลการดำเนินการ"
    session.flush()
    return measure


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
