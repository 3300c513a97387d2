"""The register of risk points: check a point's values, create or edit it (with its cameras), retire it."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import RiskCamera, RiskPoint, UnitKind
from models.districts import DISTRICTS
from models.timeutil import ce_year, to_bangkok, utcnow
from services.riskpoints.errors import RiskPointError
from services.riskpoints.units import find_unit
from texts.riskpoints import POINT_KINDS

CODE = re.compile(r"^[A-Z]{2,5}-\d{1,6}$")
THAI_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
CAMERA_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,39}$")
LAT_RANGE, LNG_RANGE = (13.4, 14.2), (100.2, 101.0)  # Bangkok, with a margin
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
    "active_from": "เริ่มตรวจตั้งแต่วันที่",
    "camera_starts": "วันเริ่มตรวจกล้อง",
}
YES = {"1", "true", "yes", "y", "ใช่", "ต้อง", "ต้องมี"}
NO = {"", "0", "false", "no", "n", "ไม่", "ไม่ต้อง", "ไม่ใช่"}


def today() -> date:
    """Today in Bangkok."""
    return to_bangkok(utcnow()).date()


def _number(value: Any, kind: type) -> Any:
    text = str(value).strip().replace(",", "")
    return kind(float(text)) if kind is int else kind(text)


def _range_problem(values: dict[str, Any], name: str, kind: type, low: float, high: float, outside: str) -> str | None:
    """What is wrong with an optional number field: not a number, or outside low–high (``outside`` names it)."""
    if values.get(name) in (None, ""):
        return None
    try:
        number = _number(values[name], kind)
    except ValueError:
        return f"“{values[name]}” ไม่ใช่ตัวเลข"
    if not low <= number <= high:
        return outside.format(number=number, low=low, high=high)
    return None


def day_of(value: Any) -> date:
    """A day from a date, a datetime, ISO text (2026-11-01) or day/month/year in either era (1/11/2569)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if match := THAI_DAY.match(text):
        day, month, year = (int(part) for part in match.groups())
        return date(ce_year(year), month, day)
    return date.fromisoformat(text[:10])


def _day_problem(value: Any) -> bool:
    try:
        day_of(value)
    except ValueError:
        return True
    return False


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


def cameras_of(value: str) -> list[tuple[str, str]]:
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
        outside = "{number} อยู่นอกกรุงเทพมหานคร (ต้องอยู่ระหว่าง {low}–{high})"
        if problem := _range_problem(values, name, float, low, high, outside):
            problems.append((name, problem))
    if values.get("kind") and _kind(str(values["kind"])) is None:
        problems.append(("kind", f"ไม่รู้จักประเภท “{values['kind']}”"))
    for name, low, high in (("radius_m", 10, 1000), ("required_patrols", 1, 6)):
        if problem := _range_problem(values, name, int, low, high, "ต้องอยู่ระหว่าง {low}–{high}"):
            problems.append((name, problem))
    try:
        _flag(values.get("photo_required"))
    except ValueError:
        problems.append(("photo_required", "ใส่ได้เฉพาะ ใช่ / ไม่ (หรือเว้นว่าง)"))
    unit = str(values.get("patrol_unit") or "").strip()
    if unit and find_unit(session, unit, UnitKind.PATROL) is None:
        problems.append(("patrol_unit", f"ไม่พบหน่วยสายตรวจ “{unit}”"))
    for camera, agency in cameras_of(str(values.get("cameras") or "")):
        if not CAMERA_CODE.match(camera):
            problems.append(("cameras", f"รหัสกล้อง “{camera}” ไม่ถูกต้อง"))
        elif not agency:
            problems.append(("cameras", f"กล้อง {camera} ต้องระบุหน่วยงานเจ้าของ เช่น {camera}: สำนักการจราจรและขนส่ง"))
        else:
            other = session.scalar(select(RiskCamera).where(RiskCamera.code == camera))
            if other is not None and (existing is None or other.point_id != existing.id):
                problems.append(("cameras", f"กล้อง {camera} เป็นของจุดอื่นอยู่แล้ว"))
    if values.get("active_from") not in (None, "") and _day_problem(values["active_from"]):
        problems.append(("active_from", f"“{values['active_from']}” ไม่ใช่วันที่"))
    for camera, started in (values.get("camera_starts") or {}).items():
        if started in (None, "") or _day_problem(started):
            problems.append(("camera_starts", f"วันเริ่มตรวจของกล้อง {camera} “{started}” ไม่ใช่วันที่"))
    return problems


def _move_cameras(point: RiskPoint, old_start: date | None, starts: dict[str, Any]) -> None:
    """Cameras that started with the point move with its start; a camera start given on its own is kept."""
    for camera in point.cameras:
        given = starts.get(camera.code)
        if given not in (None, "") and day_of(given) != camera.active_from:
            camera.active_from = day_of(given)  # changed on its own in the form
        elif old_start is not None and camera.active_from == old_start:
            camera.active_from = point.active_from


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
    old_start = None if creating else point.active_from
    if values.get("active_from"):
        point.active_from = day_of(values["active_from"])
    if not creating:
        _move_cameras(point, old_start, values.get("camera_starts") or {})
    unit = str(values.get("patrol_unit") or "").strip()
    point.patrol_unit_id = find_unit(session, unit, UnitKind.PATROL).id if unit else None
    session.flush()
    for code, agency in cameras_of(str(values.get("cameras") or "")):
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
