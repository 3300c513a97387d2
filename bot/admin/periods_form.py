"""One home for the admin's period pickers: read a month, fiscal quarter, fiscal year or day from a query.

People type months every way: ``12/2569``, ``ธ.ค. 2569``, ``ธันวาคม 2569``, ``2569-12``, ``2026-12``, Thai
digits. The parsers here read them all (Buddhist or Common Era, told apart by size) and raise
``PeriodInputError`` with a Thai reason otherwise; the ``*_from`` helpers read a query (a picker sends a
month and its year as two fields, ``month`` and ``month_year``) and give the period asked for, or a
sensible default with the Thai message to show on the page (never a bare 400). The pickers themselves are
macros in ``templates/admin/_macros.html``; ``picker_years`` gives their years. ``key_label`` reads the
clock's period keys (``2569-Q4``, ``2569-12-05T04:00``, ``2569-11:day7``) as Thai.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from bot.admin.blueprint import bp
from models.periods import Period
from models.timeutil import THAI_MONTHS, THAI_MONTHS_ABBR, be_year, fiscal_year, thai_date

FIRST_BE, LAST_BE = 2500, 2700  # years outside are typing mistakes
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_ENGLISH = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_ENGLISH_FULL = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_NOISE = re.compile(r"ปีงบประมาณ|ปีงบ|ไตรมาสที่|ไตรมาส|เดือน|วันที่|พ\.ศ\.|ค\.ศ\.|พศ|คศ|ปี|fy|quarter|q(?=\s*\d)")

MONTH_HINT = "เลือกเดือนและปี พ.ศ. เช่น ธันวาคม 2569 (พิมพ์ 12/2569 หรือ ธ.ค. 2569 ก็ได้)"
QUARTER_HINT = "เลือกไตรมาสที่ 1–4 และปีงบประมาณ พ.ศ. เช่น ไตรมาสที่ 1 ปีงบประมาณ 2570"
YEAR_HINT = "เลือกปีงบประมาณ พ.ศ. เช่น 2569"
DAY_HINT = "พิมพ์วันที่ เช่น 16/12/2569 หรือ 16 ธ.ค. 2569"
UNREADABLE = "อ่าน “{value}” ไม่ได้ กรุณา{hint}"
NO_MONTH = "ไม่มีเดือนที่ {month} (เดือนมี 1–12)"
NO_QUARTER = "ปีงบประมาณมีไตรมาสที่ 1–4 เท่านั้น"
NO_DAY = "“{value}” ไม่มีในปฏิทิน"
OUT_OF_RANGE = "ปี {year} อยู่นอกช่วงที่ระบบรองรับ (พ.ศ. {first}–{last})"
SHOWING = "{reason} จึงแสดง{label} แทน"


class PeriodInputError(ValueError):
    """A period typed or picked that cannot be read; the message is Thai, for the page."""


def _clean(text: str) -> str:
    text = (text or "").translate(_THAI_DIGITS).strip().lower()
    text = re.sub(r"\s*\.\s*", ".", text)  # 'ธ. ค. 2569' -> 'ธ.ค.2569'
    return re.sub(r"\s+", " ", text)


def _month_aliases() -> list[tuple[str, int]]:
    aliases = []
    for number in range(1, 13):
        abbr = THAI_MONTHS_ABBR[number - 1]
        names = {THAI_MONTHS[number - 1], abbr, abbr.replace(".", ""), _ENGLISH[number - 1], _ENGLISH_FULL[number - 1]}
        aliases.extend((name, number) for name in names)
    return sorted(aliases, key=lambda item: -len(item[0]))


_ALIASES = _month_aliases()


def _take_month_name(text: str) -> tuple[int | None, str]:
    """The month named in the text (Thai full or short, English) and the text without it."""
    for alias, number in _ALIASES:
        at = text.find(alias)
        if at >= 0:
            return number, f"{text[:at]} {text[at + len(alias) :]}"
    return None, text


def read_year(digits: str) -> int:
    """A year as its Buddhist Era number: 4 digits BE (above 2400) or CE, 2 digits the BE short form (69)."""
    number = int(digits)
    if len(digits) <= 2:
        number += 2500
    elif number < 2400:
        number += 543
    if not FIRST_BE <= number <= LAST_BE:
        raise PeriodInputError(OUT_OF_RANGE.format(year=digits, first=FIRST_BE, last=LAST_BE))
    return number


def _month(number: int) -> int:
    if not 1 <= number <= 12:
        raise PeriodInputError(NO_MONTH.format(month=number))
    return number


def parse_month(text: str) -> Period:
    """A month from '12/2569', 'ธ.ค. 2569', 'ธันวาคม 2569', '2569-12', '2026-12', '12 2569' (a date: its month)."""
    cleaned = _NOISE.sub(" ", _clean(text)).strip()
    named, rest = _take_month_name(cleaned)
    numbers = re.findall(r"\d+", rest)
    if named is not None and len(numbers) == 1 and not re.sub(r"[\d\s.,/-]", "", rest):
        return Period.of_month(read_year(numbers[0]), named)
    if named is None and len(numbers) == 2 and not re.sub(r"[\d\s./-]", "", rest):
        first, second = numbers
        if len(first) == 4 or (len(first) > 2 and len(second) <= 2):
            return Period.of_month(read_year(first), _month(int(second)))
        if len(first) <= 2:
            return Period.of_month(read_year(second), _month(int(first)))
    if len(numbers) == 3 or (named is not None and len(numbers) == 2):
        return Period.month_of(parse_day(text).first)
    raise PeriodInputError(UNREADABLE.format(value=text.strip(), hint=MONTH_HINT))


def parse_quarter(text: str) -> Period:
    """A fiscal quarter from '2569-Q4', '2569-4', 'Q4/2569', 'ไตรมาสที่ 4 ปีงบประมาณ 2569', '4 2569'."""
    cleaned = _NOISE.sub(" ", _clean(text))
    numbers = re.findall(r"\d+", cleaned)
    if len(numbers) == 2 and not re.sub(r"[\d\s./-]", "", cleaned):
        year, quarter = (numbers[0], numbers[1]) if len(numbers[0]) >= 3 else (numbers[1], numbers[0])
        if len(quarter) > 1 or not 1 <= int(quarter) <= 4:
            raise PeriodInputError(NO_QUARTER)
        return Period.of_quarter(read_year(year), int(quarter))
    raise PeriodInputError(UNREADABLE.format(value=text.strip(), hint=QUARTER_HINT))


def parse_fiscal_year(text: str) -> Period:
    """A fiscal year from '2569', 'ปีงบประมาณ 2569', '2026' (read as BE 2569) or '69'."""
    cleaned = _NOISE.sub(" ", _clean(text)).strip()
    if re.fullmatch(r"\d{2}|\d{4}", cleaned):
        return Period.of_fiscal_year(read_year(cleaned))
    raise PeriodInputError(UNREADABLE.format(value=text.strip(), hint=YEAR_HINT))


def parse_day(text: str) -> Period:
    """A day from '2026-11-16', '2569-11-16', '16/11/2569', '16 พ.ย. 2569' or '16 พฤศจิกายน 2569'."""
    cleaned = _NOISE.sub(" ", _clean(text)).strip()
    named, rest = _take_month_name(cleaned)
    numbers = re.findall(r"\d+", rest)
    if re.sub(r"[\d\s./-]", "", rest) or len(numbers) != (2 if named else 3):
        raise PeriodInputError(UNREADABLE.format(value=text.strip(), hint=DAY_HINT))
    if named:
        (day, year), month = numbers, named
    elif len(numbers[0]) == 4:
        year, month, day = numbers[0], int(numbers[1]), numbers[2]
    else:
        day, month, year = numbers[0], int(numbers[1]), numbers[2]
    be = read_year(year)
    try:
        return Period.of_day(date(be - 543, _month(month), int(day)))
    except ValueError:
        raise PeriodInputError(NO_DAY.format(value=text.strip())) from None


@dataclass(frozen=True)
class PeriodChoice:
    """The period a page shows, and the Thai message when what was asked could not be read."""

    period: Period
    error: str | None = None


def _joined(args: Mapping[str, str], name: str) -> str:
    """The field's text, joined with its picker's year field (name_year) when there is one."""
    value = (args.get(name) or "").strip()
    year = (args.get(f"{name}_year") or "").strip()
    return f"{value} {year}".strip() if year else value


def _choice(text: str, parse, default: Period) -> PeriodChoice:
    if not text:
        return PeriodChoice(default)
    try:
        return PeriodChoice(parse(text))
    except PeriodInputError as error:
        return PeriodChoice(default, SHOWING.format(reason=error, label=heading(default)))


def month_from(args: Mapping[str, str], default: Period, name: str = "month") -> PeriodChoice:
    """The month a query asks for (one text field, or a picker's month and name_year), else the default."""
    value, year = (args.get(name) or "").strip(), (args.get(f"{name}_year") or "").strip()
    if year and value.isdigit() and len(value) <= 2:  # the picker: a month number and a BE year
        value = f"{value}/{year}"
        year = ""
    return _choice(f"{value} {year}".strip(), parse_month, default)


def quarter_from(args: Mapping[str, str], default: Period, name: str = "quarter") -> PeriodChoice:
    """The fiscal quarter a query asks for ('2569-Q1', or a picker's quarter and name_year)."""
    return _choice(_joined(args, name), parse_quarter, default)


def fiscal_year_from(args: Mapping[str, str], default: Period, name: str = "fy") -> PeriodChoice:
    """The fiscal year a query asks for, else the default."""
    return _choice((args.get(name) or "").strip(), parse_fiscal_year, default)


def day_from(args: Mapping[str, str], default: Period, name: str = "day") -> PeriodChoice:
    """The day a query asks for, else the default."""
    return _choice((args.get(name) or "").strip(), parse_day, default)


def heading(period: Period) -> str:
    """A page's heading for a period: 'เดือนธันวาคม 2569', 'ปีงบประมาณ 2569 ไตรมาสที่ 1', 'วันที่ 16 ธันวาคม 2569'."""
    if period.kind == "month":
        return f"เดือน{period.label()}"
    if period.kind == "day":
        return f"วันที่ {thai_date(period.first)}"
    if period.kind == "quarter":
        return f"ปีงบประมาณ {period.fiscal_year} ไตรมาสที่ {period.quarter}"
    if period.kind == "year":
        return f"ปีงบประมาณ {period.fiscal_year}"
    return period.label()


def picker_years(today: date, *, back: int = 5, ahead: int = 1, also: int | None = None) -> list[int]:
    """BE years for a picker, newest first: this fiscal year and ahead, back a few years, and one chosen."""
    current = max(fiscal_year(today), be_year(today))
    years = set(range(current + ahead, current - back - 1, -1))
    if also is not None:
        years.add(also)
    return sorted(years, reverse=True)


QUARTER_MONTHS = ("ต.ค.–ธ.ค.", "ม.ค.–มี.ค.", "เม.ย.–มิ.ย.", "ก.ค.–ก.ย.")


@bp.app_template_global("period_picker_words")
def period_picker_words() -> dict[str, tuple[str, ...]]:
    """What the picker macros list: the Thai months and each fiscal quarter's months."""
    return {"months": THAI_MONTHS, "quarters": QUARTER_MONTHS}


_STEP_NAMES = {"r": "รอบที่ {n}", "day": "(เตือนวันที่ {n})"}


def key_label(key: str) -> str:
    """A clock period key in Thai: '2569-Q4', '2569-12-05T04:00' -> '5 ธ.ค. 2569 04:00 น.'"""
    found = re.fullmatch(r"(\d{4}(?:-Q[1-4]|-\d{2}(?:-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?)?)?)?)(?::(\w+))?", key or "")
    if not found:
        return key
    base, step = found[1], found[2] or ""
    try:
        if match := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}:\d{2})(?::\d{2})?)?", base):
            day = date(int(match[1]) - 543, int(match[2]), int(match[3]))
            label = thai_date(day, short=True) + (f" {match[4]} น." if match[4] else "")
        elif re.fullmatch(r"\d{4}-Q[1-4]", base):
            label = heading(Period.parse_quarter(base))
        elif re.fullmatch(r"\d{4}-\d{2}", base):
            label = heading(Period.parse_month(base))
        elif re.fullmatch(r"\d{4}", base):
            label = f"ปีงบประมาณ {base}"
        else:
            return key
    except ValueError:
        return key
    if step_match := re.fullmatch(r"(r|day)(\d+)", step):
        return f"{label} {_STEP_NAMES[step_match[1]].format(n=int(step_match[2]))}"
    if step.isdigit():
        return f"{label} (ถึง {step}%)"
    return label
