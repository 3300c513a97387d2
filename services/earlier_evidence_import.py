"""Evidence recorded later from a workbook: LINE groups, reports received and forwards, one sheet each.

Every row goes through services/earlier_evidence.py in a savepoint of its own, groups first, then reports
(which may name a group of the same file), then forwards (which may name reports by their row). A preview
rolls everything back; an import keeps the rows only when none has an error (all or nothing). Rows already
recorded are found again and skipped, so importing the same file twice adds nothing.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import NewsReport, Occupation, ReportCategory
from models.districts import DISTRICTS
from services.audit import Action, record
from services.earlier_evidence import (
    EvidenceError,
    Recorder,
    find_agency,
    find_group,
    find_meeting,
    moment,
    parse_be_date,
    parse_letter_number,
    parse_time,
    record_forward,
    record_group,
    record_report,
)
from services.workgroup.forwards import Summarise
from texts import earlier_evidence as t
from texts import network as nt

GROUP, REPORT, FORWARD = "group", "report", "forward"
SHEETS = {GROUP: t.SHEET_GROUPS, REPORT: t.SHEET_REPORTS, FORWARD: t.SHEET_FORWARDS}
HEADERS = {GROUP: t.GROUP_HEADERS, REPORT: t.REPORT_HEADERS, FORWARD: t.FORWARD_HEADERS}
REQUIRED = {
    GROUP: ("ชื่อกลุ่ม", "จำนวนสมาชิก", "วันที่เริ่มกลุ่ม"),
    REPORT: ("วันที่ได้รับ", "กลุ่มLINE", "สาระของข่าวโดยย่อ"),
    FORWARD: ("วันที่ส่ง", "เรื่อง", "หน่วยงานที่ส่งถึง"),
}
LIST_SEPARATORS = re.compile(r"\s*[,;\n]\s*")


def _key(header: object) -> str:
    """A header as compared: without spaces or a bracketed unit ('จำนวนสมาชิก (คน)' -> 'จำนวนสมาชิก')."""
    return re.sub(r"\(.*?\)|\s", "", str(header or ""))


@dataclass
class RowResult:
    """One row of the workbook: where it is, what it holds, and whether it is new, already there, or wrong."""

    kind: str
    row: int  # the spreadsheet's row number (the header is row 1)
    label: str
    status: str = "new"  # new | existing | error
    message: str = ""
    id: int | None = None  # the row recorded or found

    @property
    def sheet(self) -> str:
        """The sheet the row is on."""
        return SHEETS[self.kind]


@dataclass
class ImportOutcome:
    """What a preview or an import found: problems with the file, and every row's result."""

    rows: list[RowResult] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    saved: bool = False

    @property
    def errors(self) -> list[RowResult]:
        """The rows with an error."""
        return [row for row in self.rows if row.status == "error"]

    @property
    def ok(self) -> bool:
        """Whether the file can be imported as it is (every row valid)."""
        return not self.file_errors and not self.errors and bool(self.rows)

    def count(self, kind: str, status: str = "new") -> int:
        """How many rows of a kind have a status."""
        return sum(1 for row in self.rows if row.kind == kind and row.status == status)

    @property
    def skipped(self) -> int:
        """Rows already recorded."""
        return sum(1 for row in self.rows if row.status == "existing")


Table = dict[str, list[tuple[int, dict[str, Any]]]]


