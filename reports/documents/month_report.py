"""The monthly risk-point report as people read it: one Thai view of a frozen version for the page, PDF, DOCX and XLSX.

Everything is built from the version's stored JSON (``ReportVersion.data`` of kind riskpoint-month, made by
reports/riskpoint_month.compile_month), never from the live tables, so a document downloaded today says what
was frozen and sent on day 7. Stored moments are ISO strings: they are read back here and printed in Bangkok
time with Buddhist Era years. Versions frozen before a part existed simply show that part as empty.

``build`` gives a MonthReport (title lines, summary facts, tables of Thai strings); ``render_pdf`` prints it
through reports/documents/templates/month_report.html; the DOCX and XLSX live in month_report_docx.py and
month_report_xlsx.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import StaffUser
from models.timeutil import thai_date, thai_datetime, thai_long_date, to_bangkok
from reports.documents import printing
from texts import month_report as t

CLOCK = "clock"  # ReportVersion.created_by of the day-7 compilation


@dataclass(frozen=True)
class Table:
    """One printed table: its heading, Thai column headings and rows of strings; ``numeric`` columns align right."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[str]]
    numeric: frozenset[int] = frozenset()
    widths: tuple[float, ...] = ()  # relative column widths (DOCX, PDF)
    note: str | None = None


@dataclass(frozen=True)
class MonthReport:
    """A frozen month report ready to print: heading lines, the summary facts and the tables."""

    title: str
    office: str
    districts: str
    version_line: str
    span_line: str
    deadline_line: str | None
    facts: list[tuple[str, str]]
    tables: list[Table] = field(default_factory=list)  # the page's: every row
    printed: list[Table] = field(default_factory=list)  # the DOCX's and PDF's: only the orders still open
    frozen_note: str = ""
    label: str = ""
    version: int = 0

    def table(self, key: str, *, printed: bool = False) -> Table:
        """One of the tables by key (districts, points, misses, defects, departments, orders, letters, crime, ...)."""
        return next(table for table in (self.printed if printed else self.tables) if table.key == key)


def actor_name(session: Session, created_by: str | None) -> str:
    """Who froze or recorded something, as a person reads it: the staff member's name, or the system."""
    if not created_by or created_by == CLOCK:
        return t.CLOCK_ACTOR
    if created_by in t.SYSTEM_ACTORS:
        return t.SYSTEM_ACTORS[created_by]
    user = session.scalar(select(StaffUser).where(StaffUser.username == created_by))
    if user is None:
        return t.UNKNOWN_ACTOR
    return user.full_name or user.username


