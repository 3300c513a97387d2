"""The letter that forwards network reports or a meeting's results to one agency, as DOCX.

A Thai official letter (หนังสือภายนอก) with the running number of the fiscal year given when the forward
was made; rendered on demand from the stored forward, so the same letter comes out every time. Built on
the shared skeleton of official letters (official_letter.py), as the CCTV coordination letters are.
"""

from __future__ import annotations

from collections.abc import Callable

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from sqlalchemy.orm import Session

from models import NewsReport, ReportCategory
from models.settings import get_setting
from models.timeutil import thai_date
from models.workgroup import Agency, Forward, ForwardKind, ForwardRecipient, Meeting
from reports.documents import official_letter as official
from reports.documents.official_letter import paragraph, thai_digits
from reports.network_kpi import MEETING_KINDS
from reports.news_text import report_text
from texts import workgroup as t

Digits = Callable[[str], str]

TABLE_SIZE = Pt(14)
REQUEST = (
    "จึงเรียนมาเพื่อโปรดทราบ และพิจารณาวางมาตรการ กำหนดนโยบาย หรือดำเนินการในส่วนที่เกี่ยวข้องตามอำนาจหน้าที่ "
    "และขอความอนุเคราะห์แจ้งผลการดำเนินการให้{office}ทราบด้วย จะขอบคุณยิ่ง"
)


def addressee(agency: Agency) -> str:
    """Whom the letter is addressed to ('เรียน ...')."""
    return agency.addressee or f"หัวหน้า{agency.name}"


def filename(forward: Forward, recipient: ForwardRecipient) -> str:
    """The download name, e.g. FW-2564-0002-15.docx."""
    return f"{forward.ref_no}-{recipient.id}.docx"


def render_forward_letter(session: Session, recipient: ForwardRecipient) -> bytes:
    """The letter to one recipient of a forward, as DOCX bytes."""
    forward = recipient.forward
    digits: Digits = thai_digits if get_setting(session, "workgroup.letter_thai_digits") else str
    office = str(get_setting(session, "workgroup.office_name"))
    reports = [session.get(NewsReport, link.report_id) for link in forward.report_links]
    meeting = forward.meeting if forward.kind == ForwardKind.MEETING else None
    document = official.new_letter()
    if meeting is not None:
        reference = digits(f"การประชุม{MEETING_KINDS[meeting.kind]} เมื่อวันที่ {thai_date(meeting.starts_at)}")
        enclosure = "สรุปผลการประชุมและงานที่มอบหมาย จำนวน ๑ ชุด"
        body = _meeting_body(meeting, office)
    else:
        reference = None
        enclosure = digits(f"สรุปข่าวสารจากเครือข่ายข่าว จำนวน {len(reports)} เรื่อง")
        body = [
            f"ด้วย{office} ในฐานะฝ่ายเลขานุการคณะทำงานด้านการบริหารจัดการผู้หลบหนีเข้าเมือง "
            f"ได้รับข่าวสารจากเครือข่ายข่าวความมั่นคงในพื้นที่กรุงเทพมหานคร จำนวน {len(reports)} เรื่อง "
            "ซึ่งเกี่ยวข้องกับอำนาจหน้าที่ของหน่วยงานท่าน รายละเอียดตามสิ่งที่ส่งมาด้วย"
        ]
    official.heading(
        document,
        number=digits(recipient.letter_no or "–"),
        office=office,
        address=digits(str(get_setting(session, "workgroup.office_address"))),
        dated=digits(thai_date(forward.sent_at)),
        subject=digits(forward.subject),
        addressee=addressee(recipient.agency),
        reference=reference,
        enclosure=enclosure,
    )
    if forward.note:
        body.append(forward.note)
    body.append(REQUEST.format(office=office))
    official.body(document, [digits(text) for text in body])
    official.closing(
        document,
        signatory=str(get_setting(session, "workgroup.letter_signatory")),
        unit="ฝ่ายเลขานุการคณะทำงาน",
        phone=digits(str(get_setting(session, "workgroup.office_phone")).strip()),
    )
    paragraph(document, f"อ้างอิงเลขที่ส่งต่อ {forward.ref_no}")
    official.new_page(document)
    if meeting is not None:
        _meeting_enclosure(document, meeting, digits)
    else:
        _reports_enclosure(session, document, reports, digits)
    return official.to_bytes(document)


