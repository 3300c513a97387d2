"""Seed 000's fiscal year 2564 (1 Oct 2020 – 30 Sep 2021) replayed as data, for tests and the demo.

What the seed states (sections 6.4, 6.5 and 9): three LINE groups of 42, 88 and 115 members across at
least three occupations; reports through them; the committee of order 1/2564 of the Bangkok internal
security command (chaired by its deputy director, with the immigration bureau, the national intelligence
agency, the social development ministry, the employment department, six district-office zones and the
city's administration office); one full and two sub-committee meetings, one of them on 2 July 2021, on
10 pilot districts; results forwarded to those districts, each of which made a "secure, prosperous,
sustainable subdistrict" plan. The quarterly narrative: Q1 establishing the network, Q2 and Q3 arranging
meetings, Q4 everything done.

What the seed does not state and is assumed here: the exact dates of the groups' registration, of the
order (15 January 2021), of the full meeting (20 May 2021) and of the second sub-committee meeting
(20 August 2021), the reports' contents, and the dates of the forwards and plans.

The groups, reports and forwards go in as any office's earlier evidence does (services/earlier_evidence.py:
marked recorded later, audited, nothing sent to LINE); the committee, meetings and measures through their
own services, which take a date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from line.workgroup_cards import forward_summary
from models import Chat, NewsReport
from models.timeutil import BANGKOK
from models.workgroup import Agency, Committee, CommitteeRole, MeasureKind, Meeting, MeetingKind, MeetingStatus
from services.earlier_evidence import Recorder, record_forward, record_group, record_report, recorder
from services.workgroup.acknowledgements import acknowledge_by_staff
from services.workgroup.action_items import add_action_item
from services.workgroup.agencies import ZONES, district_office_code, ensure_default_agencies
from services.workgroup.committees import add_member, create_committee
from services.workgroup.measures import record_measure
from services.workgroup.meetings import create_meeting, link_reports, set_target_districts, update_meeting

BY = "seed-fy2564"
ORDER_NO = "1/2564"
COMMITTEE_NAME = "คณะกรรมการการบริหารจัดการผู้หลบหนีเข้าเมือง (คณะที่ 3)"
ORDER_ISSUER = "คณะกรรมการอำนวยการรักษาความมั่นคงภายในกรุงเทพมหานคร"
PILOT_DISTRICTS = (
    "สวนหลวง",
    "คลองเตย",
    "ตลิ่งชัน",
    "บางเขน",
    "ภาษีเจริญ",
    "คันนายาว",
    "หนองแขม",
    "ประเวศ",
    "ดินแดง",
    "คลองสามวา",
)
# (name, members, occupation, registered on): the first group in Q1, the other two in Q2.
GROUPS = (
    ("กลุ่ม Line กอ.รมน.กทม. (ปี 64)", 42, "official", date(2020, 11, 2)),
    ("กลุ่มไลน์ อบรมเครือข่ายข่าว", 88, "volunteer", date(2021, 1, 20)),
    ("กลุ่มไลน์เครือข่ายข่าว อปพร.กทม.", 115, "civil_defence", date(2021, 2, 8)),
)
# (Bangkok date and hour, group index, category, district, what was seen): reports in every quarter.
REPORTS = (
    ((2020, 11, 18, 21), 0, "illegal_worker", "คลองเตย", "พบแรงงานต่างด้าวไม่มีเอกสารพักในห้องเช่าหลังตลาด ประมาณ 12 คน"),
    ((2020, 12, 20, 14), 0, "illegal_immigrant", "สวนหลวง", "มีรถตู้รับส่งชาวต่างชาติกลุ่มใหญ่เข้าซอยตอนดึกเป็นประจำ"),
    ((2021, 2, 3, 23), 1, "illegal_immigrant", "ประเวศ", "ชาวต่างชาติไม่ทราบสัญชาติพักในแคมป์คนงานก่อสร้าง ไม่มีหนังสือเดินทาง"),
    ((2021, 3, 12, 2), 2, "suspicious_person", "ดินแดง", "บุคคลแปลกหน้ามาติดต่อจัดหางานให้แรงงานต่างด้าวในชุมชน"),
    ((2021, 3, 28, 10), 2, "illegal_worker", "บางเขน", "ร้านอาหารจ้างแรงงานต่างด้าวโดยไม่มีใบอนุญาตทำงาน"),
    ((2021, 4, 22, 8), 1, "illegal_worker", "ภาษีเจริญ", "โรงงานเล็กในซอยมีแรงงานต่างด้าวเข้าออกกลางคืน"),
    ((2021, 5, 9, 2), 2, "illegal_immigrant", "หนองแขม", "มีการพาชาวต่างชาติข้ามมาพักบ้านเช่าครั้งละหลายคน"),
    ((2021, 6, 15, 19), 0, "illegal_worker", "คันนายาว", "แคมป์ก่อสร้างมีแรงงานเพิ่มขึ้นมากโดยไม่มีการแจ้งที่พัก"),
    ((2021, 7, 2, 9), 2, "illegal_immigrant", "ตลิ่งชัน", "พบกลุ่มชาวต่างชาติไม่มีเอกสารพักอาศัยริมคลอง"),
    ((2021, 8, 30, 16), 1, "suspicious_person", "คลองสามวา", "มีนายหน้าชักชวนแรงงานต่างด้าวเข้าทำงานในฟาร์ม"),
)
MEMBERS = (
    (CommitteeRole.CHAIR, "isoc_bkk", "รองผู้อำนวยการรักษาความมั่นคงภายในกรุงเทพมหานคร (ฝ่ายทหาร)"),
    (CommitteeRole.MEMBER, "employment", "ผู้แทนกรมการจัดหางาน"),
    (CommitteeRole.MEMBER, "nia", "ผู้แทนสำนักข่าวกรองแห่งชาติ"),
    (CommitteeRole.MEMBER, "msdhs", "ผู้แทนกระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์"),
    (CommitteeRole.MEMBER, "immigration", "ผู้แทนสำนักงานตรวจคนเข้าเมือง"),
    *((CommitteeRole.MEMBER, code, f"เจ้าหน้าที่สำนักงานเขต {name}") for code, name in ZONES),
    (CommitteeRole.MEMBER, "opr", "เจ้าหน้าที่สำนักงานปกครองและทะเบียน"),
    (CommitteeRole.SECRETARY, "isoc_bkk", "ผู้แทนสำนักงานรองผู้อำนวยการรักษาความมั่นคงภายในกรุงเทพมหานคร"),
    (CommitteeRole.ASSISTANT_SECRETARY, "opr", "เจ้าหน้าที่สำนักงานปกครองและทะเบียน (สปท.)"),
)


@dataclass
class SeedFy2564:
    """What the replay created (ids), for tests and the demo's message."""

    committee_id: int
    meeting_ids: list[int] = field(default_factory=list)
    forward_ids: list[int] = field(default_factory=list)
    report_ids: list[int] = field(default_factory=list)
    created: bool = True


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """An instant given in Bangkok time."""
    return datetime(year, month, day, hour, minute, tzinfo=BANGKOK)


