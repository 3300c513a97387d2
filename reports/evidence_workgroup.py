"""The working group's evidence for the network KPI: appointing orders (level 3) and meeting minutes (level 4).

Each order in force comes as a document with its members and as a workbook, with the signed copy when
one was uploaded; each held meeting as minutes (agenda, attendees, reports considered by reference only,
decisions, action items), with the signed minutes when uploaded.
"""

from __future__ import annotations

from collections import Counter
from pathlib import PurePath

from docx.enum.text import WD_ALIGN_PARAGRAPH

from models import NewsReport, ReportCategory
from models.timeutil import thai_date, thai_long_date, to_bangkok
from models.workgroup import AgencyKind, Committee, Meeting, MeetingStatus
from reports.documents import official_letter as official
from reports.evidence_base import Context, Pack, Section, Task, document_table, document_title, workbook, yes_no
from reports.network_kpi import (
    MEETING_KINDS,
    ROLE_NAMES,
    as_of,
    committees_in_force,
    composition,
    meeting_verdict,
    meetings_between,
)
from texts import evidence as t
from texts import workgroup as wt


def _order_label(committee: Committee) -> str:
    return f"ที่ {committee.order_no}"


def orders(ctx: Context, section: Section) -> list[Task]:
    """Folder 03: each order in force in the span, as a document and a workbook, and its signed copy."""
    committees = committees_in_force(ctx.session, ctx.period.first, ctx.period.last)
    section.count("คำสั่งแต่งตั้งที่มีผลในช่วงนี้", len(committees), "ฉบับ")
    section.count("กรรมการตามคำสั่ง", sum(len(c.members) for c in committees), "ตำแหน่ง")
    if not committees:
        section.missing.append(t.NO_COMMITTEE)
    tasks: list[Task] = []
    for committee in committees:
        order = _order_label(committee)
        if not committee.members:
            section.missing.append(t.DRAFT_ORDER.format(order=order))
        if committee.order_file is None:
            section.missing.append(t.NO_ORDER_FILE.format(order=order))
        tasks.append(_order_task(ctx, section, committee.id))
    if committees:
        tasks.append(_committees_sheet(ctx, section, [c.id for c in committees]))
    return tasks


def _agency_kind(agency) -> str:
    if agency.kind == AgencyKind.BMA:
        return "หน่วยงาน กทม."
    return "หน่วยงานภายนอก" + (" (มีอำนาจหน้าที่ด้านผู้หลบหนีเข้าเมือง)" if agency.immigration_authority else "")


def _order_task(ctx: Context, section: Section, committee_id: int) -> Task:
    def write(pack: Pack) -> None:
        committee = ctx.session.get(Committee, committee_id)
        name = committee.order_no.replace("/", "-")
        pack.attempt(
            section,
            f"คำสั่งแต่งตั้ง {name}.docx",
            lambda: _order_document(ctx, committee),
            f"คำสั่ง{committee.order_issuer or ''} {_order_label(committee)} และรายชื่อกรรมการ",
        )
        stored = committee.order_file
        if stored is not None:
            suffix = PurePath(stored.file_name).suffix or ".pdf"
            added = pack.add_stored(
                section, f"สำเนาคำสั่ง {name} (ไฟล์ที่อัปโหลด){suffix}", stored.path, "สำเนาคำสั่งที่ลงนามแล้ว"
            )
            if added is None:
                section.missing.append(t.STORED_FILE_GONE.format(name=stored.file_name))

    return write


def _order_document(ctx: Context, committee: Committee) -> bytes:
    digits = ctx.digits
    document = official.new_letter()
    document_title(
        document,
        [
            f"คำสั่ง{committee.order_issuer or ''}".strip(),
            digits(_order_label(committee)),
            digits(f"เรื่อง แต่งตั้ง{committee.name}"),
        ],
    )
    official.paragraph(document, t.SYSTEM_COPY, align=WD_ALIGN_PARAGRAPH.CENTER)
    official.paragraph(document)
    official.labelled(document, "ลงวันที่", digits(thai_date(committee.order_date)))
    until = thai_date(committee.valid_until) if committee.valid_until else "จนกว่าจะมีคำสั่งเปลี่ยนแปลง"
    official.labelled(document, "มีผล", digits(f"ตั้งแต่ {thai_date(committee.valid_from)} ถึง {until}"))
    official.paragraph(document)
    official.paragraph(document, "องค์ประกอบของคณะทำงาน", bold=True)
    rows = [
        [
            digits(str(number)),
            ROLE_NAMES[member.role],
            " ".join(filter(None, [member.full_name, member.position])) or "-",
            member.agency.name,
            _agency_kind(member.agency),
        ]
        for number, member in enumerate(committee.members, start=1)
    ]
    header = ["ที่", "ตำแหน่งในคณะทำงาน", "ผู้แทน / ตำแหน่ง", "หน่วยงาน", "ประเภทหน่วยงาน"]
    document_table(document, header, rows, [1.0, 2.6, 5.0, 3.4, 3.0])
    seat = composition(committee, committee.valid_from, committee.valid_until or ctx.period.last)
    official.paragraph(document)
    official.paragraph(
        document,
        digits(
            f"สรุปองค์ประกอบ: หน่วยงานของ กทม. {len(seat.bma_units)} หน่วยงาน หน่วยงานภายนอก {len(seat.outside_agencies)} "
            f"หน่วยงาน (มีอำนาจหน้าที่ด้านผู้หลบหนีเข้าเมือง {len(seat.immigration_agencies)} หน่วยงาน)"
        ),
    )
    if committee.note:
        official.paragraph(document, digits(f"หมายเหตุ: {committee.note}"))
    return official.to_bytes(document)


