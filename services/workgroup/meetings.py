"""Meetings of a committee: date and kind, attendees, the network reports before them, minutes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from models import NewsReport, ReportStatus
from models.districts import DISTRICTS
from models.periods import Period
from models.timeutil import thai_datetime, to_bangkok, utcnow
from models.workgroup import (
    CommitteeMember,
    Meeting,
    MeetingAttendee,
    MeetingKind,
    MeetingReport,
    MeetingStatus,
    StoredFile,
)
from services.workgroup.committees import get_committee
from services.workgroup.errors import WorkgroupError, get_or_refuse
from texts import workgroup as t

WAITING_STATUSES = (ReportStatus.NEW, ReportStatus.RECEIVED)
Warn = Callable[[str], object]


def status_as_of(
    status: str, starts_at: datetime, now: datetime | None = None, warn: Warn | None = None
) -> MeetingStatus:
    """The status a meeting may have now: one whose start is still ahead is planned, not held (``warn`` says why)."""
    wanted = MeetingStatus(status)
    if wanted == MeetingStatus.HELD and starts_at > (now or utcnow()):
        if warn is not None:
            warn(t.MEETING_NOT_YET_HELD.format(when=thai_datetime(starts_at)))
        return MeetingStatus.PLANNED
    return wanted


def create_meeting(
    session: Session,
    *,
    committee_id: int,
    kind: str,
    title: str,
    starts_at: datetime,
    by: str,
    place: str | None = None,
    agenda: str | None = None,
    exchanged_information: bool = False,
    status: str = MeetingStatus.PLANNED,
    now: datetime | None = None,
    warn: Warn | None = None,
) -> Meeting:
    """Record a meeting (planned, or already held once its start has passed) of a committee."""
    get_committee(session, committee_id)
    if starts_at.tzinfo is None:
        raise WorkgroupError("เวลาประชุมต้องระบุเขตเวลา")
    if not title.strip():
        raise WorkgroupError("กรุณาระบุชื่อการประชุม")
    meeting = Meeting(
        committee_id=committee_id,
        kind=MeetingKind(kind),
        status=status_as_of(status, starts_at, now, warn),
        title=title.strip()[:300],
        starts_at=starts_at,
        place=(place or "").strip()[:300] or None,
        agenda=(agenda or "").strip() or None,
        exchanged_information=exchanged_information,
        target_districts=[],
        created_by=by,
    )
    session.add(meeting)
    session.flush()
    return meeting


def get_meeting(session: Session, meeting_id: int) -> Meeting:
    """A meeting, or a WorkgroupError."""
    return get_or_refuse(session, Meeting, meeting_id, "ไม่พบการประชุมนี้")


def update_meeting(
    session: Session, meeting_id: int, *, now: datetime | None = None, warn: Warn | None = None, **fields: Any
) -> Meeting:
    """Change a meeting's date, kind, status, place, agenda or minutes; held only once its start has passed."""
    meeting = get_meeting(session, meeting_id)
    for key in ("title", "starts_at", "place", "agenda", "exchanged_information", "minutes_text"):
        if key in fields:
            setattr(meeting, key, fields[key])
    if "kind" in fields:
        meeting.kind = MeetingKind(fields["kind"])
    if "status" in fields:
        meeting.status = MeetingStatus(fields["status"])
    if meeting.starts_at.tzinfo is None:
        raise WorkgroupError("เวลาประชุมต้องระบุเขตเวลา")
    meeting.status = status_as_of(meeting.status, meeting.starts_at, now, warn)
    return meeting


def set_target_districts(session: Session, meeting_id: int, districts: list[str]) -> Meeting:
    """The districts where the meeting decided something (the seed's 10 pilot districts)."""
    meeting = get_meeting(session, meeting_id)
    unknown = [name for name in districts if name not in DISTRICTS]
    if unknown:
        raise WorkgroupError(f"ไม่รู้จักเขต: {', '.join(unknown)}")
    meeting.target_districts = list(dict.fromkeys(districts))
    return meeting


def set_attendees(
    session: Session, meeting_id: int, *, member_ids: list[int], others: list[tuple[int | None, str]] = ()
) -> Meeting:
    """Replace a meeting's attendees: committee members, and people from agencies (agency id, name)."""
    meeting = get_meeting(session, meeting_id)
    for attendee in list(meeting.attendees):
        session.delete(attendee)
    session.flush()
    for member_id in dict.fromkeys(member_ids):
        member = session.get(CommitteeMember, member_id)
        if member is None or member.committee_id != meeting.committee_id:
            raise WorkgroupError("ผู้เข้าประชุมต้องเป็นกรรมการของคณะทำงานนี้")
        session.add(MeetingAttendee(meeting_id=meeting.id, member_id=member.id, agency_id=member.agency_id))
    for agency_id, name in others:
        if name.strip() or agency_id:
            session.add(MeetingAttendee(meeting_id=meeting.id, agency_id=agency_id, name=name.strip()[:200] or None))
    session.flush()
    session.refresh(meeting, ["attendees"])
    return meeting


def link_reports(session: Session, meeting_id: int, report_ids: list[int], note: str | None = None) -> int:
    """Put network reports before a meeting (considered once it is held); return how many were added."""
    meeting = get_meeting(session, meeting_id)
    linked = {link.report_id for link in meeting.report_links}
    added = 0
    for report_id in dict.fromkeys(report_ids):
        report = session.get(NewsReport, report_id)
        if report is None or report.ref_no is None:
            raise WorkgroupError("ไม่พบข่าวที่เลือก")
        if report_id not in linked:
            session.add(MeetingReport(meeting_id=meeting.id, report_id=report_id, note=note))
            added += 1
    session.flush()
    session.refresh(meeting, ["report_links"])
    return added


def unlink_report(session: Session, meeting_id: int, report_id: int) -> None:
    """Take a report off a meeting's agenda."""
    link = session.scalar(
        select(MeetingReport).where(MeetingReport.meeting_id == meeting_id, MeetingReport.report_id == report_id)
    )
    if link is not None:
        session.delete(link)
        session.flush()


def attach_minutes(session: Session, meeting_id: int, stored: StoredFile) -> Meeting:
    """Attach the minutes document (evidence of level 4)."""
    meeting = get_meeting(session, meeting_id)
    meeting.minutes_file_id = stored.id
    return meeting


def meetings_in_year(session: Session, fiscal_year: int) -> list[Meeting]:
    """The meetings of a fiscal year (by Bangkok date), oldest first."""
    period = Period.of_fiscal_year(fiscal_year)
    query = (
        select(Meeting)
        .where(Meeting.starts_at >= period.starts, Meeting.starts_at < period.ends)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return list(session.scalars(query))


def bangkok_day(moment: datetime) -> date:
    """The Bangkok calendar day of an aware instant."""
    return to_bangkok(moment).date()


def next_meeting(session: Session, now: datetime) -> Meeting | None:
    """The next meeting from now on that is not called off (one marked held too early is still ahead)."""
    query = (
        select(Meeting)
        .where(Meeting.status != MeetingStatus.CANCELLED, Meeting.starts_at >= now)
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
