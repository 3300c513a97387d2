"""The monthly risk-point report as XLSX: one sheet per part, Thai headings, figures as numbers, dates as BE text.

Built from a frozen version's stored data (and its Thai view for the heading lines), so the workbook holds
the same figures as the page, the DOCX and the PDF. Done, required and percent are separate numeric
columns so the secretariat can add them up; dates are text ('3 พ.ย. 2569 14:05 น.') because a spreadsheet
would otherwise show them in the Christian year.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from reports.documents.month_report import MonthReport, day, when
from texts import month_report as t

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TITLE_FONT = Font(bold=True, size=14)


def _header(sheet, labels: list[str]) -> list:
    cells = []
    for label in labels:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cells.append(cell)
    return cells


def _sheet(book: Workbook, title: str, headers: list[str], rows: list[list], widths: list[float]):
    sheet = book.create_sheet(title)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(_header(sheet, headers))
    for row in rows:
        sheet.append(row)
    return sheet


def _pick(row: dict, *keys: str) -> list:
    return [row.get(key) for key in keys]


def _n(value) -> int:
    return int(value or 0)


def _district_rows(data: dict) -> list[list]:
    """One row per district, then the whole office's (its counts summed, its percentages as compiled)."""
    districts = data.get("districts") or {}
    office = dict(data.get("office") or {})
    for key in ("points", "cameras", "misses", "misses_explained", "letters", "crime_cases"):
        office[key] = sum(_n(entry.get(key)) for entry in districts.values())
    for key in ("orders_received", "orders_closed", "orders_open_at_end", "orders_overdue"):
        office[key] = sum(_n(entry.get(key)) for entry in districts.values())
    rows = []
    for name, e in [*sorted(districts.items()), (t.X_TOTAL, office)]:
        rows.append(
            [
                name,
                _n(e.get("points")),
                _n(e.get("patrols_done")),
                _n(e.get("patrols_required")),
                e.get("patrol_percent"),
                _n(e.get("cameras_done")),
                _n(e.get("cameras_required")),
                e.get("camera_percent"),
                _n(e.get("misses")),
                _n(e.get("misses_explained")),
                _n(e.get("defects_opened")),
                _n(e.get("defects_fixed")),
                e.get("defect_percent"),
                e.get("avg_days_to_fix"),
                _n(e.get("orders_received")),
                _n(e.get("orders_closed")),
                _n(e.get("orders_open_at_end")),
                _n(e.get("orders_overdue")),
                _n(e.get("letters")),
                _n(e.get("crime_cases")),
                _n(e.get("reports_on_time")),
                _n(e.get("reports_expected")),
                e.get("report_percent"),
                e.get("overall_percent"),
            ]
        )
    return rows


DISTRICT_HEADERS = [
    t.COL_DISTRICT,
    t.COL_POINTS,
    t.X_PATROLS_DONE,
    t.X_PATROLS_REQUIRED,
    t.X_PATROL_PERCENT,
    t.X_CAMERAS_DONE,
    t.X_CAMERAS_REQUIRED,
    t.X_CAMERA_PERCENT,
    t.X_MISSES,
    t.X_MISSES_EXPLAINED,
    t.X_DEFECTS_OPENED,
    t.X_DEFECTS_FIXED,
    t.X_DEFECT_PERCENT,
    t.X_AVG_DAYS,
    t.X_ORDERS_RECEIVED,
    t.X_ORDERS_CLOSED,
    t.X_ORDERS_OPEN,
    t.X_ORDERS_OVERDUE,
    t.COL_LETTERS,
    t.COL_CRIME,
    t.X_REPORTS_ON_TIME,
    t.X_REPORTS_EXPECTED,
    t.X_REPORT_PERCENT,
    t.X_OVERALL,
]


def _summary(book: Workbook, data: dict, report: MonthReport) -> None:
    sheet = book.create_sheet(t.SHEET_SUMMARY)
    sheet.column_dimensions["A"].width = 46
    sheet.column_dimensions["B"].width = 48
    for letter in "CDEFGHIJKLMNOPQRSTUVWX":
        sheet.column_dimensions[letter].width = 12
    title = WriteOnlyCell(sheet, value=report.title)
    title.font = TITLE_FONT
    sheet.append([title])
    for line in (report.office, report.districts, report.span_line, report.deadline_line, report.version_line):
        if line:
            sheet.append([line])
    sheet.append([])
    sheet.append(_header(sheet, [t.X_FACT, t.X_VALUE]))
    for label, value in report.facts:
        sheet.append([label, value])
    sheet.append([])
    sheet.append([WriteOnlyCell(sheet, value=t.H_DISTRICTS)])
    sheet.append(_header(sheet, DISTRICT_HEADERS))
    for row in _district_rows(data):
        sheet.append(row)
    sheet.append([])
    departments = report.table("departments")
    sheet.append([WriteOnlyCell(sheet, value=t.X_DEPARTMENTS)])
    sheet.append(_header(sheet, departments.headers))
    for row in (data.get("orders") or {}).get("by_department") or []:
        counts = (_n(row.get(key)) for key in ("received", "closed", "open_at_end", "overdue"))
        sheet.append([row.get("department"), *counts])
    if report.frozen_note:
        sheet.append([])
        sheet.append([report.frozen_note])


