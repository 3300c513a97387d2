"""What staff do to risk points from the admin web, the API or the CLI: registry, import, units, statistics.

Every function takes the caller's session and never commits; messages to LINE groups go to the outbox.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    CameraStatus,
    Chat,
    CrimeStat,
    MediaFile,
    RiskCamera,
    RiskPoint,
    RiskUnit,
    UnitKind,
)
from models.districts import DISTRICTS
from models.timeutil import BANGKOK, to_bangkok, utcnow
from runtime import delivery
from services.riskpoints import ops

CODE = re.compile(r"^[A-Z]{2,5}-\d{1,6}$")
CAMERA_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,39}$")
LAT_RANGE, LNG_RANGE = (13.4, 14.2), (100.2, 101.0)  # Bangkok, with a margin
POINT_KINDS = {
    "dark_spot": "จุดมืด ไฟส่องสว่างไม่เพียงพอ",
    "alley": "ตรอก ซอยเปลี่ยว",
    "abandoned_building": "อาคารร้าง",
    "vacant_lot": "ที่ดินรกร้าง",
    "bus_stop": "ป้ายรถประจำทาง",
    "underpass": "ทางลอด สะพานลอย",
    "park": "สวนสาธารณะ",
    "other": "อื่น ๆ",
}
DEFAULT_UNITS = (
    ("cleaning", "ฝ่ายรักษาความสะอาดและสวนสาธารณะ", UnitKind.DEPARTMENT),
    ("public_works", "ฝ่ายโยธา", UnitKind.DEPARTMENT),
    ("municipal", "ฝ่ายเทศกิจ", UnitKind.DEPARTMENT),
    ("secretariat", "ฝ่ายเลขานุการโครงการจุดเสี่ยง", UnitKind.SECRETARIAT),
)
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
}
REQUIRED_FIELDS = ("code", "name", "district", "latitude", "longitude", "kind")
FIELD_LABELS = {
    "code": "รหัส",
    "name": "ชื่อจุด",
    "district": "เขต",
    "subdistrict": "แขวง",
    "latitude": "ละติจูด",
    "longitude": "ลองจิจูด",
    "kind": "ประเภท",
    "radius_m": "รัศมี",
    "patrol_unit": "หน่วยสายตรวจ",
    "required_patrols": "ตรวจต่อวัน",
    "photo_required": "ต้องมีรูป",
    "cameras": "กล้อง",
}
YES = {"1", "true", "yes", "y", "ใช่", "ต้อง", "ต้องมี"}
NO = {"", "0", "false", "no", "n", "ไม่", "ไม่ต้อง", "ไม่ใช่"}


class RiskPointError(ValueError):
    """An action the data does not allow (shown to the staff member as is)."""


def outbox(session: Session, purpose: str) -> Callable[[str, list[Any]], None]:
    """A notify callback that puts messages in the outbox (sent by the worker after the commit)."""

    def notify(recipient: str, messages: list[Any]) -> None:
        delivery.enqueue(session, recipient, messages, purpose=purpose)

    return notify


def today() -> date:
    """Today in Bangkok."""
    return to_bangkok(utcnow()).date()


# --- units ---------------------------------------------------------------------------------------------


def ensure_default_units(session: Session) -> list[RiskUnit]:
    """Create the departments and secretariat the default defect mapping names, if missing."""
    created = []
    for code, name, kind in DEFAULT_UNITS:
        if session.scalar(select(RiskUnit).where(RiskUnit.code == code)) is None:
            unit = RiskUnit(code=code, name=name, kind=kind)
            session.add(unit)
            created.append(unit)
    session.flush()
    return created


def create_unit(
    session: Session, *, code: str, name: str, kind: UnitKind | str, district: str | None = None
) -> RiskUnit:
    """A patrol unit, department or secretariat."""
    code = code.strip()
    if not code or session.scalar(select(RiskUnit).where(RiskUnit.code == code)) is not None:
        raise RiskPointError(f"มีหน่วยรหัส {code} อยู่แล้ว หรือรหัสว่าง")
    if district and district not in DISTRICTS:
        raise RiskPointError(f"ไม่รู้จักเขต {district}")
    unit = RiskUnit(code=code, name=name.strip()[:200], kind=UnitKind(kind), district=district or None)
    session.add(unit)
    session.flush()
    return unit


def bind_unit(session: Session, unit: RiskUnit, chat: Chat | None) -> None:
    """Bind a unit to a registered LINE group (None unbinds it)."""
    if chat is not None and not chat.is_registered:
        raise RiskPointError("กลุ่มนี้ยังไม่ได้ลงทะเบียน พิมพ์ “ลงทะเบียนกลุ่ม รหัส” ในกลุ่มก่อน")
    unit.chat_id = chat.id if chat else None


def registered_groups(session: Session, purposes: Iterable[str] = ("patrol", "department")) -> list[Chat]:
    """Registered groups that may be bound to units."""
    query = select(Chat).where(Chat.registered_at.is_not(None), Chat.purpose.in_(list(purposes))).order_by(Chat.name)
    return list(session.scalars(query))


def find_unit(session: Session, text: str, kind: UnitKind | None = None) -> RiskUnit | None:
    """A unit by code or exact name."""
    query = select(RiskUnit).where((RiskUnit.code == text.strip()) | (RiskUnit.name == text.strip()))
    if kind is not None:
        query = query.where(RiskUnit.kind == kind)
    return session.scalars(query).first()


# --- the point registry ------------------------------------------------------------------------------


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


def _number(value: Any, kind: type) -> Any:
    text = str(value).strip().replace(",", "")
    return kind(float(text)) if kind is int else kind(text)


def _flag(value: Any) -> bool | None:
    text = str(value if value is not None else "").strip().lower()
    if text in YES:
        return True
    if text in NO:
        return None if text == "" else False
    raise ValueError(text)


def _kind(value: str) -> str | None:
    text = value.strip()
    if text in POINT_KINDS:
        return text
    return next((code for code, label in POINT_KINDS.items() if label == text or text in label.split()), None)


def _cameras(value: str) -> list[tuple[str, str]]:
    """'CAM-1: สำนักการจราจรและขนส่ง; CAM-2: ...' as (camera id, owner agency) pairs."""
    pairs = []
    for part in filter(None, (p.strip() for p in re.split(r"[;\n]", value or ""))):
        code, _, agency = part.partition(":")
        pairs.append((code.strip(), agency.strip()))
    return pairs


def validate_point(
    session: Session, values: dict[str, Any], *, existing: RiskPoint | None = None
) -> list[tuple[str, str]]:
    """Check one point's values; return (field, Thai message) for every problem."""
    problems: list[tuple[str, str]] = []
    for name in REQUIRED_FIELDS:
        if values.get(name) in (None, ""):
            problems.append((name, "ต้องกรอก"))
    code = str(values.get("code") or "").strip().upper()
    if code and not CODE.match(code):
        problems.append(("code", f"รหัส “{code}” ต้องเป็นรูปแบบ RP-0012"))
    district = str(values.get("district") or "").strip().removeprefix("เขต")
    if district and district not in DISTRICTS:
        problems.append(("district", f"ไม่รู้จักเขต “{district}”"))
    for name, (low, high) in (("latitude", LAT_RANGE), ("longitude", LNG_RANGE)):
        if values.get(name) in (None, ""):
            continue
        try:
            number = _number(values[name], float)
        except ValueError:
            problems.append((name, f"“{values[name]}” ไม่ใช่ตัวเลข"))
            continue
        if not low <= number <= high:
            problems.append((name, f"{number} อยู่นอกกรุงเทพมหานคร (ต้องอยู่ระหว่าง {low}–{high})"))
    if values.get("kind") and _kind(str(values["kind"])) is None:
        problems.append(("kind", f"ไม่รู้จักประเภท “{values['kind']}”"))
    for name, low, high in (("radius_m", 10, 1000), ("required_patrols", 1, 6)):
        if values.get(name) in (None, ""):
            continue
        try:
            number = _number(values[name], int)
        except ValueError:
            problems.append((name, f"“{values[name]}” ไม่ใช่ตัวเลข"))
            continue
        if not low <= number <= high:
            problems.append((name, f"ต้องอยู่ระหว่าง {low}–{high}"))
    try:
        _flag(values.get("photo_required"))
    except ValueError:
        problems.append(("photo_required", "ใส่ได้เฉพาะ ใช่ / ไม่ (หรือเว้นว่าง)"))
    unit = str(values.get("patrol_unit") or "").strip()
    if unit and find_unit(session, unit, UnitKind.PATROL) is None:
        problems.append(("patrol_unit", f"ไม่พบหน่วยสายตรวจ “{unit}”"))
    for camera, agency in _cameras(str(values.get("cameras") or "")):
        if not CAMERA_CODE.match(camera):
            problems.append(("cameras", f"รหัสกล้อง “{camera}” ไม่ถูกต้อง"))
        elif not agency:
            problems.append(("cameras", f"กล้อง {camera} ต้องระบุหน่วยงานเจ้าของ เช่น {camera}: สำนักการจราจรและขนส่ง"))
        else:
            other = session.scalar(select(RiskCamera).where(RiskCamera.code == camera))
            if other is not None and (existing is None or other.point_id != existing.id):
                problems.append(("cameras", f"กล้อง {camera} เป็นของจุดอื่นอยู่แล้ว"))
    return problems


