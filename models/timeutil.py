"""Time helpers: aware UTC storage, Bangkok display, Buddhist Era and fiscal years."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")
_BE_OFFSET = 543

THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
THAI_MONTHS_ABBR = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def from_line_ms(ms: int | float | None) -> datetime | None:
    """Convert a LINE millisecond timestamp to an aware UTC datetime."""
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC)


def to_bangkok(moment: datetime) -> datetime:
    """Convert an aware datetime to Bangkok local time."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(BANGKOK)


def be_year(day: date) -> int:
    """Return the Buddhist Era year of a date."""
    return to_be(day.year)


def to_be(year: int) -> int:
    """Return the Buddhist Era number of a Common Era year."""
    return year + _BE_OFFSET


def from_be(year: int) -> int:
    """Return the Common Era number of a Buddhist Era year."""
    return year - _BE_OFFSET


def ce_year(year: int) -> int:
    """Return the Common Era number of a year typed in either era (above 2400 means Buddhist Era)."""
    return from_be(year) if year > 2400 else year


def thai_date(day: date | datetime, *, short: bool = False) -> str:
    """Format a date in Thai with the Buddhist Era year, e.g. 22 พฤศจิกายน 2569."""
    if isinstance(day, datetime):
        day = to_bangkok(day).date()
    months = THAI_MONTHS_ABBR if short else THAI_MONTHS
    return f"{day.day} {months[day.month - 1]} {be_year(day)}"


THAI_WEEKDAYS = ("จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์")


def thai_long_date(day: date | datetime) -> str:
    """A date with its weekday, e.g. 'วันศุกร์ที่ 4 ธันวาคม 2569' (a datetime is read in Bangkok time)."""
    if isinstance(day, datetime):
        day = to_bangkok(day).date()
    return f"วัน{THAI_WEEKDAYS[day.weekday()]}ที่ {thai_date(day)}"


def thai_datetime(moment: datetime, *, short: bool = True) -> str:
    """Format an aware datetime in Bangkok time, e.g. 22 พ.ย. 2569 14:05 น."""
    local = to_bangkok(moment)
    return f"{thai_date(local.date(), short=short)} {local:%H:%M} น."


def fiscal_year(day: date) -> int:
    """Return the fiscal year (named by its ending BE year) a date falls in."""
    return be_year(day) + (1 if day.month >= 10 else 0)


def fiscal_quarter(day: date) -> int:
    """Return the fiscal quarter (1 = October to December) a date falls in."""
    return (day.month - 10) % 12 // 3 + 1


def fiscal_year_bounds(fy_be: int) -> tuple[date, date]:
    """Return the first and last day of a fiscal year named by its BE year."""
    ce = from_be(fy_be)
    return date(ce - 1, 10, 1), date(ce, 9, 30)