def moment(value: str | None) -> datetime | None:
    """A stored ISO moment read back as an aware datetime (a naive one was UTC)."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def when(value: str | None) -> str:
    """A stored moment in Bangkok time with the BE year, e.g. '4 ธ.ค. 2569 17:00 น.', or a dash."""
    found = moment(value)
    return thai_datetime(found) if found is not None else t.NONE


def day(value: str | None) -> str:
    """A stored day, e.g. '3 พ.ย. 2569', or a dash."""
    return thai_date(date.fromisoformat(value), short=True) if value else t.NONE


def pct(value: float | None) -> str:
    """A percentage with the two decimals it was computed with, e.g. '91.67', or a dash."""
    return t.NONE if value is None else f"{value:.2f}"


def of(value: float | None, done: int | None, required: int | None) -> str:
    """'91.67 (55/60)', or a dash when nothing was required."""
    if not required:
        return t.NONE
    return t.PERCENT_OF.format(percent=pct(value), done=int(done or 0), required=int(required))


def days(value: float | None) -> str:
    """Days as printed: '3' for whole days, '2.5' otherwise, or a dash."""
    if value is None:
        return t.NONE
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def count(value: int | None) -> str:
    """A count with thousands separators, or a dash when the version holds none (frozen before it was counted)."""
    return t.NONE if value is None else f"{int(value):,}"


def _with_explained(total: int | None, explained: int | None) -> str:
    return f"{count(total)} ({count(explained)})" if total else count(total)


def _orders_cell(entry: dict) -> str:
    if entry.get("orders_received") is None:
        return t.NONE
    return "/".join(count(entry.get(key)) for key in ("orders_received", "orders_closed", "orders_open_at_end"))


def build(data: dict, *, office: str, version: int, frozen_at: datetime, actor: str, digest: str = "") -> MonthReport:
    """The Thai view of one frozen month report (``data`` as stored; ``actor`` from actor_name)."""
    label = data.get("label") or ""
    districts = sorted((data.get("districts") or {}).keys())
    deadline = moment(data.get("deadline"))
    return MonthReport(
        title=t.TITLE.format(month=label),
        office=office,
        districts=t.DISTRICTS.format(districts=", ".join(f"เขต{name}" for name in districts) or t.NONE),
        version_line=t.VERSION.format(version=version, at=thai_datetime(frozen_at), actor=actor),
        span_line=t.SPAN.format(first=day(data.get("first_day")), last=day(data.get("last_day"))),
        deadline_line=(
            t.DEADLINE.format(deadline=thai_long_date(deadline), time=f"{to_bangkok(deadline):%H:%M}")
            if deadline
            else None
        ),
        facts=facts(data),
        tables=tables(data),
        printed=tables(data, printed=True),
        frozen_note=t.FROZEN_NOTE.format(digest=digest[:16]) if digest else "",
        label=label,
        version=version,
    )


def facts(data: dict) -> list[tuple[str, str]]:
    """The summary: each part of the KPI with its counts, then the month's activities."""
    office = data.get("office") or {}
    defects = data.get("defects") or {}
    misses = data.get("misses") or {}
    departments = (data.get("orders") or {}).get("by_department") or []
    crime = data.get("crime") or []
    submissions = data.get("submissions") or []
    on_time = sum(1 for row in submissions if row.get("on_time"))

    def total(key: str) -> int:
        return sum(int(row.get(key) or 0) for row in departments)

    return [
        (t.FACT_PATROLS, of(office.get("patrol_percent"), office.get("patrols_done"), office.get("patrols_required"))),
        (t.FACT_CAMERAS, of(office.get("camera_percent"), office.get("cameras_done"), office.get("cameras_required"))),
        (t.FACT_MISSES, t.FACT_MISSES_VALUE.format(total=misses.get("total", 0), explained=misses.get("explained", 0))),
        (t.FACT_DEFECTS, of(office.get("defect_percent"), defects.get("fixed"), defects.get("opened"))),
        (
            t.FACT_FIX_DAYS,
            t.FACT_FIX_DAYS_VALUE.format(
                avg=days(defects.get("avg_days_to_fix")),
                max=days(defects.get("max_days_to_fix")),
                count=int(defects.get("fixed_in_month") or 0),
            ),
        ),
        (
            t.FACT_ORDERS,
            t.FACT_ORDERS_VALUE.format(
                received=total("received"),
                closed=total("closed"),
                open=total("open_at_end"),
                overdue=total("overdue"),
                days=(data.get("orders") or {}).get("overdue_days", 7),
            ),
        ),
        (t.FACT_LETTERS, t.FACT_LETTERS_VALUE.format(count=int(data.get("letters") or 0))),
        (
            t.FACT_CRIME,
            t.FACT_CRIME_VALUE.format(
                cases=sum(int(row.get("cases") or 0) for row in crime),
                previous=sum(int(row.get("previous_month") or 0) for row in crime),
            ),
        ),
        (t.FACT_REPORTS, of(office.get("report_percent") if submissions else None, on_time, len(submissions))),
        (t.FACT_OVERALL, pct(office.get("overall_percent"))),
    ]


def tables(data: dict, *, printed: bool = False) -> list[Table]:
    """Every table of the report, in the order shown; printed, the work orders closed in the month are left out
    (each is in the defects table with its number, and every order is in the XLSX).

    A report of one district names it in its heading and leaves the district column out of the detail tables.
    """
    overdue_days = (data.get("orders") or {}).get("overdue_days", 7)
    found = [
        _districts(data, overdue_days),
        _points(data),
        _misses(data),
        _defects(data),
        _departments(data, overdue_days),
        _orders(data, open_only=printed),
        _letters(data),
        _crime(data),
        _submissions(data),
    ]
    if len(data.get("districts") or {}) > 1:
        return found
    return [tab if tab.key == "districts" else _without(tab, t.COL_DISTRICT) for tab in found]


def _without(tab: Table, header: str) -> Table:
    """The table without one of its columns (its widths and right-aligned columns shifted to match)."""
    if header not in tab.headers:
        return tab
    gone = tab.headers.index(header)

    def keep(values: list) -> list:
        return values[:gone] + values[gone + 1 :]

    numeric = frozenset(i - (i > gone) for i in tab.numeric if i != gone)
    widths = tuple(keep(list(tab.widths))) if tab.widths else ()
    rows = [keep(row) for row in tab.rows]
    return Table(tab.key, tab.title, keep(tab.headers), rows, numeric, widths, tab.note)