def read_workbook(data: bytes) -> tuple[Table, list[str]]:
    """The rows of each kind's sheet as dicts keyed by header (blank rows left out), and problems with the file."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - anything openpyxl cannot read is the same answer to the person
        return {}, [t.FILE_UNREADABLE]
    tables: Table = {GROUP: [], REPORT: [], FORWARD: []}
    problems: list[str] = []
    names = {_key(name): name for name in book.sheetnames}
    for kind, sheet_name in SHEETS.items():
        actual = names.get(_key(sheet_name))
        if actual is None:
            continue
        rows = list(book[actual].iter_rows(values_only=True))
        if not rows:
            continue
        header = [_key(cell) for cell in rows[0]]
        body = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(_filled(c) for c in row)]
        missing = [name for name in REQUIRED[kind] if name not in header]
        if missing and body:
            problems += [t.HEADER_MISSING.format(sheet=sheet_name, header=name) for name in missing]
            continue
        for number, row in body:
            tables[kind].append((number, {name: cell for name, cell in zip(header, row, strict=False) if name}))
    book.close()
    if not problems and not any(tables.values()):
        problems.append(t.FILE_EMPTY.format(groups=t.SHEET_GROUPS, reports=t.SHEET_REPORTS, forwards=t.SHEET_FORWARDS))
    return tables, problems


def _filled(cell: object) -> bool:
    return cell is not None and str(cell).strip() != ""


def _text(values: dict[str, Any], header: str) -> str:
    cell = values.get(_key(header))
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return "" if cell is None else str(cell).strip()


def _items(value: str) -> list[str]:
    return [part for part in LIST_SEPARATORS.split(value.strip()) if part]


def import_evidence(session: Session, data: bytes, who: Recorder, summarise: Summarise, *, save: bool) -> ImportOutcome:
    """Check every row of a workbook (save=False: a preview, nothing kept), or import it when every row is valid."""
    tables, problems = read_workbook(data)
    outcome = ImportOutcome(file_errors=problems)
    if problems:
        return outcome
    outer = session.begin_nested()
    report_rows: dict[int, int | None] = {}  # report sheet row -> the report's id (None: the row failed)
    for number, values in tables[GROUP]:
        outcome.rows.append(_row(session, GROUP, number, values, lambda v: _group(session, who, v)))
    for number, values in tables[REPORT]:
        result = _row(session, REPORT, number, values, lambda v: _report(session, who, v))
        outcome.rows.append(result)
        report_rows[number] = result.id if result.status != "error" else None
    for number, values in tables[FORWARD]:
        work = _forward_maker(session, who, summarise, report_rows)
        outcome.rows.append(_row(session, FORWARD, number, values, work))
    if save and outcome.ok:
        outer.commit()
        outcome.saved = True
        counts = {kind: outcome.count(kind) for kind in SHEETS} | {"skipped": outcome.skipped}
        record(session, who.by, Action.EVIDENCE_IMPORT, object_type="evidence", ip=who.ip, detail=counts)
    else:
        outer.rollback()
    return outcome


def _row(session: Session, kind: str, number: int, values: dict, work: Callable[[dict], tuple]) -> RowResult:
    """Run one row's recording in its own savepoint: its result, or its error in Thai (the row rolled back)."""
    result = RowResult(kind, number, _label(kind, values))
    savepoint = session.begin_nested()
    try:
        row_id, created = work(values)
    except ValueError as error:  # EvidenceError, or a refusal of the forwards' rules (in Thai)
        savepoint.rollback()
        result.status, result.message = "error", str(error)
        return result
    savepoint.commit()
    result.id, result.status = row_id, "new" if created else "existing"
    return result


def _label(kind: str, values: dict) -> str:
    if kind == GROUP:
        return _text(values, "ชื่อกลุ่ม") or "–"
    if kind == REPORT:
        return " · ".join(part for part in (_text(values, "วันที่ได้รับ"), _text(values, "กลุ่ม LINE")) if part) or "–"
    return " · ".join(part for part in (_text(values, "วันที่ส่ง"), _text(values, "เรื่อง")) if part) or "–"


def _purpose(typed: str) -> str:
    if not typed:
        return "network"
    for code, name in nt.GROUP_PURPOSES.items():
        if typed in (code, name, name.removeprefix("กลุ่ม")):
            return code
    raise EvidenceError(t.PURPOSE_BAD.format(value=typed))