def _committees_sheet(ctx: Context, section: Section, committee_ids: list[int]) -> Task:
    def write(pack: Pack) -> None:
        committees = [ctx.session.get(Committee, cid) for cid in committee_ids]
        orders, seats = [], []
        for committee in committees:
            seat = composition(committee, ctx.period.first, ctx.period.last)
            orders.append(
                [
                    committee.name,
                    committee.order_no,
                    committee.order_issuer or "-",
                    thai_date(committee.order_date),
                    thai_date(committee.valid_from),
                    thai_date(committee.valid_until) if committee.valid_until else "จนกว่าจะมีคำสั่งเปลี่ยนแปลง",
                    len(committee.members),
                    yes_no(bool(committee.members) and seat.qualifies),
                    yes_no(committee.order_file_id is not None),
                ]
            )
            for number, member in enumerate(committee.members, start=1):
                seats.append(
                    [
                        committee.order_no,
                        number,
                        ROLE_NAMES[member.role],
                        member.position or "-",
                        member.full_name or "-",
                        member.agency.name,
                        _agency_kind(member.agency),
                        thai_date(member.joined_on) if member.joined_on else "ตั้งแต่คำสั่งมีผล",
                        thai_date(member.left_on) if member.left_on else "-",
                    ]
                )
        header = ["คณะทำงาน", "คำสั่งที่", "ผู้ออกคำสั่ง", "ลงวันที่", "มีผลตั้งแต่", "ถึง", "กรรมการ (ตำแหน่ง)"]
        header += ["เป็นคณะทำงานตามระดับ 3", "แนบสำเนาคำสั่งแล้ว"]
        seat_header = ["คำสั่งที่", "ที่", "ตำแหน่งในคณะทำงาน", "ตำแหน่ง", "ชื่อ", "หน่วยงาน", "ประเภทหน่วยงาน"]
        seat_header += ["เริ่ม", "พ้นจากตำแหน่ง"]
        data = workbook([("คำสั่งแต่งตั้ง", header, orders), ("กรรมการ", seat_header, seats)])
        pack.add(section, "คณะทำงานและกรรมการ.xlsx", data, "คำสั่งที่มีผลในช่วงนี้และรายชื่อกรรมการแต่ละคำสั่ง")

    return write


def minutes(ctx: Context, section: Section) -> list[Task]:
    """Folder 04: the minutes of each meeting held in the span, and whether it counts for level 4."""
    moment = as_of(ctx.period.ends, ctx.now)
    meetings = [
        meeting
        for meeting in meetings_between(ctx.session, ctx.period.starts, ctx.period.ends)
        if meeting.status == MeetingStatus.HELD and meeting.starts_at <= moment
    ]
    counted = [meeting for meeting in meetings if meeting_verdict(meeting, moment) is None]
    kinds = Counter(MEETING_KINDS[meeting.kind] for meeting in meetings)
    section.count("การประชุมที่จัดแล้ว", len(meetings), "ครั้ง")
    for kind, count in kinds.items():
        section.count(f"  {kind}", count, "ครั้ง")
    section.count("นับเป็นการประชุมตามระดับ 4", len(counted), "ครั้ง")
    if not meetings:
        section.missing.append(t.NO_MEETINGS)
    tasks: list[Task] = []
    for number, meeting in enumerate(meetings, start=1):
        day = thai_date(meeting.starts_at)
        if not (meeting.minutes_text or "").strip() and meeting.minutes_file_id is None:
            section.missing.append(t.NO_MINUTES.format(date=day))
        if not meeting.attendees:
            section.missing.append(t.NO_ATTENDEES.format(date=day))
        verdict = meeting_verdict(meeting, moment)
        if verdict is not None:
            section.missing.append(t.NOT_COUNTED.format(date=day, why=verdict))
        tasks.append(_minutes_task(ctx, section, number, meeting.id, verdict))
    return tasks


def _minutes_task(ctx: Context, section: Section, number: int, meeting_id: int, verdict: str | None) -> Task:
    def write(pack: Pack) -> None:
        meeting = ctx.session.get(Meeting, meeting_id)
        day = thai_date(meeting.starts_at, short=True)
        stem = f"{number:02d} รายงานการประชุม {day} {MEETING_KINDS[meeting.kind]}"
        proves = f"การประชุมวันที่ {thai_date(meeting.starts_at)}: วาระ ผู้เข้าประชุม ข่าวที่พิจารณา มติ และงานที่มอบหมาย"
        pack.attempt(section, f"{stem}.docx", lambda: _minutes_document(ctx, meeting, verdict), proves)
        stored = meeting.minutes_file
        if stored is not None:
            suffix = PurePath(stored.file_name).suffix or ".pdf"
            if pack.add_stored(section, f"{stem} (ไฟล์ที่อัปโหลด){suffix}", stored.path, "รายงานการประชุมฉบับลงนาม") is None:
                section.missing.append(t.STORED_FILE_GONE.format(name=stored.file_name))

    return write