def _districts(data: dict, overdue_days: int) -> Table:
    rows = []
    for name, entry in sorted((data.get("districts") or {}).items()):
        rows.append(
            [
                name,
                count(entry.get("points")),
                of(entry.get("patrol_percent"), entry.get("patrols_done"), entry.get("patrols_required")),
                of(entry.get("camera_percent"), entry.get("cameras_done"), entry.get("cameras_required")),
                _with_explained(entry.get("misses"), entry.get("misses_explained")),
                of(entry.get("defect_percent"), entry.get("defects_fixed"), entry.get("defects_opened")),
                _orders_cell(entry),
                count(entry.get("orders_overdue")),
                count(entry.get("letters")),
                count(entry.get("crime_cases")),
                of(entry.get("report_percent"), entry.get("reports_on_time"), entry.get("reports_expected")),
                pct(entry.get("overall_percent")),
            ]
        )
    headers = [
        t.COL_DISTRICT,
        t.COL_POINTS,
        t.COL_PATROLS,
        t.COL_CAMERA_CHECKS,
        t.COL_MISSES,
        t.COL_DEFECTS,
        t.COL_ORDERS,
        t.COL_OVERDUE.format(days=overdue_days),
        t.COL_LETTERS,
        t.COL_CRIME,
        t.COL_REPORTS,
        t.COL_OVERALL,
    ]
    widths = (2.2, 1.2, 2.6, 2.6, 1.8, 2.2, 1.8, 1.4, 1.4, 1.0, 2.4, 1.6)
    return Table("districts", t.H_DISTRICTS, headers, rows, frozenset(range(1, 12)), widths)


def _points(data: dict) -> Table:
    rows = [
        [
            row.get("code", ""),
            row.get("name", ""),
            row.get("district", ""),
            count(row.get("cameras")),
            of(row.get("patrol_percent"), row.get("patrols_done"), row.get("patrols_required")),
            of(row.get("camera_percent"), row.get("cameras_done"), row.get("cameras_required")),
            _with_explained(row.get("misses"), row.get("misses_explained")),
            of(row.get("defect_percent"), row.get("defects_fixed"), row.get("defects_opened")),
            count(row.get("orders_open_at_end")),
            count(row.get("letters")),
            count(row.get("crime_cases")),
        ]
        for row in data.get("points") or []
    ]
    headers = [
        t.COL_CODE,
        t.COL_NAME,
        t.COL_DISTRICT,
        t.COL_CAMERAS,
        t.COL_PATROLS,
        t.COL_CAMERA_CHECKS,
        t.COL_MISSES,
        t.COL_DEFECTS,
        t.COL_OPEN_ORDERS,
        t.COL_LETTERS,
        t.COL_CRIME,
    ]
    widths = (1.6, 3.6, 1.8, 1.0, 2.6, 2.6, 1.8, 2.2, 1.4, 1.4, 1.0)
    return Table("points", t.H_POINTS, headers, rows, frozenset({3, 4, 5, 6, 7, 8, 9, 10}), widths)


def _misses(data: dict) -> Table:
    misses = data.get("misses") or {}
    rows = [
        [
            day(row.get("day")),
            row.get("round_name") or str(row.get("round", "")),
            f"{row.get('code', '')} {row.get('name', '')}",
            row.get("district", ""),
            row.get("reason") or t.NO_REASON,
        ]
        for row in misses.get("rows") or []
    ]
    reasons = ", ".join(f"{label} {n:,}" for label, n in (misses.get("by_reason") or {}).items())
    unexplained = int(misses.get("total") or 0) - int(misses.get("explained") or 0)
    if unexplained:
        reasons = ", ".join(filter(None, [reasons, f"{t.NO_REASON} {unexplained:,}"]))
    note = t.H_MISS_REASONS.format(reasons=reasons) if rows else None
    headers = [t.COL_DAY, t.COL_ROUND, t.COL_POINT, t.COL_DISTRICT, t.COL_REASON]
    return Table("misses", t.H_MISSES, headers, rows, frozenset(), (2.2, 2.2, 4.6, 2.0, 3.0), note)


def _defects(data: dict) -> Table:
    rows = [
        [
            f"{row.get('code', '')} {row.get('name', '')}",
            row.get("district", ""),
            row.get("kind", ""),
            when(row.get("opened_at")),
            when(row.get("fixed_at")),
            days(row.get("days_to_fix")),
            row.get("order") or t.NONE,
            row.get("department") or t.NONE,
        ]
        for row in (data.get("defects") or {}).get("rows") or []
    ]
    headers = [
        t.COL_POINT,
        t.COL_DISTRICT,
        t.COL_KIND,
        t.COL_FOUND,
        t.COL_FIXED,
        t.COL_FIX_DAYS,
        t.COL_ORDER,
        t.COL_DEPARTMENT,
    ]
    return Table("defects", t.H_DEFECTS, headers, rows, frozenset({5}), (4.0, 1.5, 2.2, 3.1, 3.1, 1.1, 2.5, 3.2))


