"""What the secretariat does with the working group: agencies, committees, meetings and their documents.

Forwarding results to agencies is in services/workgroup/forwards.py; the KPI in reports/network_kpi.py.
Functions take the session first and never commit: the caller (a web view, the CLI, a job) does.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from linebot.v3.messaging import Message
from sqlalchemy import select
from sqlalchemy.orm import Session

from line.messages import text
from models import NewsReport
from models.districts import DISTRICTS
from models.settings import get_setting
from models.timeutil import BANGKOK, fiscal_year_bounds, thai_date, thai_datetime, to_bangkok
from models.workgroup import (
    ActionItem,
    Agency,
    AgencyKind,
    Committee,
    CommitteeChange,
    CommitteeMember,
    CommitteeRole,
    Meeting,
    MeetingAttendee,
    MeetingKind,
    MeetingReport,
    MeetingStatus,
    StaffLinkCode,
    StoredFile,
)
from reports.network_kpi import counted_meetings
from reports.periods import Period
from runtime.media import MediaStore
from services.workgroup.ops import WorkgroupError
from texts import workgroup as t

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
ZONES = (
    ("zone_central", "กลุ่มเขตกรุงเทพกลาง"),
    ("zone_south", "กลุ่มเขตกรุงเทพใต้"),
    ("zone_north", "กลุ่มเขตกรุงเทพเหนือ"),
    ("zone_east", "กลุ่มเขตกรุงเทพตะวันออก"),
    ("zone_thonburi_north", "กลุ่มเขตกรุงธนเหนือ"),
    ("zone_thonburi_south", "กลุ่มเขตกรุงธนใต้"),
)
# The configurable list's starting point: code, name, short name, kind, authority over illegal immigration,
# and whom a letter is addressed to.
DEFAULT_AGENCIES: tuple[tuple[str, str, str, AgencyKind, bool, str | None], ...] = (
    ("opr", "สำนักงานปกครองและทะเบียน", "สปท.", AgencyKind.BMA, False, "ผู้อำนวยการสำนักงานปกครองและทะเบียน"),
    *((code, name, name, AgencyKind.BMA, False, None) for code, name in ZONES),
    (
        "isoc_bkk",
        "กองอำนวยการรักษาความมั่นคงภายในกรุงเทพมหานคร",
        "กอ.รมน.กทม.",
        AgencyKind.OUTSIDE,
        True,
        "ผู้อำนวยการรักษาความมั่นคงภายในกรุงเทพมหานคร",
    ),
    ("immigration", "สำนักงานตรวจคนเข้าเมือง", "สตม.", AgencyKind.OUTSIDE, True, "ผู้บัญชาการสำนักงานตรวจคนเข้าเมือง"),
    ("nia", "สำนักข่าวกรองแห่งชาติ", "สขช.", AgencyKind.OUTSIDE, True, "ผู้อำนวยการสำนักข่าวกรองแห่งชาติ"),
    (
        "msdhs",
        "กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์",
        "พม.",
        AgencyKind.OUTSIDE,
        True,
        "ปลัดกระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์",
    ),
    ("employment", "กรมการจัดหางาน", "กกจ.", AgencyKind.OUTSIDE, True, "อธิบดีกรมการจัดหางาน"),
    ("metro_police", "กองบัญชาการตำรวจนครบาล", "บช.น.", AgencyKind.OUTSIDE, True, "ผู้บัญชาการตำรวจนครบาล"),
)


# --- agencies ------------------------------------------------------------------------------------


def district_office_code(district: str) -> str:
    """The agency code of a district office, e.g. district:คลองเตย."""
    return f"district:{district}"


def ensure_default_agencies(session: Session, *, with_districts: bool = True) -> list[Agency]:
    """Add the default agencies (and the 50 district offices) that are missing; return those added."""
    existing = set(session.scalars(select(Agency.code)))
    rows: list[dict[str, Any]] = [
        {
            "code": code,
            "name": name,
            "short_name": short,
            "kind": kind,
            "immigration_authority": authority,
            "addressee": addressee,
        }
        for code, name, short, kind, authority, addressee in DEFAULT_AGENCIES
    ]
    if with_districts:
        rows += [
            {
                "code": district_office_code(name),
                "name": f"สำนักงานเขต{name}",
                "short_name": f"เขต{name}",
                "kind": AgencyKind.BMA,
                "immigration_authority": False,
                "district": name,
                "addressee": f"ผู้อำนวยการเขต{name}",
            }
            for name in DISTRICTS
        ]
    added = []
    for order, row in enumerate(rows):
        if row["code"] not in existing:
            agency = Agency(sort_order=order * 10, **row)
            session.add(agency)
            added.append(agency)
    session.flush()
    return added


def save_agency(session: Session, agency_id: int | None, **fields: Any) -> Agency:
    """Create an agency (agency_id None) or change one; the code stays unique."""
    name = (fields.get("name") or "").strip()
    code = (fields.get("code") or "").strip()
    if not name or not code:
        raise WorkgroupError("กรุณาระบุรหัสและชื่อหน่วยงาน")
    kind = AgencyKind(fields.get("kind") or AgencyKind.BMA)
    clash = session.scalar(select(Agency).where(Agency.code == code, Agency.id != (agency_id or 0)))
    if clash is not None:
        raise WorkgroupError(f"มีหน่วยงานรหัส {code} อยู่แล้ว")
    district = (fields.get("district") or "").strip() or None
    if district is not None and district not in DISTRICTS:
        raise WorkgroupError(f"ไม่รู้จักเขต {district}")
    agency = session.get(Agency, agency_id) if agency_id else Agency()
    if agency is None:
        raise WorkgroupError("ไม่พบหน่วยงานนี้")
    agency.code, agency.name, agency.kind = code[:40], name[:200], kind
    agency.short_name = (fields.get("short_name") or "").strip()[:60] or None
    agency.immigration_authority = bool(fields.get("immigration_authority")) and kind == AgencyKind.OUTSIDE
    agency.district = district
    agency.addressee = (fields.get("addressee") or "").strip()[:200] or None
    agency.contact = (fields.get("contact") or "").strip() or None
    agency.chat_id = fields.get("chat_id") or None
    agency.is_active = bool(fields.get("is_active", True))
    session.add(agency)
    session.flush()
    return agency


def active_agencies(session: Session) -> list[Agency]:
    """Agencies in the configured order."""
    return list(session.scalars(select(Agency).where(Agency.is_active).order_by(Agency.sort_order, Agency.id)))


# --- files ---------------------------------------------------------------------------------------


def store_file(
    session: Session, media_dir: str | Path, data: bytes, file_name: str, *, purpose: str, by: str
) -> StoredFile:
    """Keep an uploaded document under MEDIA_DIR (named by checksum, private) and record it."""
    suffix = Path(file_name).suffix.lower()
    if suffix not in UPLOAD_TYPES:
        raise WorkgroupError("รับเฉพาะไฟล์ PDF, Word, Excel หรือรูปภาพ (JPG, PNG)")
    if not data:
        raise WorkgroupError("ไฟล์ว่างเปล่า")
    if len(data) > MAX_UPLOAD_BYTES:
        raise WorkgroupError("ไฟล์ใหญ่เกิน 20 MB")
    content_type = UPLOAD_TYPES[suffix]
    original, _shown, digest = MediaStore(media_dir).save(data, content_type)
    stored = StoredFile(
        purpose=purpose,
        file_name=Path(file_name).name[:255] or f"file{suffix}",
        content_type=content_type,
        path=original,
        sha256=digest,
        size=len(data),
        uploaded_by=by,
    )
    session.add(stored)
    session.flush()
    return stored


# --- committees ----------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A value as JSON keeps it in a change record."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def record_change(
    session: Session, committee: Committee, action: str, *, by: str, member: CommitteeMember | None = None, **detail
) -> CommitteeChange:
    """Add one line to a committee's history of changes."""
    change = CommitteeChange(
        committee_id=committee.id,
        member_id=member.id if member is not None else None,
        action=action,
        detail={key: _plain(value) for key, value in detail.items()},
        by=by,
    )
    session.add(change)
    return change