def _attendee(attendee) -> str:
    if attendee.member is not None:
        member = attendee.member
        who = " ".join(filter(None, [member.full_name, member.position])) or member.agency.name
        return f"{who} ({ROLE_NAMES[member.role]}) {member.agency.name}" if member.position else who
    agency = attendee.agency.name if attendee.agency else ""
    return " ".join(filter(None, [attendee.name, agency])) or "-"


def _minutes_document(ctx: Context, meeting: Meeting, verdict: str | None) -> bytes:
    digits, session = ctx.digits, ctx.session
    document = official.new_letter()
    title = f"รายงานการประชุม{MEETING_KINDS[meeting.kind]}"
    document_title(document, [title, digits(meeting.title), digits(meeting.committee.name)])
    local = to_bangkok(meeting.starts_at)
    official.labelled(document, "วันที่", digits(f"{thai_long_date(local)} เวลา {local:%H.%M} น."))
    official.labelled(document, "สถานที่", meeting.place or "-")
    official.paragraph(document, t.SYSTEM_COPY)
    official.paragraph(document)
    official.paragraph(document, "ผู้มาประชุม", bold=True)
    for number, attendee in enumerate(meeting.attendees, start=1):
        official.paragraph(document, digits(f"{number}. {_attendee(attendee)}"), indent_cm=1.0)
    if not meeting.attendees:
        official.paragraph(document, "(ไม่ได้บันทึกรายชื่อผู้เข้าประชุมไว้ในระบบ)", indent_cm=1.0)
    official.paragraph(document, "ระเบียบวาระการประชุม", bold=True)
    for line in (meeting.agenda or "-").splitlines():
        official.paragraph(document, digits(line), indent_cm=1.0)
    official.paragraph(document, "ข่าวสารจากเครือข่ายที่เสนอที่ประชุม", bold=True)
    reports = [session.get(NewsReport, link.report_id) for link in meeting.report_links]
    if reports:
        rows = [
            [
                digits(str(number)),
                report.ref_no or "-",
                digits(thai_date(report.started_at, short=True)),
                _category(session, report.category_code),
                report.district or "-",
            ]
            for number, report in enumerate(filter(None, reports), start=1)
        ]
        document_table(document, ["ที่", "เลขที่ข่าว", "วันที่", "หมวดข่าว", "เขต"], rows, [1.0, 4.0, 3.0, 4.0, 3.0])
    elif meeting.exchanged_information:
        official.paragraph(document, "ที่ประชุมแลกเปลี่ยนข้อมูลข่าวสารจากเครือข่ายข่าว", indent_cm=1.0)
    else:
        official.paragraph(document, "-", indent_cm=1.0)
    official.paragraph(document, "บันทึกการประชุม", bold=True)
    for line in (meeting.minutes_text or "-").splitlines():
        official.paragraph(document, digits(line), first_line_cm=1.0)
    decisions = [item for item in meeting.items if item.is_decision]
    tasks = [item for item in meeting.items if not item.is_decision]
    official.paragraph(document, "มติที่ประชุม", bold=True)
    for number, item in enumerate(decisions, start=1):
        official.paragraph(document, digits(f"{number}. {item.text}"), indent_cm=1.0)
    if not decisions:
        official.paragraph(document, "-", indent_cm=1.0)
    if tasks:
        official.paragraph(document, "งานที่มอบหมาย", bold=True)
        rows = [
            [
                digits(str(number)),
                item.text,
                item.agency.name if item.agency else wt.NO_AGENCY,
                digits(thai_date(item.due_on)) if item.due_on else "-",
                digits(f"เสร็จ {thai_date(item.done_at)}") if item.done_at else "ยังไม่เสร็จ",
            ]
            for number, item in enumerate(tasks, start=1)
        ]
        document_table(document, ["ที่", "งาน", "ผู้รับผิดชอบ", "กำหนดเสร็จ", "สถานะ"], rows, [1.0, 6.0, 3.6, 2.6, 2.8])
    if meeting.target_districts:
        official.paragraph(document)
        official.paragraph(document, "พื้นที่เป้าหมาย: " + " ".join(f"เขต{name}" for name in meeting.target_districts))
    official.paragraph(document)
    counted = "นับเป็นการประชุมคณะทำงานตามระดับ 4" if verdict is None else f"ไม่นับเป็นระดับ 4: {verdict}"
    official.paragraph(document, f"ผลต่อตัวชี้วัด: {counted}")
    return official.to_bytes(document)


def _category(session, code: str | None) -> str:
    category = session.get(ReportCategory, code) if code else None
    return category.name if category else wt.UNCATEGORISED
