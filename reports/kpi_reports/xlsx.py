"""A KPI report's annex as XLSX: a summary sheet, then the rows behind the figures (from the content's annex).

Network: groups with members, reports received (reference, date, quarter, category, district: no reporter,
no content), meetings counted or not and why, forwards, measures. Risk points: per point patrols and camera
checks done against required, defects, letters, crime figures, month reports. Figures stay numbers.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from reports.kpi_reports.tree import KpiContent, Sheet
from texts import kpi_reports as t

HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
WIDTH_SAMPLE = 200


def summary_sheet(content: KpiContent, status: str) -> Sheet:
    """The first sheet: the indicator, its target and result, each quarter's outcome and the evidence."""
    rows: list[list] = [
        [t.S1.rstrip(" :"), content.name],
        ["หน่วยงาน", content.office],
        ["ช่วงข้อมูล", f"{content.period_label} ({content.span})"],
        ["สถานะ", status],
        ["เป้าหมาย", f"{content.target:g} ({content.unit})"],
        ["ผลงานที่ทำได้", f"{content.result_text} ({content.unit})"],
    ]
    rows += [
        [f"ระดับ {s.level} {s.title}", f"{t.ACHIEVED if s.achieved else t.NOT_ACHIEVED}: {s.reason}"]
        for s in content.levels
    ]
    rows += [[figure.label, figure.value] for figure in content.figures]
    for result in [*content.quarters, *([content.year_end] if content.year_end else [])]:
        label = "ปลายปีงบประมาณ" if result.number == 5 else f"ไตรมาสที่ {result.number}"
        if not result.filled:
            value = t.NOT_YET
        elif result.level is not None:
            value = f"ระดับ {result.level}"
        else:
            value = f"ร้อยละ {result.percent:.2f}" if result.percent is not None else t.DASH
        rows.append([f"{label} ({result.span})", value])
    rows += [
        [f"หลักฐาน: {item.label}", f"{t.PRESENT if item.present else t.ABSENT} ({item.detail})"]
        for item in content.evidence
    ]
    return Sheet(t.SHEET_SUMMARY, ["หัวข้อ", "ผล"], rows)


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def render_xlsx(content: KpiContent, status: str) -> bytes:
    """The annex as XLSX bytes."""
    book = Workbook()
    book.remove(book.active)
    for sheet in [summary_sheet(content, status), *content.annex]:
        page = book.create_sheet(title=sheet.title[:31])
        page.append(sheet.header)
        for cell in page[1]:
            cell.font, cell.fill, cell.alignment = Font(bold=True), HEADER_FILL, Alignment(vertical="center")
        for row in sheet.rows:
            page.append(list(row))
        for index, heading in enumerate(sheet.header):
            sample = [heading, *(row[index] for row in sheet.rows[:WIDTH_SAMPLE] if index < len(row))]
            width = max(len(str(value if value is not None else "")) for value in sample)
            page.column_dimensions[_column(index)].width = min(max(width + 2, 8), 70)
        page.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