def _check_dates(valid_from: date, valid_until: date | None) -> None:
    if valid_until is not None and valid_until < valid_from:
        raise WorkgroupError("วันสิ้นสุดต้องไม่ก่อนวันเริ่มมีผล")


COMMITTEE_FIELDS = ("name", "order_no", "order_issuer", "order_date", "valid_from", "valid_until", "note")


def create_committee(session: Session, *, by: str, **fields: Any) -> Committee:
    """Record a working group and its appointing order."""
    if not (fields.get("name") or "").strip() or not (fields.get("order_no") or "").strip():
        raise WorkgroupError("กรุณาระบุชื่อคณะทำงานและเลขที่คำสั่ง")
    fields.setdefault("valid_from", fields.get("order_date"))
    if fields.get("order_date") is None or fields.get("valid_from") is None:
        raise WorkgroupError("กรุณาระบุวันที่ของคำสั่ง")
    _check_dates(fields["valid_from"], fields.get("valid_until"))
    committee = Committee(**{key: fields.get(key) for key in COMMITTEE_FIELDS})
    session.add(committee)
    session.flush()
    record_change(session, committee, "created", by=by, **{key: fields.get(key) for key in COMMITTEE_FIELDS})
    return committee


def update_committee(session: Session, committee_id: int, *, by: str, **fields: Any) -> Committee:
    """Change a committee's order or validity; the history keeps what each field was before."""
    committee = get_committee(session, committee_id)
    changes = {}
    for key in COMMITTEE_FIELDS:
        if key in fields and getattr(committee, key) != fields[key]:
            changes[key] = {"from": _plain(getattr(committee, key)), "to": _plain(fields[key])}
            setattr(committee, key, fields[key])
    _check_dates(committee.valid_from, committee.valid_until)
    if changes:
        record_change(session, committee, "updated", by=by, **changes)
    return committee


