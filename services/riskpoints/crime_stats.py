"""Monthly crime case counts at a point or in an area, entered by staff or imported from a spreadsheet."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CrimeStat, RiskPoint
from models.timeutil import ce_year, utcnow
from services.riskpoints.errors import RiskPointError
from services.riskpoints.importing import ImportResult, RowError, read_rows

# Thai column headers of an imported file and the field each fills (other headers are read in lower case).
COLUMNS = {
    "ปี": "year",
    "เดือน": "month",
    "จุด": "point",
    "พื้นที่": "area",
    "เขต": "district",
    "ประเภทคดี": "crime_type",
    "จำนวนคดี": "cases",
    "สถานีตำรวจ": "station",
}


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
    year = ce_year(year)
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
    try:
        raw = read_rows(data, filename)
    except Exception as exc:
        result.errors.append(RowError(1, "-", f"อ่านไฟล์ไม่ได้ ({type(exc).__name__})"))
        return result
    if not raw:
        result.errors.append(RowError(1, "-", "ไฟล์ว่าง"))
        return result
    header = [COLUMNS.get(str(c or "").strip(), str(c or "").strip().lower()) for c in raw[0]]
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
