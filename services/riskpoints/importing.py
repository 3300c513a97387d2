"""Risk points from a spreadsheet: read a CSV or XLSX file, import every row or none, and the example template."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import RiskPoint
from services.riskpoints.registry import FIELD_LABELS, apply_point, cameras_of, validate_point

# Column headers accepted in imported files (English or Thai) and the field each fills.
HEADERS = {
    "code": "code",
    "รหัส": "code",
    "รหัสจุด": "code",
    "name": "name",
    "ชื่อ": "name",
    "ชื่อจุด": "name",
    "district": "district",
    "เขต": "district",
    "subdistrict": "subdistrict",
    "แขวง": "subdistrict",
    "latitude": "latitude",
    "lat": "latitude",
    "ละติจูด": "latitude",
    "longitude": "longitude",
    "lng": "longitude",
    "lon": "longitude",
    "ลองจิจูด": "longitude",
    "kind": "kind",
    "ประเภท": "kind",
    "radius_m": "radius_m",
    "รัศมี": "radius_m",
    "รัศมี (ม.)": "radius_m",
    "patrol_unit": "patrol_unit",
    "หน่วยสายตรวจ": "patrol_unit",
    "required_patrols": "required_patrols",
    "ตรวจต่อวัน": "required_patrols",
    "photo_required": "photo_required",
    "ต้องมีรูป": "photo_required",
    "cameras": "cameras",
    "กล้อง": "cameras",
    "active_from": "active_from",
    "เริ่มตรวจ": "active_from",
    "เริ่มตรวจตั้งแต่วันที่": "active_from",
}


@dataclass
class RowError:
    """A problem in one row (spreadsheet numbering: the header is row 1) and column of an imported file."""

    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    """What an import did: every error by row (nothing imported), or the points created and updated."""

    errors: list[RowError] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the file was imported."""
        return not self.errors


def read_rows(data: bytes, filename: str) -> list[list[Any]]:
    """The cells of a CSV (UTF-8) or XLSX file's first sheet, row by row (the header first)."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = [list(row) for row in book.active.iter_rows(values_only=True)]
        book.close()
        return rows
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_table(data: bytes, filename: str) -> list[dict[str, Any]]:
    """The rows of a CSV or XLSX file as dicts keyed by the fields the headers name (unknown headers dropped)."""
    rows = read_rows(data, filename)
    if not rows:
        return []
    header = [HEADERS.get(str(cell or "").strip().lower(), HEADERS.get(str(cell or "").strip())) for cell in rows[0]]
    table = []
    for row in rows[1:]:
        values = {name: ("" if cell is None else cell) for name, cell in zip(header, row, strict=False) if name}
        if any(str(v).strip() for v in values.values()):
            table.append(values)
        else:
            table.append({})
    return table


def import_points(session: Session, data: bytes, filename: str) -> ImportResult:
    """Import points from a CSV or XLSX file: every row valid, or nothing at all (errors listed by row)."""
    result = ImportResult()
    try:
        rows = read_table(data, filename)
    except Exception as exc:  # not a readable CSV/XLSX: one error for the whole file
        result.errors.append(RowError(1, "-", f"อ่านไฟล์ไม่ได้ ({type(exc).__name__}) ต้องเป็น CSV (UTF-8) หรือ XLSX"))
        return result
    if not rows:
        result.errors.append(RowError(1, "-", "ไฟล์ว่าง"))
        return result
    seen_codes: dict[str, int] = {}
    seen_cameras: dict[str, int] = {}
    plan = []
    for number, values in enumerate(rows, start=2):
        if not values:
            continue
        code = str(values.get("code") or "").strip().upper()
        existing = session.scalar(select(RiskPoint).where(RiskPoint.code == code)) if code else None
        for name, message in validate_point(session, values, existing=existing):
            result.errors.append(RowError(number, FIELD_LABELS.get(name, name), message))
        if code in seen_codes:
            result.errors.append(RowError(number, FIELD_LABELS["code"], f"รหัส {code} ซ้ำกับแถวที่ {seen_codes[code]}"))
        seen_codes.setdefault(code, number)
        for camera, _ in cameras_of(str(values.get("cameras") or "")):
            if camera in seen_cameras:
                result.errors.append(
                    RowError(number, FIELD_LABELS["cameras"], f"กล้อง {camera} ซ้ำกับแถวที่ {seen_cameras[camera]}")
                )
            seen_cameras.setdefault(camera, number)
        plan.append((values, existing))
    if result.errors:
        return result
    with session.begin_nested():
        for values, existing in plan:
            point = apply_point(session, values, point=existing)
            (result.updated if existing else result.created).append(point.code)
    return result


def template_csv() -> bytes:
    """An example import file with the Thai headers."""
    header = ["รหัส", "ชื่อจุด", "เขต", "แขวง", "ละติจูด", "ลองจิจูด", "ประเภท", "รัศมี (ม.)"]
    header += ["หน่วยสายตรวจ", "ตรวจต่อวัน", "ต้องมีรูป", "กล้อง", "เริ่มตรวจตั้งแต่วันที่"]
    example = ["RP-0001", "ซอยตัวอย่าง 5 หน้าร้านสะดวกซื้อ", "บางรัก", "สี่พระยา", "13.7291", "100.5215"]
    example += ["dark_spot", "100", "", "2", "ไม่", "CAM-0001: สำนักการจราจรและขนส่ง", "1/11/2569"]
    out = io.StringIO()
    csv.writer(out).writerows([header, example])
    return out.getvalue().encode("utf-8-sig")
