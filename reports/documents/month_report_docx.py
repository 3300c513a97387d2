"""The monthly risk-point report as an editable DOCX: TH Sarabun New, A4, the summary portrait, wide tables landscape.

Built from the Thai view of a frozen version (reports/documents/month_report.py), so it says what the page
and the PDF say. Tables use a 12 pt paragraph style (Thai sizes are the complex-script size, w:szCs, so
both sizes are set), repeat their heading row on each page, and right-align their figures.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt

from reports.documents import official_letter as official
from reports.documents.month_report import MonthReport, Table
from texts import month_report as t

TABLE_STYLE = "ตารางรายงาน"
HEADER_STYLE = "หัวตารางรายงาน"
PORTRAIT_TEXT_CM = 21.0 - 2.5 - 2.0
LANDSCAPE_TEXT_CM = 29.7 - 1.5 - 1.5
TWIPS_PER_CM = 567


def _sizes(style, points: float, *, bold: bool = False) -> None:
    """Set a style's size for Latin and Thai (complex script, w:szCs) text, and bold for both when asked."""
    style.font.size = Pt(points)
    rpr = style.element.get_or_add_rPr()
    if bold:
        style.font.bold = True
        rpr.get_or_add_bCs()
    size_cs = rpr.find(qn("w:szCs"))
    if size_cs is None:
        size_cs = OxmlElement("w:szCs")
        rpr.find(qn("w:sz")).addnext(size_cs)  # the schema's order: sz, then szCs
    size_cs.set(qn("w:val"), str(int(points * 2)))


def _styles(document) -> None:
    """The two paragraph styles of the tables: 12 pt text and its bold heading."""
    for name, bold in ((TABLE_STYLE, False), (HEADER_STYLE, True)):
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        _sizes(style, 12, bold=bold)
        style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.line_spacing = 1.0


def _landscape(document) -> None:
    """Start a new landscape A4 page with narrow margins for the wide tables."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Cm(1.5)


def _cell(text: str, width: int, style_id: str, right: bool) -> str:
    align = '<w:jc w:val="right"/>' if right else ""
    run = f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>' if text else ""
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
        f'<w:p><w:pPr><w:pStyle w:val="{escape(style_id)}"/>{align}</w:pPr>{run}</w:p></w:tc>'
    )


def table(document, tab: Table, text_width_cm: float) -> None:
    """Add one table (or a line saying it has no rows) with its heading and note.

    The table is written as one piece of WordprocessingML (a grid, its heading row repeated on every page,
    fixed column widths): python-docx's cell by cell API takes seconds for a district's 200 points.
    """
    official.paragraph(document, tab.title, bold=True)
    if tab.note:
        official.paragraph(document, tab.note)
    if not tab.rows:
        official.paragraph(document, t.NO_ROWS)
        return
    body_id = document.styles[TABLE_STYLE].style_id
    header_id = document.styles[HEADER_STYLE].style_id
    table_id = document.styles["Table Grid"].style_id
    widths = tab.widths or (1.0,) * len(tab.headers)
    twips = [int(w * text_width_cm / sum(widths) * TWIPS_PER_CM) for w in widths]
    parts = [
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="{table_id}"/>'
        f'<w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:jc w:val="center"/><w:tblLayout w:type="fixed"/></w:tblPr>',
        "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in twips) + "</w:tblGrid>",
        '<w:tr><w:trPr><w:tblHeader w:val="true"/></w:trPr>'
        + "".join(_cell(h, w, header_id, False) for h, w in zip(tab.headers, twips, strict=True))
        + "</w:tr>",
    ]
    for row in tab.rows:
        cells = (
            _cell(str(value), w, body_id, column in tab.numeric)
            for column, (value, w) in enumerate(zip(row, twips, strict=True))
        )
        parts.append('<w:tr><w:trPr><w:cantSplit w:val="true"/></w:trPr>' + "".join(cells) + "</w:tr>")
    parts.append("</w:tbl>")
    document.element.body._insert_tbl(parse_xml("".join(parts)))  # before the final section properties
    official.paragraph(document)


def render_docx(report: MonthReport) -> bytes:
    """The report as DOCX bytes: heading and summary (portrait), then the tables (landscape)."""
    document = official.new_letter()
    section = document.sections[0]
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    section.left_margin, section.right_margin = Cm(2.5), Cm(2.0)
    _styles(document)
    center = WD_ALIGN_PARAGRAPH.CENTER
    official.paragraph(document, report.title, bold=True, align=center)
    official.paragraph(document, report.office, bold=True, align=center)
    for line in (report.districts, report.span_line, report.deadline_line, report.version_line):
        if line:
            official.paragraph(document, line, align=center)
    official.paragraph(document)
    official.paragraph(document, t.KPI)
    facts = Table("facts", t.H_SUMMARY, [t.X_FACT, t.X_VALUE], [list(fact) for fact in report.facts], widths=(9, 7.5))
    table(document, facts, PORTRAIT_TEXT_CM)
    for key in ("departments", "submissions"):
        table(document, report.table(key, printed=True), PORTRAIT_TEXT_CM)
    if report.frozen_note:
        official.paragraph(document, report.frozen_note)
    _landscape(document)
    for tab in report.printed:
        if tab.key not in ("departments", "submissions"):
            table(document, tab, LANDSCAPE_TEXT_CM)
    return official.to_bytes(document)
