"""The intelligence network KPI, levels 1 to 5, with the evidence behind each level.

Levels 1 and 2 are the network and its channels; levels 3 to 5 the working group: a committee
in force, its meetings that considered network information, and results forwarded to agencies
that set measures (seed 000, section 3). A level holds on the ladder only when the lower ones do.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from models import Chat, Member, MemberStatus, NewsReport, Occupation, ReportStatus
from models.periods import Period
from models.settings import get_setting
from models.timeutil import thai_date, to_bangkok, utcnow
from models.workgroup import (
    AgencyKind,
    Committee,
    CommitteeMember,
    CommitteeRole,
    Forward,
    ForwardKind,
    Measure,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from texts import workgroup as wt

COUNTED_REPORTS = (ReportStatus.NEW, ReportStatus.RECEIVED, ReportStatus.FORWARDED, ReportStatus.CLOSED)
DIRECT_CHANNEL = "แชตส่วนตัวกับบอท (LINE 1:1)"


@dataclass
class LevelResult:
    """Whether one level holds, why, and its evidence."""

    level: int
    title: str
    achieved: bool
    reason: str
    evidence: dict = field(default_factory=dict)


@dataclass
class NetworkKpi:
    """The network KPI for a period: the highest level reached on the ladder and each level's result."""

    period: Period
    levels: list[LevelResult]
    target: int | None = None

    @property
    def level(self) -> int:
        """The highest level whose own and lower levels all hold (0 if none)."""
        reached = 0
        for result in self.levels:
            if not result.achieved:
                break
            reached = result.level
        return reached

    @property
    def target_met(self) -> bool:
        """Whether the level reached meets the target (seed 000: 4)."""
        return self.target is not None and self.level >= self.target


def level_1(session: Session, period: Period) -> LevelResult:
    """Level 1: a network whose active members cover at least N occupational groups by the period's end."""
    minimum = int(get_setting(session, "network.level1_min_occupations"))
    names = dict(session.execute(select(Occupation.code, Occupation.name)).all())
    members = session.execute(
        select(Member.occupation_code, func.count())
        .where(
            Member.status == MemberStatus.APPROVED,
            Member.registered_at < period.ends,
            Member.occupation_code.is_not(None),
        )
        .group_by(Member.occupation_code)
    ).all()
    groups = session.scalars(
        select(Chat)
        .where(Chat.purpose == "network", Chat.registered_at < period.ends)
        .where(or_(Chat.left_at.is_(None), Chat.left_at >= period.starts))
        .order_by(Chat.registered_at)
    ).all()
    by_occupation: Counter[str] = Counter({code: count for code, count in members})
    covered = set(by_occupation)
    covered |= {group.occupation_code for group in groups if group.occupation_code}
    evidence = {
        "registered_members_by_occupation": {names.get(code, code): count for code, count in by_occupation.items()},
        "network_groups": [
            {
                "name": group.name,
                "occupation": names.get(group.occupation_code, group.occupation_code),
                "members": group.member_count,
                "recorded_later": group.recorded_later,
            }
            for group in groups
        ],
        "occupations_covered": sorted(names.get(code, code) for code in covered),
        "people_in_groups": sum(group.member_count or 0 for group in groups),
        "minimum_occupations": minimum,
    }
    achieved = len(covered) >= minimum
    reason = f"ครอบคลุม {len(covered)} กลุ่มอาชีพ (เกณฑ์อย่างน้อย {minimum})"
    return LevelResult(1, "จัดตั้งเครือข่ายข่าวความมั่นคง", achieved, reason, evidence)