def _meeting_body(meeting: Meeting, office: str) -> list[str]:
    decisions = [item.text for item in meeting.items if item.is_decision]
    opening = (
        f"ตามที่{meeting.committee.name} ได้ประชุม{MEETING_KINDS[meeting.kind]} เรื่อง {meeting.title} "
        f"เมื่อวันที่ {thai_date(meeting.starts_at)} เพื่อแลกเปลี่ยนข้อมูลและพิจารณาข่าวสารจากเครือข่ายข่าว นั้น"
    )
    result = f"{office} ในฐานะฝ่ายเลขานุการ ขอเรียนว่าที่ประชุมมีมติ"
    result += (
        " " + " ".join(f"({number}) {text}" for number, text in enumerate(decisions, start=1)) if decisions else ""
    )
    if meeting.target_districts:
        result += " โดยมีพื้นที่เป้าหมาย ได้แก่ " + " ".join(f"เขต{name}" for name in meeting.target_districts)
    return [opening, result + " รายละเอียดตามสิ่งที่ส่งมาด้วย"]


def _table(document: DocxDocument, header: list[str], rows: list[list[str]], widths: list[float]) -> None:
    """A bordered table with fixed column widths (LibreOffice reads the grid, Word the cells: set both)."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for number, values in enumerate([header, *rows]):
        cells = table.rows[0].cells if number == 0 else table.add_row().cells
        for cell, text, width in zip(cells, values, widths, strict=True):
            cell.width = Cm(width)
            run = cell.paragraphs[0].add_run(text)
            run.bold = number == 0
            run.font.size = TABLE_SIZE


def _reports_enclosure(
    session: Session, document: DocxDocument, reports: list[NewsReport | None], digits: Digits
) -> None:
    paragraph(document, "สรุปข่าวสารจากเครือข่ายข่าวความมั่นคง", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph(document, "(ไม่เปิดเผยตัวตนของผู้แจ้งข่าว)", align=WD_ALIGN_PARAGRAPH.CENTER)
    rows = []
    for number, report in enumerate(filter(None, reports), start=1):
        category = session.get(ReportCategory, report.category_code) if report.category_code else None
        where = " ".join(filter(None, [f"เขต{report.district}" if report.district else None, report.place]))
        gist = " ".join(report_text(report).split())[:400]
        rows.append(
            [
                digits(str(number)),
                report.ref_no or "–",
                digits(thai_date(report.started_at, short=True)),
                category.name if category else t.UNCATEGORISED,
                where or "–",
                gist or "–",
            ]
        )
    _table(document, ["ที่", "เลขที่ข่าว", "วันที่", "เรื่อง", "พื้นที่", "สาระสำคัญ"], rows, [1.0, 3.4, 2.2, 2.6, 2.4, 4.4])


def _meeting_enclosure(document: DocxDocument, meeting: Meeting, digits: Digits) -> None:
    paragraph(document, "สรุปผลการประชุมและงานที่มอบหมาย", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph(
        document, digits(f"{meeting.title} เมื่อวันที่ {thai_date(meeting.starts_at)}"), align=WD_ALIGN_PARAGRAPH.CENTER
    )
    paragraph(document)
    decisions = [item for item in meeting.items if item.is_decision]
    if decisions:
        paragraph(document, "มติที่ประชุม", bold=True)
        for number, item in enumerate(decisions, start=1):
            paragraph(document, digits(f"{number}. {item.text}"), indent_cm=1.0)
    tasks = [item for item in meeting.items if not item.is_decision]
    if tasks:
        paragraph(document)
        paragraph(document, "งานที่มอบหมาย", bold=True)
        rows = [
            [
                digits(str(number)),
                item.text,
                item.agency.name if item.agency else t.NO_AGENCY,
                digits(thai_date(item.due_on)) if item.due_on else "–",
            ]
            for number, item in enumerate(tasks, start=1)
        ]
        _table(document, ["ที่", "งาน", "ผู้รับผิดชอบ", "กำหนดเสร็จ"], rows, [1.0, 7.0, 4.5, 3.5])
    if meeting.target_districts:
        paragraph(document)
        paragraph(document, "พื้นที่เป้าหมาย: " + " ".join(f"เขต{name}" for name in meeting.target_districts))