def _group(who: Recorder, session: Session, name: str, purpose: str, members: int, started: date, occupation=None):
    """A LINE group of the year, entered as evidence recorded later with its real start."""
    recorded = record_group(
        session, who, name=name, members=members, started_on=started, occupation=occupation, purpose=purpose
    )
    return recorded.row


def _reports(session: Session, who: Recorder, chats: list[Chat]) -> list[NewsReport]:
    """The year's reports, entered as evidence recorded later with the day and hour they came in."""
    return [
        record_report(
            session,
            who,
            chat_id=chats[group].id,
            received_at=at(year, month, day, hour),
            text=what,
            category=category,
            district=district,
        ).row
        for (year, month, day, hour), group, category, district, what in REPORTS
    ]


def _committee(session: Session, agencies: dict[str, Agency]) -> Committee:
    committee = create_committee(
        session,
        by=BY,
        name=COMMITTEE_NAME,
        order_no=ORDER_NO,
        order_issuer=ORDER_ISSUER,
        order_date=date(2021, 1, 15),
        valid_from=date(2021, 1, 15),
        valid_until=None,
        note="แต่งตั้งตามคำสั่งที่ 1/2564 คณะที่ 3",
    )
    for order, (role, code, position) in enumerate(MEMBERS):
        add_member(
            session, committee.id, by=BY, role=role, agency_id=agencies[code].id, position=position, sort_order=order
        )
    return committee


