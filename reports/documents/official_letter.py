"""The Thai official letter (หนังสือภายนอก) both numbered letters are built on, as DOCX.

One skeleton for the CCTV coordination letters (coordination_letter.py) and the letters that forward
network reports or a meeting's results (forward_letter.py): A4 with the official margins, TH Sarabun New
16 pt, Thai digits, the heading block (ที่ / ส่วนราชการ / วันที่ / เรื่อง / เรียน / อ้างถึง / สิ่งที่ส่งมาด้วย),
body paragraphs, the closing with the signature block and the contact line, and enclosure pages.
Callers pass the wording already formatted (with Thai digits where their letters use them).
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

FONT = "TH Sarabun New"
SIZE = Pt(16)
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
RIGHT_HALF_CM = 7.5  # the date and the closing start in the middle of the text width
BODY_FIRST_LINE_CM = 2.5


def thai_digits(text: str) -> str:
    """Arabic digits as Thai digits, as official letters print them."""
    return text.translate(THAI_DIGITS)


def _style(document: DocxDocument) -> None:
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


def new_letter() -> DocxDocument:
    """An empty letter: A4, margins 2.5 cm top, 2 cm bottom and right, 3 cm left, the letter font."""
    document = Document()
    _style(document)
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(2.0)
    return document


def paragraph(
    document: DocxDocument,
    text: str = "",
    *,
    align: WD_ALIGN_PARAGRAPH | None = None,
    indent_cm: float = 0,
    first_line_cm: float = 0,
    bold: bool = False,
) -> Paragraph:
    """Add one paragraph (an empty one makes a blank line)."""
    added = document.add_paragraph()
    if text:
        run = added.add_run(text)
        run.bold = bold
    if align is not None:
        added.alignment = align
    if indent_cm:
        added.paragraph_format.left_indent = Cm(indent_cm)
    if first_line_cm:
        added.paragraph_format.first_line_indent = Cm(first_line_cm)
    return added


def labelled(document: DocxDocument, label: str, text: str) -> None:
    """Add a heading line: the label in bold, then its text (e.g. 'เรื่อง  ...')."""
    line = document.add_paragraph()
    line.add_run(label).bold = True
    line.add_run("  " + text)


def heading(
    document: DocxDocument,
    *,
    number: str,
    office: str,
    address: str,
    dated: str,
    subject: str,
    addressee: str,
    enclosure: str,
    reference: str | None = None,
) -> None:
    """Add the heading block: ที่ and the office with its address, the date, เรื่อง, เรียน, อ้างถึง, สิ่งที่ส่งมาด้วย."""
    header = document.add_table(rows=1, cols=2)
    left, right = header.rows[0].cells
    left.paragraphs[0].add_run(f"ที่ {number}")
    right.paragraphs[0].add_run(office)
    right.add_paragraph(address)
    paragraph(document)
    paragraph(document, dated, indent_cm=RIGHT_HALF_CM)
    paragraph(document)
    labelled(document, "เรื่อง", subject)
    labelled(document, "เรียน", addressee)
    if reference is not None:
        labelled(document, "อ้างถึง", reference)
    labelled(document, "สิ่งที่ส่งมาด้วย", enclosure)


def body(document: DocxDocument, texts: list[str]) -> None:
    """Add the body: one justified paragraph per text, the first line indented."""
    for text in texts:
        paragraph(document, text, first_line_cm=BODY_FIRST_LINE_CM, align=WD_ALIGN_PARAGRAPH.THAI_JUSTIFY)


def closing(document: DocxDocument, *, signatory: str, unit: str, phone: str = "") -> None:
    """Add ขอแสดงความนับถือ, room to sign, the signatory's position, the issuing unit and its phone (if any)."""
    paragraph(document)
    paragraph(document, "ขอแสดงความนับถือ", indent_cm=RIGHT_HALF_CM)
    for _ in range(3):
        paragraph(document)
    paragraph(document, "(" + " " * 40 + ")", indent_cm=6.5)
    paragraph(document, signatory, indent_cm=7.0)
    paragraph(document)
    paragraph(document, unit)
    if phone:
        paragraph(document, f"โทร. {phone}")


def new_page(document: DocxDocument) -> None:
    """Start a new page (for an enclosure)."""
    document.add_section(WD_SECTION.NEW_PAGE)


def to_bytes(document: DocxDocument) -> bytes:
    """The letter as DOCX bytes."""
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
