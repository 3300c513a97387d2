"""Evidence recorded later: what an office did before it started using FieldLine, entered with its real date.

One home for the admin web, the XLSX import (services/earlier_evidence_import.py), the CLI and the demo's
FY 2564 (bot/seed_fy2564.py). A LINE group with its members, occupation and start; a report received through
it; a forward to agencies with its letters (services/workgroup/forwards.py, by letter only and never sent).
Each is marked ``recorded_later`` with who entered it and when, audited, and refused when its date is still
ahead or comes before what it depends on (the group's start, the report received, the meeting held). Entering
the same thing twice finds the first one (``Recorded.created`` is False): an import can be repeated.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Chat, NewsReport, Occupation, ReportCategory, ReportItem, ReportStatus
from models.counters import next_number, report_ref
from models.districts import match_district
from models.letters import DEFAULT_BOOK, OutgoingLetter
from models.timeutil import BANGKOK, THAI_MONTHS, THAI_MONTHS_ABBR, be_year, fiscal_year, thai_date, to_bangkok, utcnow
from models.workgroup import Agency, Forward, Meeting
from services.audit import Action, record
from services.workgroup.forwards import Summarise, forward_meeting, forward_reports
from texts import earlier_evidence as t
from texts import network as nt

Row = TypeVar("Row")

EARLIEST = date(2011, 6, 23)  # LINE opened in Thailand: nothing of the network's is older
MOST_MEMBERS = 500  # LINE's limit for a group
MOST_TEXT = 1000
DEFAULT_TIME = time(9, 0)
SENDER_KEY = "recorded-later"  # a report entered later has no LINE sender
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


class EvidenceError(ValueError):
    """Evidence the rules refuse (shown to the staff member as is, in Thai)."""


@dataclass(frozen=True)
class Recorded(Generic[Row]):
    """What recording did: the row, and whether it is new (False: the same evidence was already there)."""

    row: Row
    created: bool


@dataclass(frozen=True)
class Recorder:
    """Who enters the evidence, when (the clock: nothing after it may be entered), from where and how."""

    by: str
    now: datetime
    via: str = "web"  # web | import | cli | seed
    ip: str | None = None

    @property
    def today(self) -> date:
        """The Bangkok day of now."""
        return to_bangkok(self.now).date()


def recorder(by: str, *, via: str = "web", ip: str | None = None, now: datetime | None = None) -> Recorder:
    """A recorder for a person (or 'seed-fy2564', 'cli'), as of now unless a moment is given."""
    return Recorder(by[:80], now or utcnow(), via, ip)


# --- reading what people type --------------------------------------------------------------------


def _month(word: str) -> int | None:
    word = word.strip()
    for names in (THAI_MONTHS, THAI_MONTHS_ABBR):
        if word in names:
            return names.index(word) + 1
        if word + "." in names:  # "ก.ค" without the last dot
            return names.index(word + ".") + 1
    return int(word) if word.isdigit() else None


def _year(number: int) -> int:
    """A typed year as Common Era: 2564 and 64 are Buddhist Era, 2021 is Common Era."""
    if number < 100:
        number += 2500
    return number - 543 if number > 2400 else number


def parse_be_date(raw: object, *, label: str = "วันที่") -> date:
    """A date typed as 2/7/2564, 02-07-64, 2 ก.ค. 2564 or 2 กรกฎาคม 2564 (a spreadsheet's date cell too)."""
    if isinstance(raw, datetime):  # a spreadsheet that took 2/7/2564 for a date in 2564 CE
        raw = raw.date()
    if isinstance(raw, date):
        return raw.replace(year=raw.year - 543) if raw.year > 2400 else raw
    value = " ".join(str(raw or "").translate(THAI_DIGITS).split())
    if not value:
        raise EvidenceError(t.DATE_MISSING.format(label=label))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):  # a browser's date picker (Common Era)
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    parts = value.split(" ") if re.search(r"[ก-๙]", value) else re.split(r"\s*[/\-.]\s*", value)
    if len(parts) == 3 and parts[0].isdigit() and parts[2].isdigit():
        month = _month(parts[1])
        try:
            if month is not None:
                return date(_year(int(parts[2])), month, int(parts[0]))
        except ValueError:
            pass
    raise EvidenceError(t.DATE_BAD.format(label=label, value=value))


