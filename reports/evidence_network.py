"""The network KPI's evidence (seed 000, section 9, items 1-5): the roll, the reports log, the order, minutes, forwards.

Least data (PDPA): the roll is pseudonymous (reporter codes), the reports log holds no content and no
reporter, acknowledgements show when, not who. Officials on a committee appear as the order names them.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Chat, NewsReport, ReportCategory
from models.timeutil import THAI_MONTHS, thai_date, to_bangkok, to_be
from models.workgroup import (
    Forward,
    ForwardKind,
    ForwardRecipient,
    ForwardReport,
    Measure,
    Meeting,
    MeetingReport,
    MeetingStatus,
)
from reports import evidence_workgroup
from reports.documents import forward_letter
from reports.evidence_base import Context, Pack, Section, Task, safe_name, workbook, yes_no
from reports.network_kpi import (
    COUNTED_REPORTS,
    DIRECT_CHANNEL,
    MEASURE_KINDS,
    NetworkKpi,
)
from reports.roll import roll_workbook
from texts import evidence as t
from texts import workgroup as wt


def result_line(kpi: NetworkKpi, level: int) -> str:
    """How the KPI judged one level, e.g. 'ระดับ 4 ผ่านเกณฑ์: ประชุม ... 3 ครั้ง'."""
    found = next(result for result in kpi.levels if result.level == level)
    return f"ระดับ {level} {t.PASSED if found.achieved else t.NOT_PASSED}: {found.reason}"


def plan(ctx: Context, parts: dict[str, Section], kpi: NetworkKpi) -> list[Task]:
    """The tasks that fill folders 01-05, with their counts and what is missing."""
    for key, level in (("roll", 1), ("reports", 2), ("order", 3), ("minutes", 4), ("forwards", 5)):
        parts[key].result = result_line(kpi, level)
    return [
        *_roll(ctx, parts["roll"], kpi),
        *_reports(ctx, parts["reports"]),
        *evidence_workgroup.orders(ctx, parts["order"]),
        *evidence_workgroup.minutes(ctx, parts["minutes"]),
        *_forwards(ctx, parts["forwards"]),
    ]


def _roll(ctx: Context, section: Section, kpi: NetworkKpi) -> list[Task]:
    evidence = kpi.levels[0].evidence
    groups = evidence.get("network_groups", [])
    members = sum(evidence.get("registered_members_by_occupation", {}).values())
    section.count("กลุ่ม LINE ของเครือข่ายข่าว", len(groups), "กลุ่ม")
    section.count("ผู้อยู่ในกลุ่ม LINE (ตามจำนวนสมาชิกกลุ่ม)", evidence.get("people_in_groups", 0), "คน")
    section.count("สมาชิกที่ลงทะเบียนและอนุมัติแล้ว", members, "คน")
    section.count("กลุ่มอาชีพที่ครอบคลุม", ", ".join(evidence.get("occupations_covered", [])) or "-")
    if not groups and not members:
        section.missing.append(t.NO_NETWORK)

    def write(pack: Pack) -> None:
        data = roll_workbook(ctx.session, with_identities=False, period=ctx.period)
        pack.add(section, "บัญชีรายชื่อเครือข่ายข่าว.xlsx", data, "รายชื่อสมาชิก (รหัสผู้แจ้ง) กลุ่มอาชีพ และกลุ่ม LINE")

    return [write]


def _reports(ctx: Context, section: Section) -> list[Task]:
    session, period = ctx.session, ctx.period
    rows = session.execute(
        select(
            NewsReport.id,
            NewsReport.ref_no,
            NewsReport.started_at,
            NewsReport.channel,
            Chat.name,
            ReportCategory.name,
            NewsReport.district,
            NewsReport.status,
        )
        .outerjoin(Chat, Chat.id == NewsReport.chat_id)
        .outerjoin(ReportCategory, ReportCategory.code == NewsReport.category_code)
        .where(NewsReport.ref_no.is_not(None), NewsReport.status.in_(COUNTED_REPORTS))
        .where(NewsReport.started_at >= period.starts, NewsReport.started_at < period.ends)
        .order_by(NewsReport.started_at, NewsReport.id)
    ).all()
    channels = Counter(DIRECT_CHANNEL if row.channel == "direct" else (row[4] or "กลุ่ม LINE") for row in rows)
    section.count("ข่าวที่ได้รับ", len(rows), "เรื่อง")
    section.count("ช่องทางที่ได้รับข่าว", len(channels), "ช่องทาง")
    for name, count in channels.most_common():
        section.count(f"  {name}", count, "เรื่อง")
    if not rows:
        section.missing.append(t.NO_REPORTS)

    def write(pack: Pack) -> None:
        ids = [row.id for row in rows]
        considered = dict(
            session.execute(
                select(MeetingReport.report_id, Meeting.starts_at)
                .join(Meeting, Meeting.id == MeetingReport.meeting_id)
                .where(MeetingReport.report_id.in_(ids or [-1]), Meeting.status == MeetingStatus.HELD)
                .order_by(Meeting.starts_at.desc())
            ).all()
        )
        forwarded: dict[int, list[str]] = {}
        for report_id, ref in session.execute(
            select(ForwardReport.report_id, Forward.ref_no)
            .join(Forward, Forward.id == ForwardReport.forward_id)
            .where(ForwardReport.report_id.in_(ids or [-1]))
        ):
            forwarded.setdefault(report_id, []).append(ref)
        log_rows = []
        for number, row in enumerate(rows, start=1):
            local = to_bangkok(row.started_at)
            log_rows.append(
                [
                    number,
                    row.ref_no,
                    thai_date(local.date()),
                    f"{local:%H:%M} น.",
                    "แชตส่วนตัวกับบอท" if row.channel == "direct" else "กลุ่ม LINE",
                    row[4] or "-",
                    row[5] or wt.UNCATEGORISED,
                    row.district or "-",
                    t.REPORT_STATUS.get(row.status.value, row.status.value),
                    thai_date(considered[row.id]) if row.id in considered else "-",
                    ", ".join(forwarded.get(row.id, [])) or "-",
                ]
            )
        months = Counter((to_bangkok(row.started_at).year, to_bangkok(row.started_at).month) for row in rows)
        month_rows = [[f"{THAI_MONTHS[m - 1]} {to_be(y)}", count] for (y, m), count in sorted(months.items())]
        categories = Counter(row[5] or wt.UNCATEGORISED for row in rows)
        header = ["ที่", "เลขที่ข่าว", "วันที่รับ", "เวลา", "ช่องทาง", "กลุ่ม LINE", "หมวดข่าว", "เขต", "สถานะ"]
        header += ["พิจารณาในการประชุมวันที่", "ส่งต่อ (เลขที่)"]
        data = workbook(
            [
                ("ทะเบียนรับข่าว", header, log_rows),
                ("สรุปตามช่องทาง", ["ช่องทาง", "จำนวนข่าว (เรื่อง)"], [[k, v] for k, v in channels.most_common()]),
                ("สรุปตามเดือน", ["เดือน", "จำนวนข่าว (เรื่อง)"], month_rows),
                ("สรุปตามหมวด", ["หมวดข่าว", "จำนวนข่าว (เรื่อง)"], [[k, v] for k, v in categories.most_common()]),
            ]
        )
        pack.add(section, "ทะเบียนรับข่าวสารผ่านกลุ่มไลน์.xlsx", data, "ข่าวที่ได้รับแต่ละเรื่อง (ไม่มีเนื้อหาข่าวและตัวตนผู้แจ้ง)")

    return [write]


def _forwards(ctx: Context, section: Section) -> list[Task]:
    session, period = ctx.session, ctx.period
    forwards = list(
        session.scalars(
            select(Forward)
            .where(Forward.sent_at >= period.starts, Forward.sent_at < period.ends)
            .options(selectinload(Forward.recipients).selectinload(ForwardRecipient.agency))
            .order_by(Forward.sent_at, Forward.id)
        )
    )
    measures = [m for f in forwards for m in f.measures if m.reported_on <= period.last]
    recipients = [r for f in forwards for r in f.recipients]
    letters = [r for r in recipients if r.letter_no]
    section.count("การส่งต่อ", len(forwards), "ครั้ง")
    section.count("หน่วยงานที่ได้รับ", len({r.agency_id for r in recipients}), "หน่วยงาน")
    section.count("หน่วยงานตอบรับแล้ว", f"{sum(1 for r in recipients if r.acknowledged_at)}/{len(recipients)}")
    section.count("หนังสือส่งต่อ", len(letters), "ฉบับ")
    section.count("มาตรการ นโยบาย หรือแผนที่หน่วยงานแจ้งกลับ", len(measures), "รายการ")
    if not forwards:
        section.missing.append(t.NO_FORWARDS)
    elif not measures:
        section.missing.append(t.NO_MEASURES)
    unfiled = sum(1 for m in measures if m.file_id is None)
    if unfiled:
        section.missing.append(t.NO_MEASURE_FILE.format(count=unfiled))
    tasks: list[Task] = []
    if forwards:
        tasks.append(_forwards_sheet(ctx, section, [f.id for f in forwards], [m.id for m in measures]))
    tasks += [_letter_task(ctx, section, recipient.id) for recipient in letters]
    tasks += [_measure_file_task(ctx, section, measure.id) for measure in measures if measure.file_id]
    return tasks


def _forward_kind(forward: Forward) -> str:
    if forward.kind == ForwardKind.MEETING and forward.meeting is not None:
        return f"ผลการประชุมวันที่ {thai_date(forward.meeting.starts_at)}"
    return f"ข่าวสาร {len(forward.report_links)} เรื่อง"


def _forwards_sheet(ctx: Context, section: Section, forward_ids: list[int], measure_ids: list[int]) -> Task:
    def write(pack: Pack) -> None:
        session = ctx.session
        forwards = [session.get(Forward, fid) for fid in forward_ids]
        sent, received = [], []
        for forward in forwards:
            recipients = forward.recipients
            sent.append(
                [
                    forward.ref_no,
                    thai_date(forward.sent_at),
                    _forward_kind(forward),
                    forward.subject,
                    yes_no(forward.via_line),
                    yes_no(forward.via_letter),
                    len(recipients),
                    sum(1 for r in recipients if r.acknowledged_at),
                    ", ".join(r.letter_no for r in recipients if r.letter_no) or "-",
                ]
            )
            received += [
                [
                    forward.ref_no,
                    r.agency.name,
                    yes_no(bool(r.line_chat_id)),
                    r.letter_no or "-",
                    thai_date(r.acknowledged_at) if r.acknowledged_at else "ยังไม่ตอบรับ",
                    thai_date(r.reminded_at) if r.reminded_at else "-",
                ]
                for r in recipients
            ]
        measures = [session.get(Measure, mid) for mid in measure_ids]
        plans = [
            [
                m.forward.ref_no,
                m.agency.name,
                MEASURE_KINDS[m.kind.value],
                m.title,
                m.district or "-",
                thai_date(m.reported_on),
                m.file.file_name if m.file else "-",
                m.detail or "-",
            ]
            for m in measures
        ]
        header = ["เลขที่ส่งต่อ", "วันที่ส่ง", "เรื่องที่ส่งต่อ", "ชื่อเรื่อง", "ทาง LINE", "ทางหนังสือ", "หน่วยงาน"]
        header += ["ตอบรับแล้ว", "เลขที่หนังสือ"]
        data = workbook(
            [
                ("การส่งต่อ", header, sent),
                ("หน่วยงานที่รับ", ["เลขที่ส่งต่อ", "หน่วยงาน", "ส่งทาง LINE", "เลขที่หนังสือ", "ตอบรับเมื่อ", "เตือนเมื่อ"], received),
                (
                    "มาตรการและแผน",
                    ["เลขที่ส่งต่อ", "หน่วยงาน", "ประเภท", "ชื่อ", "เขต", "วันที่แจ้ง", "ไฟล์แนบ", "รายละเอียด"],
                    plans,
                ),
            ]
        )
        pack.add(section, "การส่งต่อและมาตรการ.xlsx", data, "การส่งต่อแต่ละครั้ง หน่วยงานที่รับและตอบรับ และมาตรการหรือแผนที่แจ้งกลับ")

    return write


def _letter_task(ctx: Context, section: Section, recipient_id: int) -> Task:
    def write(pack: Pack) -> None:
        recipient = ctx.session.get(ForwardRecipient, recipient_id)
        forward, agency = recipient.forward, recipient.agency
        pack.attempt(
            section,
            f"หนังสือส่งต่อ/{safe_name(f'{forward.ref_no} ถึง {agency.short_name or agency.name}')}.docx",
            lambda: forward_letter.render_forward_letter(ctx.session, recipient),
            f"หนังสือที่ {recipient.letter_no} ถึง{agency.name} ({_forward_kind(forward)})",
        )

    return write


def _measure_file_task(ctx: Context, section: Section, measure_id: int) -> Task:
    def write(pack: Pack) -> None:
        measure = ctx.session.get(Measure, measure_id)
        stored = measure.file
        agency = measure.agency.short_name or measure.agency.name
        name = f"แผนและมาตรการ/{safe_name(f'{agency} - {stored.file_name}')}"
        if pack.add_stored(section, name, stored.path, f"{MEASURE_KINDS[measure.kind.value]}: {measure.title}") is None:
            section.missing.append(t.STORED_FILE_GONE.format(name=stored.file_name))

    return write