def load_fy2564(session: Session) -> SeedFy2564:
    """Replay FY 2564 into the database (once: a second call finds order 1/2564 and adds nothing)."""
    existing = session.scalar(select(Committee).where(Committee.order_no == ORDER_NO, Committee.name == COMMITTEE_NAME))
    if existing is not None:
        return SeedFy2564(committee_id=existing.id, created=False)
    ensure_default_agencies(session)
    agencies = {agency.code: agency for agency in session.scalars(select(Agency))}
    who = recorder(BY, via="seed")  # the year went through the same path as any office's earlier evidence
    chats = [_group(who, session, name, "network", members, d, occupation) for name, members, occupation, d in GROUPS]
    reports = _reports(session, who, chats)
    pilots = [agencies[district_office_code(name)] for name in PILOT_DISTRICTS]
    for number, agency in enumerate(pilots):
        name = f"กลุ่มประสานงาน สำนักงานเขต{agency.district}"
        agency.chat_id = _group(who, session, name, "agency", 8 + number, date(2021, 6, 1)).id
    committee = _committee(session, agencies)
    result = SeedFy2564(committee_id=committee.id, report_ids=[r.id for r in reports])
    result.meeting_ids = _meetings(session, committee, agencies, reports)
    result.forward_ids = _forwards(session, who, agencies, pilots, reports, result.meeting_ids)
    session.flush()
    return result


SUB_PLACE = "ห้องประชุมสำนักงานปกครองและทะเบียน"


def _held_meeting(
    session: Session,
    committee: Committee,
    kind: MeetingKind,
    title: str,
    starts_at: datetime,
    *,
    place: str,
    agenda: str,
) -> Meeting:
    """A meeting of the committee that was held and exchanged information, recorded by the seed."""
    return create_meeting(
        session,
        committee_id=committee.id,
        kind=kind,
        title=title,
        starts_at=starts_at,
        place=place,
        agenda=agenda,
        exchanged_information=True,
        status=MeetingStatus.HELD,
        by=BY,
    )