def get_committee(session: Session, committee_id: int) -> Committee:
    """A committee, or a WorkgroupError."""
    committee = session.get(Committee, committee_id)
    if committee is None:
        raise WorkgroupError("ไม่พบคณะทำงานนี้")
    return committee


MEMBER_FIELDS = ("role", "agency_id", "full_name", "position", "contact", "joined_on", "left_on", "sort_order")


def add_member(session: Session, committee_id: int, *, by: str, **fields: Any) -> CommitteeMember:
    """Seat a representative of an agency on a committee, in a role."""
    committee = get_committee(session, committee_id)
    if session.get(Agency, fields.get("agency_id") or 0) is None:
        raise WorkgroupError("กรุณาเลือกหน่วยงานของผู้แทน")
    fields["role"] = CommitteeRole(fields.get("role") or CommitteeRole.MEMBER)
    fields.setdefault("sort_order", len(committee.members))
    member = CommitteeMember(committee_id=committee.id, **{key: fields.get(key) for key in MEMBER_FIELDS})
    session.add(member)
    session.flush()
    session.refresh(committee, ["members"])
    record_change(session, committee, "member_added", by=by, member=member, **_member_facts(member))
    return member


def _member_facts(member: CommitteeMember) -> dict[str, Any]:
    return {"role": member.role, "agency": member.agency.name, "position": member.position, "name": member.full_name}


def update_member(session: Session, member_id: int, *, by: str, **fields: Any) -> CommitteeMember:
    """Change a seat (role, person, dates); the history keeps the previous values."""
    member = session.get(CommitteeMember, member_id)
    if member is None:
        raise WorkgroupError("ไม่พบกรรมการคนนี้")
    if "role" in fields:
        fields["role"] = CommitteeRole(fields["role"])
    changes = {}
    for key in MEMBER_FIELDS:
        if key in fields and getattr(member, key) != fields[key]:
            changes[key] = {"from": _plain(getattr(member, key)), "to": _plain(fields[key])}
            setattr(member, key, fields[key])
    if member.left_on is not None and member.joined_on is not None and member.left_on < member.joined_on:
        raise WorkgroupError("วันพ้นจากตำแหน่งต้องไม่ก่อนวันเริ่ม")
    if changes:
        action = "member_left" if set(changes) == {"left_on"} else "member_updated"
        record_change(session, member.committee, action, by=by, member=member, **changes)
    return member