def apply_point(session: Session, values: dict[str, Any], *, point: RiskPoint | None = None) -> RiskPoint:
    """Create or update a point from validated values (and add or update its cameras)."""
    creating = point is None
    if point is None:
        point = RiskPoint(code=str(values["code"]).strip().upper(), active_from=today())
        session.add(point)
    point.name = str(values["name"]).strip()[:200]
    point.district = str(values["district"]).strip().removeprefix("เขต")
    point.subdistrict = str(values.get("subdistrict") or "").strip() or None
    point.latitude = _number(values["latitude"], float)
    point.longitude = _number(values["longitude"], float)
    point.kind = _kind(str(values["kind"])) or "other"
    point.radius_m = _number(values["radius_m"], int) if values.get("radius_m") not in (None, "") else None
    point.required_patrols = (
        _number(values["required_patrols"], int) if values.get("required_patrols") not in (None, "") else 2
    )
    point.photo_required = _flag(values.get("photo_required"))
    if values.get("active_from"):
        started = values["active_from"]
        point.active_from = started if isinstance(started, date) else date.fromisoformat(str(started)[:10])
    unit = str(values.get("patrol_unit") or "").strip()
    point.patrol_unit_id = find_unit(session, unit, UnitKind.PATROL).id if unit else None
    session.flush()
    for code, agency in _cameras(str(values.get("cameras") or "")):
        camera = session.scalar(select(RiskCamera).where(RiskCamera.code == code))
        if camera is None:
            session.add(
                RiskCamera(
                    point_id=point.id,
                    code=code,
                    owner_agency=agency[:200],
                    active_from=point.active_from if creating else today(),
                )
            )
        else:
            camera.owner_agency, camera.retired_on = agency[:200], None
    session.flush()
    session.refresh(point)
    return point