def _meetings(
    session: Session, committee: Committee, agencies: dict[str, Agency], reports: list[NewsReport]
) -> list[int]:
    full = _held_meeting(
        session,
        committee,
        MeetingKind.FULL,
        "ประชุมคณะกรรมการการบริหารจัดการผู้หลบหนีเข้าเมือง ครั้งที่ 1/2564",
        at(2021, 5, 20, 10),
        place="ห้องประชุม กอ.รมน.กทม.",
        agenda="รับทราบสถานการณ์ผู้หลบหนีเข้าเมืองจากเครือข่ายข่าว และกำหนดพื้นที่เป้าหมาย",
    )
    link_reports(session, full.id, [r.id for r in reports[:7]])
    update_meeting(session, full.id, minutes_text="ที่ประชุมรับทราบข่าวจากเครือข่าย 7 เรื่อง และกำหนดพื้นที่เป้าหมาย 10 เขต")
    set_target_districts(session, full.id, list(PILOT_DISTRICTS))
    add_action_item(session, full.id, is_decision=True, text="กำหนดพื้นที่เป้าหมายปี 2564 จำนวน 10 เขต")
    add_action_item(
        session,
        full.id,
        text="คณะทำงานชุดย่อยสำรวจสภาพพื้นที่เป้าหมาย",
        agency_id=agencies["opr"].id,
        due_on=date(2021, 7, 31),
    )
    first_sub = _held_meeting(
        session,
        committee,
        MeetingKind.SUB,
        "ประชุมคณะทำงานชุดย่อย สำรวจสภาพพื้นที่ ครั้งที่ 1",
        at(2021, 7, 2, 9, 30),
        place=SUB_PLACE,
        agenda="สำรวจสภาพพื้นที่ 10 เขตนำร่อง วิเคราะห์ปัญหาและแนวทางแก้ไข",
    )
    link_reports(session, first_sub.id, [reports[7].id, reports[8].id])
    update_meeting(session, first_sub.id, minutes_text="สรุปผลการสำรวจพื้นที่และแนวทางแก้ไขรายเขต")
    set_target_districts(session, first_sub.id, list(PILOT_DISTRICTS))
    add_action_item(session, first_sub.id, is_decision=True, text="ให้เขตนำร่องจัดทำแผนตำบลมั่นคง มั่งคั่ง ยั่งยืน")
    for name in PILOT_DISTRICTS:
        add_action_item(
            session,
            first_sub.id,
            text=f"จัดทำแผนตำบลมั่นคง มั่งคั่ง ยั่งยืน เขต{name}",
            agency_id=agencies[district_office_code(name)].id,
            due_on=date(2021, 9, 15),
        )
    second_sub = _held_meeting(
        session,
        committee,
        MeetingKind.SUB,
        "ประชุมคณะทำงานชุดย่อย วิเคราะห์ปัญหาและแนวทางแก้ไข ครั้งที่ 2",
        at(2021, 8, 20, 13, 30),
        place=SUB_PLACE,
        agenda="ติดตามแผนของเขตนำร่อง และพิจารณาข่าวจากเครือข่าย",
    )
    update_meeting(session, second_sub.id, minutes_text="ติดตามความคืบหน้าแผนของเขตนำร่อง")
    return [full.id, first_sub.id, second_sub.id]


def _forwards(
    session: Session,
    who: Recorder,
    agencies: dict[str, Agency],
    pilots: list[Agency],
    reports: list[NewsReport],
    meetings: list[int],
) -> list[int]:
    """The year's two forwards by letter, entered as evidence recorded later (nothing goes to LINE)."""
    to_outside = record_forward(
        session,
        who,
        sent_at=at(2021, 6, 18, 11),
        agency_ids=[agencies["immigration"].id, agencies["employment"].id],
        summarise=forward_summary,
        subject="ส่งข่าวสารผู้หลบหนีเข้าเมืองและแรงงานต่างด้าวจากเครือข่ายข่าว",
        report_ids=[reports[5].id, reports[6].id, reports[7].id],
    ).row
    acknowledge_by_staff(session, to_outside.recipients[0].id, by=BY, now=at(2021, 6, 21, 10))
    results = record_forward(
        session,
        who,
        sent_at=at(2021, 7, 9, 10),
        agency_ids=[agency.id for agency in pilots],
        summarise=forward_summary,
        meeting_id=meetings[1],
    ).row
    for number, (recipient, agency) in enumerate(zip(results.recipients, pilots, strict=True)):
        recipient.acknowledged_at = at(2021, 7, 9 + number % 3, 14)
        recipient.acknowledged_by = f"เจ้าหน้าที่สำนักงานเขต{agency.district}"
        record_measure(
            session,
            forward_id=results.id,
            agency_id=agency.id,
            kind=MeasureKind.PLAN,
            title=f"แผนตำบลมั่นคง มั่งคั่ง ยั่งยืน สำนักงานเขต{agency.district}",
            detail="แผนเฝ้าระวังและบริหารจัดการผู้หลบหนีเข้าเมืองในพื้นที่ ร่วมกับชุมชนและเครือข่ายข่าว",
            reported_on=date(2021, 8, 16 + number),
            by=BY,
        )
    return [to_outside.id, results.id]


def demo_load(session: Session) -> list[str]:
    """For `flask --app bot demo load`: replay FY 2564 once; return what was created."""
    result = load_fy2564(session)
    return ["FY 2564 (seed 000)"] if result.created else []