def attach_order_file(session: Session, committee_id: int, stored: StoredFile, *, by: str) -> Committee:
    """Attach the scanned appointing order (evidence of level 3)."""
    committee = get_committee(session, committee_id)
    committee.order_file_id = stored.id
    record_change(session, committee, "order_file", by=by, file=stored.file_name, sha256=stored.sha256)
    return committee


def committees(session: Session) -> list[Committee]:
    """Every committee, newest order first."""
    return list(session.scalars(select(Committee).order_by(Committee.valid_from.desc(), Committee.id.desc())))


# --- meetings ------------------------------------------------------------------------------------


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
) -> Meeting:
    """Record a meeting (planned, or already held) of a committee."""
    get_committee(session, committee_id)
    if starts_at.tzinfo is None:
        raise WorkgroupError("เวลาประชุมต้องระบุเขตเวลา")
    if not title.strip():
        raise WorkgroupError("กรุณาระบุชื่อการประชุม")
    meeting = Meeting(
        committee_id=committee_id,
        kind=MeetingKind(kind),
        status=MeetingStatus(status),
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
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise WorkgroupError("ไม่พบการประชุมนี้")
    return meeting


def update_meeting(session: Session, meeting_id: int, **fields: Any) -> Meeting:
    """Change a meeting's date, kind, status, place, agenda or whether it exchanged information."""
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


def add_action_item(
    session: Session,
    meeting_id: int,
    *,
    text: str,
    is_decision: bool = False,
    agency_id: int | None = None,
    due_on: date | None = None,
) -> ActionItem:
    """Record a decision of a meeting, or a task with the agency responsible and its due date."""
    get_meeting(session, meeting_id)
    if not text.strip():
        raise WorkgroupError("กรุณาระบุมติหรืองานที่มอบหมาย")
    if agency_id is not None and session.get(Agency, agency_id) is None:
        raise WorkgroupError("ไม่พบหน่วยงานผู้รับผิดชอบ")
    item = ActionItem(meeting_id=meeting_id, text=text.strip(), is_decision=is_decision, agency_id=agency_id)
    item.due_on = None if is_decision else due_on
    session.add(item)
    session.flush()
    return item


def complete_action_item(session: Session, item_id: int, now: datetime) -> ActionItem:
    """Mark a task done (no more reminders)."""
    item = session.get(ActionItem, item_id)
    if item is None:
        raise WorkgroupError("ไม่พบงานนี้")
    item.done_at = item.done_at or now
    return item


def meetings_in_year(session: Session, fiscal_year: int) -> list[Meeting]:
    """The meetings of a fiscal year (by Bangkok date), oldest first."""
    period = Period(fiscal_year)
    query = (
        select(Meeting)
        .where(Meeting.starts_at >= period.starts, Meeting.starts_at < period.ends)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return list(session.scalars(query))


# --- linking staff accounts to LINE --------------------------------------------------------------


def create_link_code(session: Session, staff_user_id: int, now: datetime, minutes: int = 30) -> StaffLinkCode:
    """A one-time code the staff member types to the bot as 'เชื่อมบัญชี CODE' within some minutes."""
    code = StaffLinkCode(
        code="".join(secrets.choice(CODE_ALPHABET) for _ in range(6)),
        staff_user_id=staff_user_id,
        expires_at=now + timedelta(minutes=minutes),
    )
    session.add(code)
    session.flush()
    return code


def bangkok_day(moment: datetime) -> date:
    """The Bangkok calendar day of an aware instant."""
    return to_bangkok(moment).date()


# --- for the scheduler: warnings and reminders to the secretariat --------------------------------


@dataclass(frozen=True)
class MeetingsWarning:
    """The fiscal year is past its half with fewer counted meetings than level 4 needs."""

    fiscal_year: int
    held: int
    required: int
    planned: int
    next_planned_at: datetime | None
    days_left: int

    def text(self) -> str:
        """The warning in Thai, for the secretariat's LINE."""
        year_end = fiscal_year_bounds(self.fiscal_year)[1]
        body = t.MEETINGS_BEHIND.format(
            fiscal_year=self.fiscal_year,
            held=self.held,
            required=self.required,
            days_left=self.days_left,
            year_end=thai_date(year_end),
        )
        if self.next_planned_at is not None:
            return body + "\n" + t.MEETINGS_PLANNED.format(count=self.planned, when=thai_datetime(self.next_planned_at))
        return body + "\n" + t.MEETINGS_NONE_PLANNED

    def messages(self) -> list[Message]:
        """One LINE message to push to each secretariat member."""
        return [text(self.text())]


def meetings_behind(session: Session, fiscal_year: int, today: date) -> MeetingsWarning | None:
    """A warning when today is past the fiscal year's half (from 1 April) and meetings are behind, else None."""
    first, last = fiscal_year_bounds(fiscal_year)
    half = date(last.year, 4, 1)
    if not (half <= today <= last):
        return None
    required = int(get_setting(session, "workgroup.min_meetings"))
    year_starts = datetime.combine(first, time.min, BANGKOK)
    tomorrow = datetime.combine(today + timedelta(days=1), time.min, BANGKOK)
    held = len(counted_meetings(session, year_starts, tomorrow))
    if held >= required:
        return None
    year_ends = datetime.combine(last + timedelta(days=1), time.min, BANGKOK)
    today_starts = datetime.combine(today, time.min, BANGKOK)
    planned = list(
        session.scalars(
            select(Meeting.starts_at)
            .where(Meeting.status == MeetingStatus.PLANNED)
            .where(Meeting.starts_at >= today_starts, Meeting.starts_at < year_ends)
            .order_by(Meeting.starts_at)
        )
    )
    return MeetingsWarning(
        fiscal_year=fiscal_year,
        held=held,
        required=required,
        planned=len(planned),
        next_planned_at=planned[0] if planned else None,
        days_left=(last - today).days,
    )


@dataclass(frozen=True)
class DueActionItem:
    """An open task from a meeting whose due date is near."""

    item_id: int
    meeting_id: int
    text: str
    agency: str | None
    due_on: date
    days_left: int


def action_items_due(session: Session, today: date, days_ahead: int) -> list[DueActionItem]:
    """Open tasks due from today to days_ahead days later (Bangkok dates), soonest first."""
    items = session.scalars(
        select(ActionItem)
        .where(ActionItem.done_at.is_(None), ActionItem.is_decision.is_(False))
        .where(ActionItem.due_on.is_not(None), ActionItem.due_on >= today)
        .where(ActionItem.due_on <= today + timedelta(days=days_ahead))
        .order_by(ActionItem.due_on, ActionItem.id)
    )
    return [
        DueActionItem(
            item_id=item.id,
            meeting_id=item.meeting_id,
            text=item.text,
            agency=item.agency.name if item.agency else None,
            due_on=item.due_on,
            days_left=(item.due_on - today).days,
        )
        for item in items
    ]


def action_items_messages(items: list[DueActionItem]) -> list[Message]:
    """One summary message for every task due (one push per recipient, however many tasks)."""
    if not items:
        return []
    lines = [t.ACTIONS_DUE_HEADER.format(count=len(items))]
    for item in items:
        when = t.DUE_TODAY if item.days_left == 0 else t.DUE_IN_DAYS.format(days=item.days_left)
        lines.append(
            t.ACTION_DUE_LINE.format(
                text=item.text[:200], agency=item.agency or t.NO_AGENCY, due=thai_date(item.due_on), when=when
            )
        )
    return [text("\n".join(lines))]