def level_2(session: Session, period: Period) -> LevelResult:
    """Level 2: at least one 24-hour channel received reports in the period."""
    rows = session.execute(
        select(NewsReport.channel, Chat.name, NewsReport.started_at, NewsReport.recorded_later)
        .outerjoin(Chat, Chat.id == NewsReport.chat_id)
        .where(
            NewsReport.status.in_(COUNTED_REPORTS),
            NewsReport.started_at >= period.starts,
            NewsReport.started_at < period.ends,
        )
        .order_by(NewsReport.started_at, NewsReport.id)  # channels listed in the order they first reported
    ).all()
    per_channel: Counter[str] = Counter()
    per_hour: Counter[int] = Counter()
    for channel, chat_name, started, _ in rows:
        per_channel[DIRECT_CHANNEL if channel == "direct" else (chat_name or "กลุ่ม LINE")] += 1
        per_hour[to_bangkok(started).hour] += 1
    evidence = {
        "reports_by_channel": dict(per_channel.most_common()),
        "reports_by_hour": {f"{hour:02d}:00": per_hour[hour] for hour in range(24) if per_hour[hour]},
        "reports_total": len(rows),
        "reports_recorded_later": sum(1 for row in rows if row.recorded_later),  # entered afterwards, real date
        "channels_always_open": [DIRECT_CHANNEL, *(name for name in per_channel if name != DIRECT_CHANNEL)],
    }
    achieved = len(per_channel) >= 1
    reason = f"{len(per_channel)} ช่องทางได้รับข่าว {len(rows)} เรื่องในช่วงนี้ (เปิดรับ 24 ชั่วโมง)"
    return LevelResult(2, "ช่องทางรายงานข่าวตลอด 24 ชั่วโมง", achieved, reason, evidence)


ROLE_NAMES = {
    CommitteeRole.CHAIR: "ประธาน",
    CommitteeRole.MEMBER: "กรรมการ",
    CommitteeRole.SECRETARY: "เลขานุการ",
    CommitteeRole.ASSISTANT_SECRETARY: "ผู้ช่วยเลขานุการ",
}
MEETING_KINDS = {MeetingKind.FULL: "คณะทำงานชุดใหญ่", MeetingKind.SUB: "คณะทำงานชุดย่อย"}


@dataclass(frozen=True)
class Composition:
    """Who sat on a committee between two dates, and whether that makes it a level-3 working group."""

    committee: Committee
    bma_units: list[str]
    outside_agencies: list[str]
    immigration_agencies: list[str]

    @property
    def qualifies(self) -> bool:
        """BMA units and at least one outside agency with authority over illegal immigration."""
        return bool(self.bma_units) and bool(self.immigration_agencies)


def composition(committee: Committee, first: date, last: date) -> Composition:
    """The agencies represented on a committee while its order was in force between two dates."""
    start = max(first, committee.valid_from)
    end = min(last, committee.valid_until) if committee.valid_until else last
    seated: list[CommitteeMember] = [m for m in committee.members if start <= end and m.seated_between(start, end)]
    agencies = list(dict.fromkeys(member.agency for member in seated))  # the roll's order, once each
    bma = [agency.name for agency in agencies if agency.kind == AgencyKind.BMA]
    outside = [agency for agency in agencies if agency.kind == AgencyKind.OUTSIDE]
    authority = [agency.name for agency in outside if agency.immigration_authority]
    return Composition(committee, bma, [agency.name for agency in outside], authority)


def committees_in_force(session: Session, first: date, last: date) -> list[Committee]:
    """Committees whose appointing order was in force at some time between two Bangkok dates."""
    query = (
        select(Committee)
        .where(Committee.order_date <= last, Committee.valid_from <= last)
        .where(or_(Committee.valid_until.is_(None), Committee.valid_until >= first))
        .options(selectinload(Committee.members).selectinload(CommitteeMember.agency))
        .order_by(Committee.valid_from, Committee.id)
    )
    return list(session.scalars(query))


def _validity(committee: Committee) -> str:
    until = thai_date(committee.valid_until) if committee.valid_until else "จนกว่าจะมีคำสั่งเปลี่ยนแปลง"
    return f"{thai_date(committee.valid_from)} – {until}"