def _departments(data: dict, overdue_days: int) -> Table:
    rows = [
        [
            row.get("department", ""),
            count(row.get("received")),
            count(row.get("closed")),
            count(row.get("open_at_end")),
            count(row.get("overdue")),
        ]
        for row in (data.get("orders") or {}).get("by_department") or []
    ]
    headers = [
        t.COL_DEPARTMENT,
        t.COL_RECEIVED,
        t.COL_CLOSED,
        t.COL_OPEN_AT_END,
        t.COL_OVERDUE.format(days=overdue_days),
    ]
    return Table("departments", t.H_DEPARTMENTS, headers, rows, frozenset({1, 2, 3, 4}), (4.0, 1.6, 1.6, 1.8, 1.8))


def _orders(data: dict, *, open_only: bool = False) -> Table:
    found = (data.get("orders") or {}).get("rows") or []
    if open_only:
        found = [row for row in found if not row.get("closed_at")]
    rows = [
        [
            row.get("ref", ""),
            f"{row.get('code', '')} {row.get('name', '')}",
            row.get("district", ""),
            row.get("kind", ""),
            row.get("department", ""),
            when(row.get("created_at")),
            row.get("status", ""),
            when(row.get("closed_at")),
            days(row.get("open_days")) + (" ⚠" if row.get("overdue") else ""),
        ]
        for row in found
    ]
    headers = [
        t.COL_ORDER_REF,
        t.COL_POINT,
        t.COL_DISTRICT,
        t.COL_KIND,
        t.COL_DEPARTMENT,
        t.COL_ORDERED,
        t.COL_STATUS,
        t.COL_CLOSED_AT,
        t.COL_OPEN_DAYS,
    ]
    widths = (2.3, 4.2, 1.3, 2.2, 3.0, 3.0, 2.2, 2.8, 1.3)
    if open_only:
        table = Table("orders", t.H_OPEN_ORDERS, headers, rows, frozenset({8}), widths, t.OPEN_ORDERS_NOTE)
        return _without(table, t.COL_CLOSED_AT)  # none of them is closed
    return Table("orders", t.H_ORDERS, headers, rows, frozenset({8}), widths)


def _letters(data: dict) -> Table:
    rows = [
        [
            row.get("number", ""),
            when(row.get("issued_at")),
            row.get("camera", ""),
            f"{row.get('code', '')} {row.get('name', '')}",
            row.get("district", ""),
            row.get("agency", ""),
        ]
        for row in data.get("letter_rows") or []
    ]
    headers = [t.COL_LETTER_NO, t.COL_LETTER_DATE, t.COL_CAMERA, t.COL_POINT, t.COL_DISTRICT, t.COL_AGENCY]
    return Table("letters", t.H_LETTERS, headers, rows, frozenset(), (2.0, 2.6, 2.0, 3.4, 1.8, 3.4))


def _crime(data: dict) -> Table:
    rows = [
        [
            row.get("place", ""),
            row.get("district") or t.NONE,
            row.get("crime_type", ""),
            count(row.get("cases")),
            count(row.get("previous_month")),
            row.get("station") or t.NONE,
        ]
        for row in data.get("crime_rows") or []
    ]
    headers = [t.COL_PLACE, t.COL_DISTRICT, t.COL_CRIME_TYPE, t.COL_CASES, t.COL_PREVIOUS, t.COL_STATION]
    return Table("crime", t.H_CRIME, headers, rows, frozenset({3, 4}), (3.6, 1.8, 3.0, 1.4, 1.4, 3.0))


def _submissions(data: dict) -> Table:
    rows = [
        [
            row.get("unit", ""),
            row.get("district") or t.NONE,
            when(row.get("submitted_at")) if row.get("submitted_at") else t.NOT_SUBMITTED,
            (t.YES if row.get("on_time") else t.NO) if row.get("submitted_at") else t.NONE,
        ]
        for row in data.get("submissions") or []
    ]
    headers = [t.COL_UNIT, t.COL_DISTRICT, t.COL_SUBMITTED, t.COL_ON_TIME]
    return Table("submissions", t.H_SUBMISSIONS, headers, rows, frozenset(), (4.4, 1.6, 3.8, 1.4))


def file_name(report: MonthReport, ext: str) -> str:
    """The download name in Thai, e.g. 'รายงานจุดเสี่ยงภัย พฤศจิกายน 2569 ฉบับที่ 1.pdf'."""
    return t.FILE_NAME.format(month=report.label, version=report.version, ext=ext)


def render_html(report: MonthReport) -> str:
    """The printed report as HTML (for the PDF)."""
    return printing.render_html("month_report.html", report=report, t=t)


def render_pdf(report: MonthReport) -> bytes:
    """The printed report as PDF (raises reports.documents.pdf.PdfUnavailable without Chromium)."""
    return printing.render_pdf("month_report.html", report=report, t=t)