def parse_time(raw: object) -> time | None:
    """A time of day typed as 09:30 or 9.30 (Bangkok), a spreadsheet's time cell, or None when blank."""
    if isinstance(raw, time):
        return raw.replace(second=0, microsecond=0)
    if isinstance(raw, datetime):
        return raw.time().replace(second=0, microsecond=0)
    value = str(raw or "").translate(THAI_DIGITS).strip().removesuffix("น.").strip()
    if not value:
        return None
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})", value)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise EvidenceError(t.TIME_BAD.format(value=value))
    return time(int(match.group(1)), int(match.group(2)))


def parse_letter_number(raw: object) -> int | None:
    """The running number of a letter typed as 'กท 5301/120', 'ที่ กท ๕๓๐๑/๑๒๐' or '120'; None when blank."""
    value = str(raw or "").translate(THAI_DIGITS).strip()
    if not value:
        return None
    match = re.fullmatch(r"(?:ที่\s*)?(?:[^/]*/)?\s*(\d{1,6})", value)
    if not match or int(match.group(1)) < 1:
        raise EvidenceError(t.LETTER_BAD.format(value=value))
    return int(match.group(1))


def moment(day: date, at: time | None, now: datetime) -> datetime:
    """A Bangkok day and time as an instant; no time given: 09:00, or now if that is still ahead today."""
    instant = datetime.combine(day, at or DEFAULT_TIME, BANGKOK)
    if at is None and instant > now and to_bangkok(now).date() == day:
        return now
    return instant


def _check_day(when: date | datetime, who: Recorder, label: str) -> None:
    """Refuse a date still ahead of the clock, or older than LINE in Thailand."""
    day = to_bangkok(when).date() if isinstance(when, datetime) else when
    ahead = when > who.now if isinstance(when, datetime) else day > who.today
    if ahead:
        shown = f"{thai_date(day)} เวลา {to_bangkok(when):%H:%M} น." if isinstance(when, datetime) else thai_date(day)
        raise EvidenceError(t.IN_FUTURE.format(label=label, day=shown))
    if day < EARLIEST:
        raise EvidenceError(t.TOO_EARLY.format(label=label, day=thai_date(day), earliest=thai_date(EARLIEST)))


def _audit(session: Session, who: Recorder, action: str, kind: str, row_id: int, **detail: object) -> None:
    record(session, who.by, action, object_type=kind, object_id=row_id, ip=who.ip, detail={"via": who.via, **detail})


# --- LINE groups ---------------------------------------------------------------------------------


def find_occupation(session: Session, typed: str | None) -> str | None:
    """The occupation code for a code or a Thai name typed (None when blank), or an EvidenceError."""
    value = (typed or "").strip()
    if not value:
        return None
    rows = session.execute(select(Occupation.code, Occupation.name)).all()
    for code, name in rows:
        if value in (code, name):
            return code
    raise EvidenceError(t.OCCUPATION_BAD.format(value=value))


def _line_chat_id(name: str, purpose: str) -> str:
    """A made-up, stable id shaped like LINE's for a group entered later (the bot was never in it)."""
    return "C" + hashlib.sha256(f"recorded-later:{purpose}:{name}".encode()).hexdigest()[:32]