def render_xlsx(data: dict, report: MonthReport) -> bytes:
    """The workbook as bytes: สรุป, รายจุด, รอบที่ขาด, สภาพเสี่ยง, ใบสั่งงาน, หนังสือประสาน, สถิติคดี, รายงานของหน่วย."""
    book = Workbook(write_only=True)
    _summary(book, data, report)
    points = [
        [
            p.get("code"),
            p.get("name"),
            p.get("district"),
            _n(p.get("cameras")),
            _n(p.get("patrols_done")),
            _n(p.get("patrols_required")),
            p.get("patrol_percent"),
            _n(p.get("cameras_done")),
            _n(p.get("cameras_required")),
            p.get("camera_percent"),
            _n(p.get("misses")),
            _n(p.get("misses_explained")),
            _n(p.get("defects_opened")),
            _n(p.get("defects_fixed")),
            p.get("defect_percent"),
            _n(p.get("orders_received")),
            _n(p.get("orders_open_at_end")),
            _n(p.get("letters")),
            _n(p.get("crime_cases")),
        ]
        for p in data.get("points") or []
    ]
    point_headers = [t.COL_CODE, t.COL_NAME, t.COL_DISTRICT, t.COL_CAMERAS, *DISTRICT_HEADERS[2:12]]
    point_headers += [t.X_ORDERS_RECEIVED, t.X_ORDERS_OPEN, t.COL_LETTERS, t.COL_CRIME]
    _sheet(book, t.SHEET_POINTS, point_headers, points, [10, 30, 14, 8] + [12] * 15)
    misses = [
        [day(m.get("day")), *_pick(m, "round_name", "code", "name", "district"), m.get("reason") or t.NO_REASON]
        for m in (data.get("misses") or {}).get("rows") or []
    ]
    headers = [t.COL_DAY, t.COL_ROUND, t.COL_CODE, t.COL_NAME, t.COL_DISTRICT, t.COL_REASON]
    _sheet(book, t.SHEET_MISSES, headers, misses, [14, 16, 10, 30, 14, 22])
    defects = [
        [
            d.get("code"),
            d.get("name"),
            d.get("district"),
            d.get("kind"),
            when(d.get("opened_at")),
            when(d.get("fixed_at")) if d.get("fixed_at") else None,
            d.get("days_to_fix"),
            d.get("order"),
            d.get("department"),
        ]
        for d in (data.get("defects") or {}).get("rows") or []
    ]
    headers = [t.COL_CODE, t.COL_NAME, t.COL_DISTRICT, t.COL_KIND, t.COL_FOUND, t.COL_FIXED, t.COL_FIX_DAYS]
    headers += [t.COL_ORDER, t.COL_DEPARTMENT]
    _sheet(book, t.SHEET_DEFECTS, headers, defects, [10, 30, 14, 18, 22, 22, 12, 16, 26])
    orders = [
        [
            o.get("ref"),
            o.get("code"),
            o.get("name"),
            o.get("district"),
            o.get("kind"),
            o.get("department"),
            when(o.get("created_at")),
            o.get("status"),
            when(o.get("closed_at")) if o.get("closed_at") else None,
            o.get("open_days"),
            t.X_OVERDUE_FLAG if o.get("overdue") else None,
        ]
        for o in (data.get("orders") or {}).get("rows") or []
    ]
    headers = [t.COL_ORDER_REF, t.COL_CODE, t.COL_NAME, t.COL_DISTRICT, t.COL_KIND, t.COL_DEPARTMENT]
    headers += [t.COL_ORDERED, t.COL_STATUS, t.COL_CLOSED_AT, t.COL_OPEN_DAYS, t.X_OVERDUE_FLAG]
    _sheet(book, t.SHEET_ORDERS, headers, orders, [16, 10, 30, 14, 18, 26, 22, 24, 22, 10, 12])
    letters = [
        [x.get("number"), when(x.get("issued_at")), *_pick(x, "camera", "code", "name", "district", "agency")]
        for x in data.get("letter_rows") or []
    ]
    headers = [t.COL_LETTER_NO, t.COL_LETTER_DATE, t.COL_CAMERA, t.COL_CODE, t.COL_NAME, t.COL_DISTRICT, t.COL_AGENCY]
    _sheet(book, t.SHEET_LETTERS, headers, letters, [14, 22, 14, 10, 30, 14, 30])
    crime = [
        [
            c.get("place"),
            c.get("district"),
            c.get("crime_type"),
            _n(c.get("cases")),
            _n(c.get("previous_month")),
            c.get("station"),
        ]
        for c in data.get("crime_rows") or []
    ]
    headers = [t.COL_PLACE, t.COL_DISTRICT, t.COL_CRIME_TYPE, t.COL_CASES, t.COL_PREVIOUS, t.COL_STATION]
    _sheet(book, t.SHEET_CRIME, headers, crime, [34, 14, 24, 10, 10, 24])
    submissions = [
        [
            s.get("unit"),
            s.get("district"),
            when(s.get("submitted_at")) if s.get("submitted_at") else t.NOT_SUBMITTED,
            (t.YES if s.get("on_time") else t.NO) if s.get("submitted_at") else None,
        ]
        for s in data.get("submissions") or []
    ]
    headers = [t.COL_UNIT, t.COL_DISTRICT, t.COL_SUBMITTED, t.COL_ON_TIME]
    _sheet(book, t.SHEET_SUBMISSIONS, headers, submissions, [34, 14, 22, 12])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