def save_point(session: Session, values: dict[str, Any], *, point: RiskPoint | None = None) -> RiskPoint:
    """Create or edit one point from a form; RiskPointError lists every problem."""
    if point is None and session.scalar(select(RiskPoint).where(RiskPoint.code == str(values.get("code", "")).upper())):
        raise RiskPointError(f"มีจุดรหัส {str(values['code']).upper()} อยู่แล้ว")
    if point is not None:
        values = {**values, "code": point.code}
    problems = validate_point(session, values, existing=point)
    if problems:
        raise RiskPointError("; ".join(f"{FIELD_LABELS.get(f, f)}: {m}" for f, m in problems))
    return apply_point(session, values, point=point)


def retire_point(session: Session, point: RiskPoint, on: date | None = None) -> None:
    """Stop patrolling a point from a day on (its history stays)."""
    point.retired_on = on or today()
    for camera in point.cameras:
        camera.retired_on = camera.retired_on or point.retired_on


def reinstate_point(session: Session, point: RiskPoint) -> None:
    """Patrol a retired point again."""
    point.retired_on = None


def read_table(data: bytes, filename: str) -> list[dict[str, Any]]:
    """The rows of a CSV or XLSX file as dicts keyed by the fields the headers name (unknown headers dropped)."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = [list(row) for row in book.active.iter_rows(values_only=True)]
        book.close()
    else:
        text = data.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
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
        for camera, _ in _cameras(str(values.get("cameras") or "")):
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
    header += ["หน่วยสายตรวจ", "ตรวจต่อวัน", "ต้องมีรูป", "กล้อง"]
    example = ["RP-0001", "ซอยตัวอย่าง 5 หน้าร้านสะดวกซื้อ", "บางรัก", "สี่พระยา", "13.7291", "100.5215"]
    example += ["dark_spot", "100", "", "2", "ไม่", "CAM-0001: สำนักการจราจรและขนส่ง"]
    out = io.StringIO()
    csv.writer(out).writerows([header, example])
    return out.getvalue().encode("utf-8-sig")


# --- statistics, centre checks, orders ----------------------------------------------------------------


def save_crime_stat(
    session: Session,
    *,
    year: int,
    month: int,
    crime_type: str,
    cases: int,
    point_code: str | None = None,
    area: str | None = None,
    district: str | None = None,
    station: str | None = None,
    by: str,
) -> CrimeStat:
    """Enter (or correct) one month's case count of a crime type at a point or in an area."""
    year = year - 543 if year > 2400 else year
    if not 1 <= month <= 12 or cases < 0 or not crime_type.strip():
        raise RiskPointError("เดือน ประเภทคดี หรือจำนวนคดีไม่ถูกต้อง")
    point = None
    if point_code:
        point = session.scalar(select(RiskPoint).where(RiskPoint.code == point_code.strip().upper()))
        if point is None:
            raise RiskPointError(f"ไม่พบจุด {point_code}")
    elif not (area or "").strip():
        raise RiskPointError("ต้องระบุจุดหรือพื้นที่")
    scope = f"point:{point.code}" if point else f"area:{area.strip()}"
    row = session.scalar(
        select(CrimeStat).where(
            CrimeStat.year == year,
            CrimeStat.month == month,
            CrimeStat.scope == scope,
            CrimeStat.crime_type == crime_type,
        )
    )
    if row is None:
        row = CrimeStat(year=year, month=month, scope=scope, crime_type=crime_type.strip()[:60], cases=cases)
        session.add(row)
    row.cases, row.point_id, row.area = cases, point.id if point else None, None if point else area.strip()[:100]
    row.district = point.district if point else district
    row.station, row.entered_by, row.entered_at = station, by, utcnow()
    session.flush()
    return row


