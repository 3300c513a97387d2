"""The coordination letter for a broken camera: a Thai official letter (หนังสือภายนอก) as DOCX.

Rendered on demand from the CoordinationLetter row (its number and dates never change), so the photo,
downloaded by the worker after the check, is included as soon as it is stored.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from sqlalchemy.orm import Session

from models import CoordinationLetter
from models.settings import get_setting
from models.timeutil import thai_date, to_bangkok
from services.riskpoints.ops import doc_number
from services.riskpoints.registry import photo_path

FONT = "TH Sarabun New"
SIZE = Pt(16)
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
SUBJECT = "ขอให้ตรวจสอบและซ่อมแซมกล้องโทรทัศน์วงจรปิด (CCTV) ที่ชำรุด"


def thai_digits(text: str) -> str:
    """Arabic digits as Thai digits, as official letters print them."""
    return text.translate(THAI_DIGITS)


def _style(document) -> None:
    """TH Sarabun New 16 pt for Latin and Thai (complex script) text alike."""
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = SIZE
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    rpr = style.element.get_or_add_rPr()
    size_cs = rpr.find(qn("w:szCs"))
    if size_cs is None:
        size_cs = rpr.makeelement(qn("w:szCs"), {})
        rpr.append(size_cs)
    size_cs.set(qn("w:val"), str(int(SIZE.pt * 2)))
    lang = rpr.makeelement(qn("w:lang"), {qn("w:val"): "th-TH", qn("w:bidi"): "th-TH"})
    rpr.append(lang)
    style.paragraph_format.space_after = Pt(0)


def _paragraph(document, text: str = "", *, align=None, indent_cm: float = 0, first_line_cm: float = 0, bold=False):
    paragraph = document.add_paragraph()
    if text:
        run = paragraph.add_run(text)
        run.bold = bold
    if align is not None:
        paragraph.alignment = align
    if indent_cm:
        paragraph.paragraph_format.left_indent = Cm(indent_cm)
    if first_line_cm:
        paragraph.paragraph_format.first_line_indent = Cm(first_line_cm)
    return paragraph


def _labelled(document, label: str, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(label).bold = True
    paragraph.add_run("  " + text)


def render_letter(session: Session, letter: CoordinationLetter, media_root: str | Path | None) -> bytes:
    """The letter as DOCX bytes: header, number, BE date, subject, addressee, body, signature, photo."""
    setting = lambda key: str(get_setting(session, f"riskpoints.{key}"))  # noqa: E731 - a local shorthand
    camera, point = letter.camera, letter.camera.point
    defect = letter.defect
    office = setting("office_name")
    found = to_bangkok(letter.found_at)
    document = Document()
    _style(document)
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(2.0)
    header = document.add_table(rows=1, cols=2)
    left, right = header.rows[0].cells
    left.paragraphs[0].add_run(thai_digits(f"ที่ {doc_number(session, letter)}"))
    right.paragraphs[0].add_run(office)
    right.add_paragraph(setting("office_address"))
    _paragraph(document)
    _paragraph(document, thai_digits(thai_date(to_bangkok(letter.issued_at).date())), indent_cm=7.5)
    _paragraph(document)
    _labelled(document, "เรื่อง", SUBJECT)
    _labelled(document, "เรียน", f"ผู้อำนวยการ{letter.agency}")
    _labelled(document, "สิ่งที่ส่งมาด้วย", "ภาพถ่ายกล้องที่ชำรุด จำนวน ๑ ภาพ" if letter.photo_media_id else "-")
    place = f"{point.code} {point.name}"
    area = " ".join(filter(None, [f"แขวง{point.subdistrict}" if point.subdistrict else None, f"เขต{point.district}"]))
    body = [
        f"ตามที่{office} ดำเนินการเฝ้าระวังและตรวจตราจุดเสี่ยงต่อการเกิดอาชญากรรม "
        "โดยตรวจสอบประสิทธิภาพการทำงานของกล้องโทรทัศน์วงจรปิด (CCTV) ที่ติดตั้ง ณ จุดเสี่ยงภัยวันละ ๑ ครั้ง นั้น",
        f"{office}ขอเรียนว่า จากการตรวจสอบเมื่อวันที่ {thai_digits(thai_date(found.date()))} "
        f"เวลา {thai_digits(f'{found:%H.%M}')} น. "
        f"พบว่ากล้องโทรทัศน์วงจรปิด รหัส {camera.code} ซึ่งติดตั้ง ณ จุดเสี่ยง {place} {area} "
        f"(พิกัด {point.latitude:.5f}, {point.longitude:.5f}) อยู่ในสภาพชำรุด ใช้งานไม่ได้"
        + (f" ({defect.note})" if defect.note else "")
        + " ซึ่งอยู่ในความรับผิดชอบของหน่วยงานท่าน",
        f"จึงเรียนมาเพื่อโปรดพิจารณาดำเนินการตรวจสอบและซ่อมแซมให้ใช้งานได้ตามปกติ และแจ้งผลให้{office}ทราบด้วย จะขอบคุณยิ่ง",
    ]
    for text in body:
        _paragraph(document, text, first_line_cm=2.5, align=WD_ALIGN_PARAGRAPH.THAI_JUSTIFY)
    _paragraph(document)
    _paragraph(document, "ขอแสดงความนับถือ", indent_cm=7.5)
    for _ in range(3):
        _paragraph(document)
    _paragraph(document, "(" + " " * 40 + ")", indent_cm=6.5)
    _paragraph(document, setting("letter_signatory"), indent_cm=7.0)
    _paragraph(document)
    _paragraph(document, setting("office_unit"))
    if setting("office_phone"):
        _paragraph(document, f"โทร. {thai_digits(setting('office_phone'))}")
    _photo(session, document, letter, media_root)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _photo(session: Session, document, letter: CoordinationLetter, media_root) -> None:
    """The enclosure: the photo of the broken camera on a page of its own (or a note until it is stored)."""
    if not letter.photo_media_id:
        return
    document.add_section(WD_SECTION.NEW_PAGE)
    _paragraph(document, "สิ่งที่ส่งมาด้วย: ภาพถ่ายกล้องที่ชำรุด", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    relative = photo_path(session, letter.photo_media_id)
    path = Path(media_root) / relative if media_root and relative else None
    if path is not None and path.exists():
        document.add_picture(str(path), width=Cm(14))
        document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    else:
        _paragraph(document, "(ภาพถ่ายยังดาวน์โหลดจาก LINE ไม่เสร็จ กรุณาดาวน์โหลดหนังสือนี้ใหม่อีกครั้ง)")
    when = thai_digits(thai_date(letter.found_at))
    caption = f"กล้อง {letter.camera.code} ณ จุด {letter.camera.point.code} ถ่ายเมื่อ {when}"
    _paragraph(document, caption, align=WD_ALIGN_PARAGRAPH.CENTER)


def filename(letter: CoordinationLetter) -> str:
    """The download name, e.g. letter-2569-0012.docx."""
    return f"letter-{letter.fiscal_year}-{letter.number:04d}.docx"