def record_group(
    session: Session,
    who: Recorder,
    *,
    name: str,
    members: object,
    started_on: date,
    occupation: str | None = None,
    purpose: str = "network",
) -> Recorded[Chat]:
    """A LINE group that existed before FieldLine, from its real start with its member count (never sent to)."""
    name = " ".join((name or "").split())[:200]
    if not name:
        raise EvidenceError(t.NAME_MISSING)
    count = str(members).strip().translate(THAI_DIGITS).replace(",", "") if members is not None else ""
    if not count.isdigit() or not 1 <= int(count) <= MOST_MEMBERS:
        raise EvidenceError(t.MEMBERS_BAD.format(most=MOST_MEMBERS, value=members if members is not None else ""))
    if purpose not in nt.GROUP_PURPOSES:
        raise EvidenceError(t.PURPOSE_BAD.format(value=purpose))
    occupation_code = find_occupation(session, occupation)
    _check_day(started_on, who, "วันที่เริ่มกลุ่ม")
    existing = session.scalar(select(Chat).where(Chat.name == name, Chat.purpose == purpose).order_by(Chat.id))
    if existing is not None:
        start = to_bangkok(existing.registered_at or existing.joined_at).date()
        same = (existing.member_count, start, existing.occupation_code) == (int(count), started_on, occupation_code)
        if existing.recorded_later and same:
            return Recorded(existing, False)
        members_then = existing.member_count if existing.member_count is not None else "–"
        raise EvidenceError(t.GROUP_TAKEN.format(name=name, day=thai_date(start), members=members_then))
    start = datetime.combine(started_on, time(0, 0), BANGKOK)
    chat = Chat(
        line_chat_id=_line_chat_id(name, purpose),
        chat_type="group",
        name=name,
        is_member=False,  # the bot is not in it: no notice, reminder or report ever goes there
        member_count=int(count),
        joined_at=start,
        purpose=purpose,
        occupation_code=occupation_code,
        registered_at=start,
        registered_by=who.by,
        recorded_later=True,
        recorded_at=who.now,
        recorded_by=who.by,
    )
    session.add(chat)
    session.flush()
    _audit(session, who, Action.EVIDENCE_GROUP, "chat", chat.id, date=thai_date(started_on), members=int(count))
    return Recorded(chat, True)


def network_groups(session: Session) -> list[Chat]:
    """Registered network groups a report can be entered for, by name."""
    query = select(Chat).where(Chat.purpose == "network", Chat.registered_at.is_not(None)).order_by(Chat.name)
    return list(session.scalars(query))


def find_group(session: Session, typed: object) -> Chat:
    """A registered network group by its id or its name, or an EvidenceError."""
    value = " ".join(str(typed or "").split())
    if not value:
        raise EvidenceError(t.GROUP_MISSING)
    query = select(Chat).where(Chat.purpose == "network", Chat.registered_at.is_not(None))
    chat = session.get(Chat, int(value)) if value.isdigit() else session.scalar(query.where(Chat.name == value))
    if chat is None or chat.purpose != "network" or chat.registered_at is None:
        raise EvidenceError(t.GROUP_UNKNOWN.format(value=value))
    return chat


# --- reports received ----------------------------------------------------------------------------


def find_category(session: Session, typed: str | None) -> str | None:
    """The category code for a code or a Thai name typed (None when blank), or an EvidenceError."""
    value = (typed or "").strip()
    if not value:
        return None
    for code, name in session.execute(select(ReportCategory.code, ReportCategory.name)).all():
        if value in (code, name):
            return code
    raise EvidenceError(t.CATEGORY_BAD.format(value=value))


def find_district(typed: str | None) -> str | None:
    """A Bangkok district typed with or without 'เขต' (None when blank), or an EvidenceError."""
    value = (typed or "").strip()
    if not value:
        return None
    district = match_district(value)
    if district is None:
        raise EvidenceError(t.DISTRICT_BAD.format(value=value))
    return district


