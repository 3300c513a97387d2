"""A KPI report as an editable DOCX: TH Sarabun New 16 pt for Latin and Thai alike, A4, the seeds' layout.

Prints a ``Doc`` (reports/kpi_reports/blocks.py) on the official letter's skeleton (reports/documents/
official_letter.py: the font declared for ascii, hAnsi, cs and eastAsia, margins 2.5/2/2/3 cm); tables in a
14 pt paragraph style, sizes and bold set for the complex script too (Thai reads w:szCs and w:bCs).
"""

from __future__ import annotations

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from reports.documents import official_letter as official
from reports.kpi_reports.blocks import Doc, Heading, Keep, Para, Signature, Table

TABLE_STYLE = "ตารางรายงานตัวชี้วัด"
TEXT_WIDTH_CM = 21.0 - 3.0 - 2.0
INDENT_CM = 1.0
SIGN_INDENT_CM = 7.0


def _run(paragraph, text: str, *, bold: bool = False, size: float | None = None):
    """Add a run; bold and size set for Latin and Thai (w:bCs, w:szCs)."""
    run = paragraph.add_run(text)
    rpr = run._r.get_or_add_rPr()
    if bold:
        run.bold = True
        rpr.get_or_add_bCs()
    if size is not None:
        run.font.size = Pt(size)
        size_cs = OxmlElement("w:szCs")
        size_cs.set(qn("w:val"), str(int(size * 2)))
        rpr.find(qn("w:sz")).addnext(size_cs)
    return run


def _table_style(document) -> None:
    style = document.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.font.size = Pt(14)
    rpr = style.element.get_or_add_rPr()
    size_cs = OxmlElement("w:szCs")
    size_cs.set(qn("w:val"), "28")
    rpr.find(qn("w:sz")).addnext(size_cs)
    style.paragraph_format.space_after = Pt(0)


def _para(document, block: Para) -> None:
    line = document.add_paragraph()
    if block.label:
        _run(line, block.label + " ", bold=True)
    if block.text:
        _run(line, block.text, bold=block.bold)
    if block.indent:
        line.paragraph_format.left_indent = Cm(INDENT_CM * block.indent)
    if block.center:
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _table(document, block: Table) -> None:
    table = document.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    table.autofit = False
    scale = TEXT_WIDTH_CM / sum(block.widths)
    widths = [Cm(width * scale) for width in block.widths]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for number, values in enumerate([block.header, *block.rows]):
        cells = table.rows[0].cells if number == 0 else table.add_row().cells
        for index, (cell, text, width) in enumerate(zip(cells, values, widths, strict=True)):
            cell.width = width
            paragraph = cell.paragraphs[0]
            paragraph.style = document.styles[TABLE_STYLE]
            if index in block.numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _run(paragraph, text, bold=number == 0)
    header_row = table.rows[0]._tr.get_or_add_trPr()
    header_row.append(OxmlElement("w:tblHeader"))
    document.add_paragraph()


def _signature(document, block: Signature) -> None:
    document.add_paragraph().paragraph_format.keep_with_next = True
    lines = (block.sign_line, block.name_line, block.position_line)
    for number, text in enumerate(lines):
        line = document.add_paragraph()
        _run(line, text)
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        line.paragraph_format.left_indent = Cm(SIGN_INDENT_CM)
        line.paragraph_format.keep_together = True
        line.paragraph_format.keep_with_next = number < len(lines) - 1


def _blocks(document, blocks) -> None:
    for block in blocks:
        if isinstance(block, Heading):
            line = document.add_paragraph()
            line.paragraph_format.space_before = Pt(6 if block.level == 1 else 3)
            line.paragraph_format.keep_with_next = True
            _run(line, block.text, bold=True)
        elif isinstance(block, Para):
            _para(document, block)
        elif isinstance(block, Table):
            _table(document, block)
        elif isinstance(block, Signature):
            _signature(document, block)
        elif isinstance(block, Keep):
            _kept(document, block)


def _kept(document, block: Keep) -> None:
    """Blocks kept on one page: every paragraph (table cells too) kept with the next, up to the last."""
    body = document.element.body
    before = len(body.xpath("./w:p | ./w:tbl"))
    _blocks(document, block.blocks)
    added = body.xpath("./w:p | ./w:tbl")[before:]
    paragraphs = [p for element in added for p in element.iter(qn("w:p"))]
    for paragraph in paragraphs[:-1]:
        ppr = paragraph.get_or_add_pPr()
        if ppr.find(qn("w:keepNext")) is None:
            ppr.append(OxmlElement("w:keepNext"))


def render_docx(doc: Doc) -> bytes:
    """The document as DOCX bytes."""
    document = official.new_letter()
    _table_style(document)
    for text, size in ((doc.title, 18), (doc.subtitle, 16)):
        line = document.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(line, text, bold=True, size=size)
    status = document.add_paragraph()
    status.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(status, doc.status, size=13)
    _blocks(document, doc.blocks)
    return official.to_bytes(document)