def level_3(session: Session, period: Period) -> LevelResult:
    """Level 3: a committee in force with BMA units and an outside agency with authority over immigration."""
    first, last = period.first, period.last
    committees = []
    qualifying = 0
    for committee in committees_in_force(session, first, last):
        seat = composition(committee, first, last)
        draft = not committee.members  # an order without members is a draft: it never makes level 3
        qualifies = seat.qualifies and not draft
        qualifying += qualifies
        chair = next((m for m in committee.members if m.role == CommitteeRole.CHAIR), None)
        expired = committee.valid_until is not None and committee.valid_until < last
        committees.append(
            {
                "committee_id": committee.id,
                "name": committee.name,
                "order": f"คำสั่ง{committee.order_issuer or ''} ที่ {committee.order_no} "
                f"ลงวันที่ {thai_date(committee.order_date)}".replace("คำสั่ง ที่", "คำสั่งที่"),
                "validity": _validity(committee),
                "expired_in_period": expired,
                "order_file_id": committee.order_file_id,
                "chair": (chair.position or chair.full_name or chair.agency.name) if chair else None,
                "members_by_role": {
                    ROLE_NAMES[role]: sum(1 for m in committee.members if m.role == role)
                    for role in CommitteeRole
                    if any(m.role == role for m in committee.members)
                },
                "bma_units": seat.bma_units,
                "outside_agencies": seat.outside_agencies,
                "immigration_agencies": seat.immigration_agencies,
                "draft": draft,
                "qualifies": qualifies,
            }
        )
    achieved = qualifying > 0
    if achieved:
        reason = f"มีคณะทำงานตามคำสั่งที่มีผลในช่วงนี้ {qualifying} คณะ ประกอบด้วยหน่วยงานของ กทม. และหน่วยงานภายนอกที่มีอำนาจหน้าที่"
    elif committees and all(row["draft"] for row in committees):
        reason = wt.LEVEL_3_ONLY_DRAFTS
    elif committees:
        reason = "คณะทำงานที่มีผลในช่วงนี้ยังขาดผู้แทนหน่วยงาน กทม. หรือหน่วยงานภายนอกที่มีอำนาจหน้าที่ด้านผู้หลบหนีเข้าเมือง"
    else:
        reason = "ยังไม่มีคำสั่งแต่งตั้งคณะทำงานที่มีผลในช่วงนี้"
    evidence = {"committees": committees}
    return LevelResult(3, "บูรณาการโดยจัดตั้งคณะทำงานร่วมกับหน่วยงานภายนอก", achieved, reason, evidence)


def _meeting_day(meeting: Meeting) -> date:
    return to_bangkok(meeting.starts_at).date()


def as_of(ends: datetime, now: datetime | None = None) -> datetime:
    """The instant a count is made for: the end of the span or now, whichever is earlier."""
    return min(ends, now or utcnow())


def meeting_verdict(meeting: Meeting, now: datetime | None = None) -> str | None:
    """Why a meeting does not count toward level 4 as of ``now`` (default: the clock), or None when it counts."""
    if meeting.status != MeetingStatus.HELD:
        return "ยังไม่ได้ประชุม" if meeting.status == MeetingStatus.PLANNED else "ยกเลิกการประชุม"
    if meeting.starts_at > (now or utcnow()):  # held in the data, but its start is still ahead: never counted
        return wt.VERDICT_NOT_YET_HELD
    day = _meeting_day(meeting)
    if not meeting.committee.in_force_on(day) or meeting.committee.order_date > day:
        return "คำสั่งแต่งตั้งคณะทำงานไม่มีผล ณ วันประชุม"
    if not composition(meeting.committee, day, day).qualifies:
        return "คณะทำงานยังไม่มีผู้แทน กทม. และหน่วยงานภายนอกที่มีอำนาจหน้าที่ ณ วันประชุม"
    if not meeting.report_links and not meeting.exchanged_information:
        return "ไม่ได้แลกเปลี่ยนข้อมูลหรือพิจารณาข่าวสารจากเครือข่าย"
    return None