def import_crime_stats(session: Session, data: bytes, filename: str, *, by: str) -> ImportResult:
    """Import monthly case counts (columns: year, month, point or area, district, crime_type, cases, station)."""
    result = ImportResult()
    names = {
        "ปี": "year",
        "เดือน": "month",
        "จุด": "point",
        "พื้นที่": "area",
        "เขต": "district",
        "ประเภทคดี": "crime_type",
        "จำนวนคดี": "cases",
        "สถานีตำรวจ": "station",
    }
    try:
        if filename.lower().endswith(".xlsx"):
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            raw = [list(r) for r in book.active.iter_rows(values_only=True)]
            book.close()
        else:
            raw = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    except Exception as exc:
        result.errors.append(RowError(1, "-", f"อ่านไฟล์ไม่ได้ ({type(exc).__name__})"))
        return result
    if not raw:
        result.errors.append(RowError(1, "-", "ไฟล์ว่าง"))
        return result
    header = [names.get(str(c or "").strip(), str(c or "").strip().lower()) for c in raw[0]]
    parsed = []
    for number, row in enumerate(raw[1:], start=2):
        values = {h: ("" if c is None else str(c).strip()) for h, c in zip(header, row, strict=False)}
        if not any(values.values()):
            continue
        try:
            item = {
                "year": int(float(values.get("year") or 0)),
                "month": int(float(values.get("month") or 0)),
                "cases": int(float(values.get("cases") or -1)),
            }
        except ValueError:
            result.errors.append(RowError(number, "-", "ปี เดือน และจำนวนคดีต้องเป็นตัวเลข"))
            continue
        item.update(
            point_code=values.get("point") or None,
            area=values.get("area") or None,
            district=values.get("district") or None,
            crime_type=values.get("crime_type") or "",
            station=values.get("station") or None,
        )
        parsed.append((number, item))
    if result.errors:
        return result
    try:
        with session.begin_nested():
            for number, item in parsed:
                try:
                    save_crime_stat(session, by=by, **item)
                except RiskPointError as exc:
                    result.errors.append(RowError(number, "-", str(exc)))
            if result.errors:
                raise RiskPointError("rolled back")
    except RiskPointError:
        return result
    result.created = [str(n) for n, _ in parsed]
    return result


def centre_camera_check(
    session: Session, camera: RiskCamera, status: CameraStatus, *, by: str, note: str | None = None, at: datetime | None
) -> tuple:
    """The monitoring centre's daily check of a camera, entered in the admin web."""
    return ops.record_camera_check(
        session,
        camera,
        status,
        at or utcnow(),
        outbox(session, "riskpoints:camera"),
        method="centre",
        staff=by,
        note=note,
    )


def photo_path(session: Session, media_id: int | None) -> str | None:
    """The stored, metadata-free copy of a photo, relative to MEDIA_DIR (None until downloaded)."""
    media = session.get(MediaFile, media_id) if media_id else None
    if media is None:
        return None
    return media.shown_path or media.path


def bangkok_midnight(day: date) -> datetime:
    """The first instant of a Bangkok day."""
    return datetime.combine(day, datetime.min.time(), BANGKOK)
