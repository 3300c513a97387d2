"""The Thai official letter (หนังสือภายนอก) every numbered letter is printed as, in DOCX (PDF: letter_pdf.py).

The form of the ระเบียบสำนักนายกรัฐมนตรีว่าด้วยงานสารบรรณ: the Garuda emblem 3 cm high centred at the top;
ที่ (the office's code and the register's number) on the left and the office with its address on the right;
the date from the middle of the line; เรื่อง, เรียน, อ้างถึง, สิ่งที่ส่งมาด้วย; the body with its first lines
indented; ขอแสดงความนับถือ, room to sign, the signatory's name in parentheses and position, kept together
with the last paragraph so the signature never stands alone on a page; the unit responsible with the office's
phone; the enclosures (photos, tables) on pages of their own. A4, TH Sarabun New 16 pt.

The coordination and forward letters build one ``Letter`` (their wording already formatted, with Thai digits
when the office prints them) and hand it to ``to_docx`` here or to ``letter_pdf.to_pdf``, so both files say
the same. The primitives (``new_letter``, ``paragraph``, ``labelled``, ``to_bytes``) serve other documents too.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from models.office import THAI_DIGITS
from reports.documents.pdf import GARUDA
from texts import letters as t

FONT = "TH Sarabun New"
SIZE = Pt(16)
TABLE_SIZE = Pt(14)
RIGHT_HALF_CM = 7.5  # the date and the closing start in the middle of the text width
BODY_FIRST_LINE_CM = 2.5
GARUDA_CM = 3.0
SIGN_INDENT_CM = 3.0  # the name and position are centred under ขอแสดงความนับถือ
TOP_CM = 1.5  # the Garuda's top, from the page's edge
ENCLOSURE_CM = 2.9  # where the text after 'สิ่งที่ส่งมาด้วย' starts


def thai_digits(text: str) -> str:
    """Arabic digits as Thai digits, as official letters print them."""
    return text.translate(THAI_DIGITS)


# --- what a letter says ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A line of an enclosure page."""

    text: str
    bold: bool = False
    center: bool = False
    indent: bool = False
    kind: str = "text"


@dataclass(frozen=True)
class Table:
    """A bordered table of an enclosure page, with its column widths in cm."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    kind: str = "table"


@dataclass(frozen=True)
class Image:
    """A photo of an enclosure page (``path`` None or missing: ``missing`` is printed instead)."""

    path: Path | None
    missing: str
    width_cm: float = 14.0
    kind: str = "image"

    @property
    def present(self) -> bool:
        """Whether the photo's file is there to print."""
        return self.path is not None and self.path.is_file()

    @property
    def uri(self) -> str:
        """The photo as a file URI (for the PDF's HTML)."""
        return self.path.resolve().as_uri() if self.path is not None else ""


Block = Text | Table | Image


@dataclass(frozen=True)
class Letter:
    """One official letter, every line formatted as printed (Thai digits already applied where wanted)."""

    number: str  # the printed number without "ที่", e.g. "กท ๕๓๐๑/๑๒"
    office: str
    address: str
    dated: str
    subject: str
    addressee: str
    body: tuple[str, ...]
    signatory_name: str
    signatory_position: str
    contact_unit: str
    contact_phone: str
    reference: str | None = None
    enclosures: tuple[str, ...] = ()
    footnote: str | None = None
    annex: tuple[Block, ...] = field(default_factory=tuple)

    @property
    def signature(self) -> str:
        """The signatory's name in parentheses, or room to write it by hand."""
        return f"({self.signatory_name})" if self.signatory_name else "(" + " " * 48 + ")"

    @property
    def phone_line(self) -> str:
        """The contact's phone line ('' when the office has no phone set)."""
        return t.PHONE.format(phone=self.contact_phone) if self.contact_phone else ""

    @property
    def enclosure_lines(self) -> list[str]:
        """What is sent with the letter, numbered when more than one."""
        if len(self.enclosures) < 2:
            return list(self.enclosures)
        return [thai_digits(f"{n}. ") + text for n, text in enumerate(self.enclosures, start=1)]


# --- DOCX primitives ---------------------------------------------------------------------------------------------


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


def labelled(document: DocxDocument, label: str, text: str) -> Paragraph:
    """Add a heading line: the label in bold, then its text (e.g. 'เรื่อง  ...')."""
    line = document.add_paragraph()
    line.add_run(label).bold = True
    line.add_run("  " + text)
    return line


