"""What the secretariat does to the network from the admin web, the API or the CLI."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import delivery
from handlers.messages import text
from handlers.texts import network as t
from models import GroupRegistrationCode, Member, MemberStatus, NewsReport, ReportCategory, ReportStatus
from models.timeutil import utcnow

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
PURPOSES = tuple(t.GROUP_PURPOSES)


class NetworkError(ValueError):
    """An action the data does not allow (shown to the staff member as is)."""


def create_group_code(
    session: Session, *, name: str, purpose: str, by: str, occupation: str | None = None, days: int = 7
) -> GroupRegistrationCode:
    """A one-time code to type in a LINE group as 'ลงทะเบียนกลุ่ม CODE'."""
    if purpose not in PURPOSES:
        raise NetworkError(f"ประเภทกลุ่มไม่ถูกต้อง: {purpose}")
    code = GroupRegistrationCode(
        code="".join(secrets.choice(CODE_ALPHABET) for _ in range(6)),
        name=name.strip()[:200],
        purpose=purpose,
        occupation_code=occupation or None,
        created_by=by,
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(code)
    session.flush()
    return code


def decide_member(session: Session, member_id: int, status: MemberStatus, *, by: str) -> Member:
    """Approve, reject or suspend a registered member."""
    member = session.get(Member, member_id)
    if member is None or member.registered_at is None:
        raise NetworkError("ไม่พบสมาชิกที่ลงทะเบียนนี้")
    member.status = status
    member.decided_at, member.decided_by = utcnow(), by
    return member


def set_category(session: Session, report_id: int, code: str, *, by: str) -> NewsReport:
    """The secretariat's category for a report (it replaces the suggestion)."""
    report = session.get(NewsReport, report_id)
    if report is None or session.get(ReportCategory, code) is None:
        raise NetworkError("ไม่พบข่าวหรือหมวดหมู่นี้")
    report.category_code, report.category_set_by = code, by
    return report


def send_status_update(session: Session, report_id: int, key: str, *, by: str) -> bool:
    """Tell a report's sender where it stands, by push (counts against the quota); False if unreachable."""
    report = session.get(NewsReport, report_id)
    if report is None or key not in t.STATUS_UPDATES:
        raise NetworkError("ไม่พบข่าวหรือข้อความสถานะนี้")
    if key == "received" and report.status == ReportStatus.NEW:
        report.status = ReportStatus.RECEIVED
    if key == "forwarded":
        report.status = ReportStatus.FORWARDED
    reporter = session.get(Member, report.reporter_id) if report.reporter_id else None
    if reporter is None or not reporter.is_friend:
        return False
    body = t.STATUS_UPDATES[key].format(ref=report.ref_no)
    delivery.enqueue(session, reporter.line_user_id, [text(body)], purpose=f"status-update:{key}")
    return True


def pending_members(session: Session) -> list[Member]:
    """Members waiting for approval, oldest first."""
    query = select(Member).where(Member.status == MemberStatus.PENDING).order_by(Member.registered_at)
    return list(session.scalars(query))
