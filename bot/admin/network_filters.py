"""Reading the network pages' filters from a query string (the web and the API share them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from bot.admin import network_texts as nt
from bot.admin import periods_form
from models import MemberStatus, ReportStatus
from models.districts import DISTRICTS
from models.timeutil import BANGKOK, be_year, utcnow

HIDDEN_STATUSES = (ReportStatus.DRAFT, ReportStatus.WITHDRAWN)
STATUS_ALL = "all"
MAX_HOURS = 24 * 366  # ?hours= reaches back at most a year
MEMBER_STATUSES = tuple(status.value for status in MemberStatus)


def parse_day(raw: str | None) -> date | None:
    """A Bangkok date typed as 31/01/2569 (BE) or 31/01/2026, 2569-01-31, 31 ม.ค. 2569; None when blank.

    Read by the admin's one period reader (bot/admin/periods_form.py). Raises ValueError (Thai message) otherwise.
    """
    value = (raw or "").strip()
    if not value:
        return None
    try:
        return periods_form.parse_day(value).first
    except periods_form.PeriodInputError:
        raise ValueError(nt.DATE_INVALID.format(value=value)) from None


def be_day(day: date | None) -> str:
    """A date as the filter shows it back: 31/01/2569 (Buddhist Era), or ''."""
    return f"{day.day:02d}/{day.month:02d}/{be_year(day)}" if day else ""


def day_start(day: date) -> datetime:
    """The first instant of a Bangkok day (aware)."""
    return datetime.combine(day, time.min, BANGKOK)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


@dataclass
class ReportFilters:
    """What the reports inbox is narrowed to; errors hold the Thai messages of unusable values."""

    date_from: date | None = None
    date_to: date | None = None
    district: str | None = None
    category: str | None = None  # a code, or "none" for reports without one
    group: str | None = None  # a chat id, or "direct" for one-to-one reports
    status: str | None = None  # a ReportStatus value, STATUS_ALL, or None for the confirmed ones
    ref: str | None = None
    hours: int | None = None  # only reports received in the last N hours (the home page links ?hours=24)
    now: datetime | None = None  # the instant ?hours= counts back from (read time)
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args: Mapping[str, str], now: datetime | None = None) -> ReportFilters:
        """Read ?from=&to=&district=&category=&group=&status=&ref=&hours= leniently, noting what is wrong."""
        filters = cls(now=now or utcnow())
        hours = (args.get("hours") or "").strip()
        if hours:
            if hours.isdigit() and 0 < int(hours) <= MAX_HOURS:
                filters.hours = int(hours)
            else:
                filters.errors.append(nt.HOURS_INVALID.format(value=hours[:20], most=MAX_HOURS))
        for name, attribute in (("from", "date_from"), ("to", "date_to")):
            try:
                setattr(filters, attribute, parse_day(args.get(name)))
            except ValueError as error:
                filters.errors.append(str(error))
        district = (args.get("district") or "").strip()
        filters.district = district if district in DISTRICTS else None
        filters.category = (args.get("category") or "").strip() or None
        group = (args.get("group") or "").strip()
        filters.group = group if group == "direct" or group.isdigit() else None
        status = (args.get("status") or "").strip()
        valid = {s.value for s in ReportStatus} | {STATUS_ALL}
        if status and status not in valid:
            filters.errors.append(f"สถานะ “{status}” ไม่ถูกต้อง")
        filters.status = status if status in valid else None
        filters.ref = (args.get("ref") or "").strip().upper() or None
        return filters

    def query_args(self) -> dict[str, str]:
        """The filters as query-string arguments (for pagination links), BE dates."""
        pairs = {
            "from": be_day(self.date_from),
            "to": be_day(self.date_to),
            "district": self.district or "",
            "category": self.category or "",
            "group": self.group or "",
            "status": self.status or "",
            "ref": self.ref or "",
            "hours": str(self.hours or ""),
        }
        return {key: value for key, value in pairs.items() if value}

    @property
    def received_since(self) -> datetime | None:
        """The first instant ?hours= keeps (None when not asked)."""
        return (self.now or utcnow()) - timedelta(hours=self.hours) if self.hours else None

    @property
    def ends(self) -> datetime | None:
        """The first instant after the last day asked for."""
        return day_start(self.date_to + timedelta(days=1)) if self.date_to else None


@dataclass
class MemberFilters:
    """What the members list is narrowed to."""

    status: str | None = None
    occupation: str | None = None
    district: str | None = None
    group: int | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> MemberFilters:
        """Read ?status=&occupation=&district=&group= (unknown values are ignored)."""
        status = (args.get("status") or "").strip()
        district = (args.get("district") or "").strip()
        return cls(
            status=status if status in MEMBER_STATUSES else None,
            occupation=(args.get("occupation") or "").strip() or None,
            district=district if district in DISTRICTS else None,
            group=_int(args.get("group")),
        )

    def query_args(self) -> dict[str, str]:
        """The filters as query-string arguments."""
        pairs = {
            "status": self.status or "",
            "occupation": self.occupation or "",
            "district": self.district or "",
            "group": str(self.group or ""),
        }
        return {key: value for key, value in pairs.items() if value}