def new_page(document: DocxDocument) -> None:
    """Start a new page (for an enclosure), with the usual 2.5 cm top margin."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.top_margin = Cm(2.5)


def to_bytes(document: DocxDocument) -> bytes:
    """The letter as DOCX bytes."""
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- the letter as DOCX ------------------------------------------------------------------------------------------


def _held(line: Paragraph, *, with_next: bool = True) -> Paragraph:
    """Keep a paragraph on one page, and on the page of the next one."""
    line.paragraph_format.keep_together = True
    line.paragraph_format.keep_with_next = with_next
    return line


def _heading(document: DocxDocument, letter: Letter) -> None:
    """The Garuda, ที่ and the office with its address, the date, เรื่อง, เรียน, อ้างถึง, สิ่งที่ส่งมาด้วย."""
    emblem = paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER)
    emblem.add_run().add_picture(str(GARUDA), height=Cm(GARUDA_CM))
    header = document.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.LEFT
    header.autofit = False
    left, right = header.rows[0].cells
    for cell, width in ((left, 7.5), (right, 8.5)):
        cell.width = Cm(width)
    left.paragraphs[0].add_run(t.NUMBER.format(number=letter.number))
    right.paragraphs[0].add_run(letter.office)
    for line in letter.address.splitlines() or [""]:
        right.add_paragraph(line)
    paragraph(document)
    paragraph(document, letter.dated, indent_cm=RIGHT_HALF_CM)
    paragraph(document)
    _hanging(document, t.SUBJECT, letter.subject, 1.25)
    _hanging(document, t.ADDRESSEE, letter.addressee, 1.25)
    if letter.reference:
        _hanging(document, t.REFERENCE, letter.reference, 1.5)
    lines = letter.enclosure_lines
    if lines:
        _hanging(document, t.ENCLOSURE, lines[0], ENCLOSURE_CM)
        for line in lines[1:]:
            paragraph(document, line, indent_cm=ENCLOSURE_CM)
    paragraph(document)


def _hanging(document: DocxDocument, label: str, text: str, indent_cm: float) -> None:
    """A heading line whose wrapped lines start under its text, not under its label (เรื่อง, เรียน ...)."""
    line = labelled(document, label, text)
    line.paragraph_format.left_indent = Cm(indent_cm)
    line.paragraph_format.first_line_indent = Cm(-indent_cm)


def _closing(document: DocxDocument, letter: Letter) -> None:
    """ขอแสดงความนับถือ, room to sign, the name and position: one block that moves to a page together."""
    _held(paragraph(document))
    _held(paragraph(document, t.CLOSING, indent_cm=RIGHT_HALF_CM))
    for _ in range(3):
        _held(paragraph(document))
    sign = {"align": WD_ALIGN_PARAGRAPH.CENTER, "indent_cm": SIGN_INDENT_CM}
    _held(paragraph(document, letter.signature, **sign))
    _held(paragraph(document, letter.signatory_position, **sign), with_next=False)
    paragraph(document)
    paragraph(document)
    paragraph(document, letter.contact_unit)
    if letter.phone_line:
        paragraph(document, letter.phone_line)
    if letter.footnote:
        paragraph(document)
        paragraph(document, letter.footnote)


def _table(document: DocxDocument, block: Table) -> None:
    """A bordered table with fixed column widths (LibreOffice reads the grid, Word the cells: set both)."""
    table = document.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, block.widths, strict=True):
        column.width = Cm(width)
    for number, values in enumerate([block.header, *block.rows]):
        cells = table.rows[0].cells if number == 0 else table.add_row().cells
        for cell, text, width in zip(cells, values, block.widths, strict=True):
            cell.width = Cm(width)
            run = cell.paragraphs[0].add_run(text)
            run.bold = number == 0
            run.font.size = TABLE_SIZE


def _annex(document: DocxDocument, blocks: tuple[Block, ...]) -> None:
    """The enclosures, from a new page."""
    new_page(document)
    for block in blocks:
        if isinstance(block, Table):
            _table(document, block)
        elif isinstance(block, Image):
            if block.present:
                document.add_picture(str(block.path), width=Cm(block.width_cm))
                document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            else:
                paragraph(document, block.missing, align=WD_ALIGN_PARAGRAPH.CENTER)
        else:
            align = WD_ALIGN_PARAGRAPH.CENTER if block.center else None
            paragraph(document, block.text, bold=block.bold, align=align, indent_cm=1.0 if block.indent else 0)


def to_docx(letter: Letter) -> bytes:
    """The letter as DOCX bytes, in the official form, its enclosures on pages of their own."""
    document = new_letter()
    document.sections[0].top_margin = Cm(TOP_CM)
    _heading(document, letter)
    for number, text in enumerate(letter.body, start=1):
        line = paragraph(document, text, first_line_cm=BODY_FIRST_LINE_CM, align=WD_ALIGN_PARAGRAPH.THAI_JUSTIFY)
        if number == len(letter.body):
            _held(line)  # the last paragraph goes with the signature
    _closing(document, letter)
    if letter.annex:
        _annex(document, letter.annex)
    return to_bytes(document)