def record_report(
    session: Session,
    who: Recorder,
    *,
    chat_id: int,
    received_at: datetime,
    text: str,
    category: str | None = None,
    district: str | None = None,
) -> Recorded[NewsReport]:
    """A report received through a network group before FieldLine, numbered by the year it came in."""
    chat = find_group(session, chat_id)
    what = " ".join((text or "").split())
    if not what:
        raise EvidenceError(t.TEXT_MISSING)
    if len(what) > MOST_TEXT:
        raise EvidenceError(t.TEXT_TOO_LONG.format(most=MOST_TEXT))
    category_code, district_name = find_category(session, category), find_district(district)
    _check_day(received_at, who, "วันที่ได้รับข่าว")
    start = chat.registered_at
    if to_bangkok(received_at).date() < to_bangkok(start).date():
        day = thai_date(received_at)
        raise EvidenceError(t.BEFORE_GROUP.format(day=day, name=chat.name, start=thai_date(start)))
    same = session.scalars(
        select(NewsReport).where(
            NewsReport.recorded_later.is_(True), NewsReport.chat_id == chat.id, NewsReport.started_at == received_at
        )
    )
    for report in same:
        texts = [item.text for item in report.items]
        if (report.category_code, report.district, texts[:1]) == (category_code, district_name, [what]):
            return Recorded(report, False)
    year = be_year(to_bangkok(received_at).date())
    report = NewsReport(
        ref_no=report_ref(next_number(session, "NR", year), year),
        channel="group",
        chat_id=chat.id,
        sender_key=SENDER_KEY,
        category_code=category_code,
        suggested_category=category_code,
        category_set_by=who.by if category_code else None,
        status=ReportStatus.RECEIVED,
        district=district_name,
        started_at=received_at,
        last_item_at=received_at,
        recorded_later=True,
        recorded_at=who.now,
        recorded_by=who.by,
    )
    session.add(report)
    session.flush()
    session.add(ReportItem(report_id=report.id, kind="text", text=what, sent_at=received_at))
    session.flush()
    _audit(session, who, Action.EVIDENCE_REPORT, "report", report.id, date=thai_date(received_at), group=chat.id)
    return Recorded(report, True)


# --- forwards to agencies ------------------------------------------------------------------------


def find_agency(session: Session, typed: str) -> Agency:
    """An agency by its code, name or short name (with or without 'สำนักงานเขต'), or an EvidenceError."""
    value = " ".join(str(typed).split())
    agencies = list(session.scalars(select(Agency).order_by(Agency.sort_order, Agency.id)))
    for agency in agencies:
        if value in (agency.code, agency.name, agency.short_name):
            return agency
    district = match_district(value)
    for agency in agencies:
        if district and agency.district == district:
            return agency
    raise EvidenceError(t.AGENCY_UNKNOWN.format(value=value))


def find_meeting(session: Session, day: date) -> Meeting:
    """The one meeting held on a Bangkok day, or an EvidenceError."""
    starts = datetime.combine(day, time(0, 0), BANGKOK)
    query = select(Meeting).where(Meeting.starts_at >= starts, Meeting.starts_at < starts + timedelta(days=1))
    meetings = list(session.scalars(query.order_by(Meeting.starts_at)))
    if not meetings:
        raise EvidenceError(t.MEETING_UNKNOWN.format(value=thai_date(day)))
    if len(meetings) > 1:
        raise EvidenceError(t.MEETING_MANY.format(value=thai_date(day)))
    return meetings[0]


def _check_letters(session: Session, numbers: dict[int, int], sent_at: datetime) -> None:
    """Refuse a letter number given twice, or one the register of that fiscal year already holds."""
    seen: set[int] = set()
    for number in numbers.values():
        if number in seen:
            raise EvidenceError(t.LETTER_REPEATED.format(number=number))
        seen.add(number)
    year = fiscal_year(to_bangkok(sent_at).date())
    query = select(OutgoingLetter).where(
        OutgoingLetter.book == DEFAULT_BOOK, OutgoingLetter.fiscal_year == year, OutgoingLetter.number.in_(seen)
    )
    taken = session.scalars(query.order_by(OutgoingLetter.number)).first()
    if taken is not None:
        raise EvidenceError(t.LETTER_TAKEN.format(number=taken.number, year=year, subject=taken.subject))