def meetings_between(session: Session, starts: datetime, ends: datetime) -> list[Meeting]:
    """Meetings whose start falls in [starts, ends), oldest first, with what level 4 needs loaded."""
    query = (
        select(Meeting)
        .where(Meeting.starts_at >= starts, Meeting.starts_at < ends)
        .options(
            selectinload(Meeting.committee).selectinload(Committee.members).selectinload(CommitteeMember.agency),
            selectinload(Meeting.report_links),
            selectinload(Meeting.items),
        )
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return list(session.scalars(query))


def counted_meetings(session: Session, starts: datetime, ends: datetime, now: datetime | None = None) -> list[Meeting]:
    """The meetings between two instants that count toward level 4 (none that starts after now)."""
    moment = as_of(ends, now)
    return [meeting for meeting in meetings_between(session, starts, ends) if meeting_verdict(meeting, moment) is None]


def level_4(session: Session, period: Period, now: datetime | None = None) -> LevelResult:
    """Level 4: at least N meetings of the working group that exchanged or considered network information."""
    required = int(get_setting(session, "workgroup.min_meetings"))
    moment = as_of(period.ends, now)
    counted, not_counted = [], []
    for meeting in meetings_between(session, period.starts, period.ends):
        verdict = meeting_verdict(meeting, moment)
        row = {
            "meeting_id": meeting.id,
            "date": thai_date(meeting.starts_at),
            "kind": MEETING_KINDS[meeting.kind],
            "title": meeting.title,
            "committee": meeting.committee.name,
            "reports_considered": len(meeting.report_links),
            "exchanged_information": meeting.exchanged_information,
            "minutes_file_id": meeting.minutes_file_id,
            "has_minutes": bool(meeting.minutes_file_id or (meeting.minutes_text or "").strip()),
            "decisions": sum(1 for item in meeting.items if item.is_decision),
            "action_items": sum(1 for item in meeting.items if not item.is_decision),
            "target_districts": list(meeting.target_districts or []),
        }
        if verdict is None:
            counted.append(row)
        else:
            not_counted.append({**row, "why_not": verdict})
    achieved = len(counted) >= required
    kinds = Counter(row["kind"] for row in counted)
    detail = " ".join(f"{kind} {count} ครั้ง" for kind, count in kinds.items())
    reason = f"ประชุมที่พิจารณาข่าวสารจากเครือข่าย {len(counted)} ครั้ง (เกณฑ์อย่างน้อย {required} ครั้ง)"
    if detail:
        reason += f": {detail}"
    evidence = {"meetings": counted, "not_counted": not_counted, "required": required}
    return LevelResult(4, "ประชุมคณะทำงานเพื่อพิจารณาข่าวสารจากเครือข่าย", achieved, reason, evidence)


def level_5(session: Session, period: Period) -> LevelResult:
    """Level 5: information or meeting results forwarded to agencies, and a measure or policy recorded."""
    forwards = list(
        session.scalars(
            select(Forward)
            .where(Forward.sent_at >= period.starts, Forward.sent_at < period.ends)
            .options(selectinload(Forward.recipients), selectinload(Forward.report_links))
            .order_by(Forward.sent_at, Forward.id)
        )
    )
    measures = list(
        session.scalars(
            select(Measure)
            .join(Forward, Forward.id == Measure.forward_id)
            .where(Forward.sent_at >= period.starts, Forward.sent_at < period.ends)
            .where(Measure.reported_on <= period.last)
            .options(selectinload(Measure.agency), selectinload(Measure.forward))
            .order_by(Measure.reported_on, Measure.id)
        )
    )
    evidence = {
        "forwards": [
            {
                "forward_id": forward.id,
                "ref_no": forward.ref_no,
                "date": thai_date(forward.sent_at),
                "subject": forward.subject,
                "kind": _forward_kind(forward),
                "agencies": len(forward.recipients),
                "acknowledged": sum(1 for r in forward.recipients if r.acknowledged_at is not None),
                "letters": [r.letter_no for r in forward.recipients if r.letter_no],
                "via_line": forward.via_line,
                "recorded_later": forward.recorded_later,
            }
            for forward in forwards
        ],
        "measures": [
            {
                "measure_id": measure.id,
                "forward": measure.forward.ref_no,
                "agency": measure.agency.name,
                "kind": MEASURE_KINDS[measure.kind.value],
                "title": measure.title,
                "district": measure.district,
                "reported_on": thai_date(measure.reported_on),
                "file_id": measure.file_id,
            }
            for measure in measures
        ],
    }
    achieved = bool(forwards) and bool(measures)
    agencies = {r.agency_id for forward in forwards for r in forward.recipients}
    reason = (
        f"ส่งต่อ {len(forwards)} ครั้งถึง {len(agencies)} หน่วยงาน และหน่วยงานแจ้งมาตรการหรือนโยบายกลับมา {len(measures)} รายการ"
    )
    return LevelResult(5, "แจ้งผลให้หน่วยงานที่เกี่ยวข้องวางมาตรการหรือกำหนดนโยบาย", achieved, reason, evidence)


def _forward_kind(forward: Forward) -> str:
    if forward.kind == ForwardKind.MEETING:
        return "ผลการประชุม"
    return f"ข่าวสาร {len(forward.report_links)} เรื่อง"


MEASURE_KINDS = {"measure": "มาตรการ", "policy": "นโยบาย", "plan": "แผน", "action": "การดำเนินการ"}

LEVELS = (level_1, level_2, level_3, level_4, level_5)


def network_kpi(session: Session, period: Period, now: datetime | None = None) -> NetworkKpi:
    """Compute every level of the network KPI for a fiscal year, a quarter, or a year to a quarter's end.

    Meetings count as of the period's end or ``now`` (default: the clock), whichever is earlier.
    """
    target = int(get_setting(session, "network.kpi_target"))
    levels = [partial(level, now=now) if level is level_4 else level for level in LEVELS]
    return NetworkKpi(period, [level(session, period) for level in levels], target)


def kpi_by_quarter(session: Session, fiscal_year: int, now: datetime | None = None) -> list[NetworkKpi]:
    """The KPI as reached by the end of each quarter of a fiscal year (cumulative from 1 October)."""
    return [network_kpi(session, Period.year_to_date(fiscal_year, quarter), now) for quarter in (1, 2, 3, 4)]


EVIDENCE_CHECKLIST = (
    (1, "บัญชีรายชื่อเครือข่ายข่าว"),
    (2, "รายงานข่าวสารผ่านกลุ่มไลน์"),
    (3, "คำสั่งแต่งตั้งคณะทำงาน"),
    (4, "สำเนารายงานการประชุมคณะทำงาน"),
    (5, "แผนหรือมาตรการของหน่วยงาน (เช่น แผนตำบลมั่นคง มั่งคั่ง ยั่งยืน)"),
)


@dataclass(frozen=True)
class EvidenceItem:
    """One line of seed 000's evidence list (section 9), and whether the data holds it."""

    level: int
    label: str
    present: bool
    detail: str


def evidence_checklist(kpi: NetworkKpi) -> list[EvidenceItem]:
    """The seed's evidence list against a computed KPI: what the secretariat can attach, and what is missing."""
    by_level = {result.level: result.evidence for result in kpi.levels}
    one, two, three = by_level.get(1, {}), by_level.get(2, {}), by_level.get(3, {})
    four, five = by_level.get(4, {}), by_level.get(5, {})
    groups = one.get("network_groups", [])
    orders = [c for c in three.get("committees", []) if c["qualifies"]]
    meetings = four.get("meetings", [])
    with_minutes = [m for m in meetings if m["has_minutes"]]
    measures = five.get("measures", [])
    details = {
        1: (bool(groups) or bool(one.get("registered_members_by_occupation")), f"{len(groups)} กลุ่ม LINE"),
        2: (two.get("reports_total", 0) > 0, f"{two.get('reports_total', 0)} เรื่อง"),
        3: (
            bool(orders),
            "; ".join(c["order"] + ("" if c["order_file_id"] else " (ยังไม่ได้แนบไฟล์คำสั่ง)") for c in orders) or "–",
        ),
        4: (
            bool(meetings) and len(with_minutes) == len(meetings),
            f"รายงานการประชุม {len(with_minutes)}/{len(meetings)}",
        ),
        5: (bool(measures), f"{len(measures)} รายการ"),
    }
    return [EvidenceItem(level, label, *details[level]) for level, label in EVIDENCE_CHECKLIST]