def _group(session: Session, who: Recorder, values: dict) -> tuple[int, bool]:
    started = parse_be_date(values.get(_key("วันที่เริ่มกลุ่ม")), label="วันที่เริ่มกลุ่ม")
    done = record_group(
        session,
        who,
        name=_text(values, "ชื่อกลุ่ม"),
        members=_text(values, "จำนวนสมาชิก"),
        started_on=started,
        occupation=_text(values, "กลุ่มอาชีพ") or None,
        purpose=_purpose(_text(values, "ประเภทกลุ่ม")),
    )
    return done.row.id, done.created


def _report(session: Session, who: Recorder, values: dict) -> tuple[int, bool]:
    day = parse_be_date(values.get(_key("วันที่ได้รับ")), label="วันที่ได้รับข่าว")
    at = parse_time(values.get(_key("เวลา")))
    chat = find_group(session, _text(values, "กลุ่ม LINE"))
    done = record_report(
        session,
        who,
        chat_id=chat.id,
        received_at=moment(day, at, who.now),
        text=_text(values, "สาระของข่าวโดยย่อ"),
        category=_text(values, "หมวดหมู่") or None,
        district=_text(values, "เขต") or None,
    )
    return done.row.id, done.created


def _forward_maker(session: Session, who: Recorder, summarise: Summarise, report_rows: dict[int, int | None]):
    def work(values: dict) -> tuple[int, bool]:
        day = parse_be_date(values.get(_key("วันที่ส่ง")), label="วันที่ส่ง")
        at = parse_time(values.get(_key("เวลา")))
        agencies = [find_agency(session, name).id for name in _items(_text(values, "หน่วยงานที่ส่งถึง"))]
        numbers = [parse_letter_number(value) for value in _items(_text(values, "เลขที่หนังสือ"))]
        if numbers and len(numbers) != len(agencies):
            raise EvidenceError(t.LETTERS_COUNT.format(numbers=len(numbers), agencies=len(agencies)))
        reports = _reports_named(session, values, report_rows)
        meeting_day = _text(values, "วันที่ประชุม")
        meeting_id = find_meeting(session, parse_be_date(meeting_day, label="วันที่ประชุม")).id if meeting_day else None
        done = record_forward(
            session,
            who,
            sent_at=moment(day, at, who.now),
            agency_ids=agencies,
            summarise=summarise,
            subject=_text(values, "เรื่อง"),
            report_ids=reports,
            meeting_id=meeting_id,
            letter_numbers=dict(zip(agencies, numbers, strict=False)),
            note=_text(values, "หมายเหตุ") or None,
        )
        return done.row.id, done.created

    return work


def _reports_named(session: Session, values: dict, report_rows: dict[int, int | None]) -> list[int]:
    """The reports a forward row names: rows of the reports sheet, then reference numbers."""
    found = []
    for typed in _items(_text(values, "ข่าวแถวที่")):
        number = int(typed) if typed.isdigit() else None
        if number not in report_rows:
            raise EvidenceError(t.ROW_REFERENCE_BAD.format(value=typed))
        if report_rows[number] is None:
            raise EvidenceError(t.ROW_REFERENCE_FAILED.format(value=typed))
        found.append(report_rows[number])
    for ref in _items(_text(values, "เลขที่ข่าว")):
        report_id = session.scalar(select(NewsReport.id).where(NewsReport.ref_no == ref.upper()))
        if report_id is None:
            raise EvidenceError(t.REPORT_UNKNOWN.format(value=ref))
        found.append(report_id)
    return found


# --- the template --------------------------------------------------------------------------------

HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
TEXT_COLUMNS = {GROUP: ("D",), REPORT: ("A", "B"), FORWARD: ("A", "B", "E", "H")}  # dates and numbers kept as typed
WIDTHS = {GROUP: (40, 16, 28, 18, 22), REPORT: (14, 10, 40, 24, 16, 60), FORWARD: (14, 10, 50, 50, 24, 12, 24, 14, 30)}
BLANK_ROWS = 300