def _same_forward(
    session: Session, sent_at: datetime, subject: str | None, agencies: list[int], reports: list[int], meeting_id
) -> Forward | None:
    """A forward entered later on the same day, to the same agencies, of the same reports or meeting."""
    day = to_bangkok(sent_at).date()
    query = select(Forward).where(Forward.recorded_later.is_(True))
    query = query.where(Forward.meeting_id == meeting_id if meeting_id else Forward.meeting_id.is_(None))
    for forward in session.scalars(query.order_by(Forward.id)):
        if to_bangkok(forward.sent_at).date() != day or (subject and forward.subject != subject):
            continue
        if sorted(r.agency_id for r in forward.recipients) != sorted(agencies):
            continue
        if meeting_id or sorted(link.report_id for link in forward.report_links) == sorted(reports):
            return forward
    return None


def _nothing_goes_to_line(line_id: str, notice: object) -> None:
    """The notify of evidence recorded later: it must never be called."""
    raise RuntimeError("evidence recorded later sends nothing to LINE")


def record_forward(
    session: Session,
    who: Recorder,
    *,
    sent_at: datetime,
    agency_ids: Iterable[int],
    summarise: Summarise,
    subject: str | None = None,
    report_ids: Iterable[int] = (),
    meeting_id: int | None = None,
    letter_numbers: dict[int, int] | None = None,
    note: str | None = None,
) -> Recorded[Forward]:
    """Reports or a meeting's results forwarded by letter before FieldLine, with the letters' numbers if known.

    Nothing is sent to LINE; each agency's letter takes the number given, else the next of that fiscal year.
    """
    agencies = list(dict.fromkeys(agency_ids))
    reports = list(dict.fromkeys(report_ids))
    subject = " ".join((subject or "").split()) or None
    if not agencies:
        raise EvidenceError(t.AGENCIES_MISSING)
    if not reports and meeting_id is None:
        raise EvidenceError(t.WHAT_MISSING)
    if reports and meeting_id is not None:
        raise EvidenceError(t.WHAT_BOTH)
    if meeting_id is None and not subject:
        raise EvidenceError(t.SUBJECT_MISSING)
    _check_day(sent_at, who, "วันที่ส่ง")
    day = thai_date(sent_at)
    for report_id in reports:
        report = session.get(NewsReport, report_id)
        if report is None or report.ref_no is None:
            raise EvidenceError(t.REPORT_UNKNOWN.format(value=report_id))
        if to_bangkok(report.started_at).date() > to_bangkok(sent_at).date():
            received = thai_date(report.started_at)
            raise EvidenceError(t.BEFORE_REPORT.format(day=day, ref=report.ref_no, received=received))
    if meeting_id is not None:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise EvidenceError(t.MEETING_UNKNOWN.format(value=meeting_id))
        if to_bangkok(meeting.starts_at).date() > to_bangkok(sent_at).date():
            raise EvidenceError(t.BEFORE_MEETING.format(day=day, held=thai_date(meeting.starts_at)))
    existing = _same_forward(session, sent_at, subject, agencies, reports, meeting_id)
    if existing is not None:
        return Recorded(existing, False)
    numbers = {agency: number for agency, number in (letter_numbers or {}).items() if number is not None}
    _check_letters(session, numbers, sent_at)
    common = {
        "agency_ids": agencies,
        "by": who.by,
        "now": sent_at,
        "notify": _nothing_goes_to_line,
        "summarise": summarise,
        "note": note,
        "via_line": False,
        "via_letter": True,
        "deliver": False,
        "letter_numbers": numbers,
    }
    if meeting_id is not None:
        forward = forward_meeting(session, meeting_id=meeting_id, subject=subject, **common)
    else:
        forward = forward_reports(session, report_ids=reports, subject=subject or "", **common)
    forward.recorded_later, forward.recorded_at, forward.recorded_by = True, who.now, who.by
    session.flush()
    detail = {"date": day, "agencies": len(agencies), "letters": len(forward.recipients)}
    _audit(session, who, Action.EVIDENCE_FORWARD, "forward", forward.id, **detail)
    return Recorded(forward, True)