def template_workbook(session: Session) -> bytes:
    """The workbook to fill: one sheet per kind with Thai headers, lists to choose from, and how to fill it."""
    book = Workbook()
    guide = book.active
    guide.title = "วิธีกรอก"
    lists = book.create_sheet("รายการ")
    occupations = list(
        session.scalars(select(Occupation.name).where(Occupation.is_active).order_by(Occupation.sort_order))
    )
    categories = list(
        session.scalars(select(ReportCategory.name).where(ReportCategory.is_active).order_by(ReportCategory.sort_order))
    )
    for column, (title, names) in enumerate(
        (
            ("กลุ่มอาชีพ", occupations),
            ("หมวดหมู่", categories),
            ("เขต", DISTRICTS),
            ("ประเภทกลุ่ม", nt.GROUP_PURPOSES.values()),
        ),
        start=1,
    ):
        lists.cell(1, column, title).font = Font(bold=True)
        for row, name in enumerate(names, start=2):
            lists.cell(row, column, name)
    for kind in (GROUP, REPORT, FORWARD):
        sheet = book.create_sheet(SHEETS[kind])
        for column, (header, width) in enumerate(zip(HEADERS[kind], WIDTHS[kind], strict=True), start=1):
            cell = sheet.cell(1, column, header)
            cell.font, cell.fill = Font(bold=True), HEAD_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.column_dimensions[cell.column_letter].width = width
        sheet.freeze_panes = "A2"
        for letter in TEXT_COLUMNS[kind]:
            for row in range(2, BLANK_ROWS + 2):
                sheet[f"{letter}{row}"].number_format = "@"
    _choices(book[SHEETS[GROUP]], "C", "A", len(occupations))
    _choices(book[SHEETS[GROUP]], "E", "D", len(nt.GROUP_PURPOSES))
    _choices(book[SHEETS[REPORT]], "D", "B", len(categories))
    _choices(book[SHEETS[REPORT]], "E", "C", len(DISTRICTS))
    _guide(guide)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _choices(sheet, column: str, source: str, count: int) -> None:
    """A drop-down list in a column, from a column of the 'รายการ' sheet (typing something else is refused)."""
    if not count:
        return
    rule = DataValidation(type="list", formula1=f"='รายการ'!${source}$2:${source}${count + 1}", allow_blank=True)
    rule.error, rule.errorTitle = "กรุณาเลือกจากรายการ", "ค่าที่ไม่มีในรายการ"
    sheet.add_data_validation(rule)
    rule.add(f"{column}2:{column}{BLANK_ROWS + 1}")


def _guide(sheet) -> None:
    """The first sheet: what each sheet is for, an example row of each, and the rules of the import."""
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 100
    rows = [
        ("แบบฟอร์มบันทึกหลักฐานย้อนหลัง", ""),
        ("วิธีกรอก", t.TEMPLATE_NOTE),
        (t.SHEET_GROUPS, "เช่น กลุ่มไลน์เครือข่ายข่าว อปพร. · 115 · อาสาสมัครป้องกันภัยฝ่ายพลเรือน (อปพร.) · 8/2/2564"),
        (t.SHEET_REPORTS, "เช่น 12/3/2564 · 02:00 · กลุ่มไลน์เครือข่ายข่าว อปพร. · บุคคลต้องสงสัย · ดินแดง · สาระโดยย่อ"),
        (
            t.SHEET_FORWARDS,
            "เช่น 18/6/2564 · 11:00 · เรื่อง · สำนักงานตรวจคนเข้าเมือง, กรมการจัดหางาน · กท 5301/120, กท 5301/121 · 2, 3",
        ),
        ("วันที่ประชุม", "ถ้าเป็นการส่งผลการประชุม ให้ใส่วันที่ประชุม (แทนข่าวแถวที่/เลขที่ข่าว)"),
        ("วันที่", "ปีเป็น พ.ศ. พิมพ์ได้ทั้ง 2/7/2564 และ 2 ก.ค. 2564 (เวลาไม่ระบุ = 09:00 น.)"),
    ]
    for number, (title, text) in enumerate(rows, start=1):
        sheet.cell(number, 1, title).font = Font(bold=True)
        sheet.cell(number, 2, text).alignment = Alignment(wrap_text=True, vertical="top")
