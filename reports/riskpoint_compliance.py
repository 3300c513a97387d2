"""The risk-point KPI: compliance for any day, month, quarter or fiscal year, per point, district or office.

Pure functions of the session and a span of Bangkok days. Patrols and camera checks done are read from each
point's days (rp_point_days, models/point_days.py: distinct rounds and in-service cameras checked per point-day,
kept exactly in step with the raw checks in the same transaction as every write), one range scan of days
for both parts, so a city-year (10,000 points) costs one pass over its point-days, never the raw checks.
What is required (days a point or camera was in service) is computed from the few registry rows.

- patrols: per point and patrol day in service, the distinct rounds visited, capped at the point's requirement;
- cameras: per camera and day in service (the point's and the camera's), at least one check, so done and
  required count the same days and done never exceeds required (check_within_required refuses any result where it does);
- defects: opened in the span and fixed by its end, fixed in the span and the days they took;
- month reports: for each month that ends in the span, each active patrol unit and department
  submitted on time: strictly before the month's one deadline (models/deadlines.py: the due day of the
  next month at the compile time, moved back over weekends and holidays), when the clock freezes the report.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from models import Defect, MonthlySubmission, PointDay, RiskCamera, RiskPoint, RiskUnit, UnitKind
from models.deadlines import DeadlineRule, on_time
from models.periods import Period
from models.timeutil import BANGKOK

OFFICE = "office"


class ComplianceInvariantError(RuntimeError):
    """A KPI part counted more done than required: done and required were counted over different days."""


# Each part's done and required, as Compliance attribute names (reports: on time and late both count as done).
PARTS = {
    "patrols": (("patrols_done",), "patrols_required"),
    "cameras": (("cameras_done",), "cameras_required"),
    "defects": (("defects_fixed",), "defects_opened"),
    "reports": (("reports_on_time", "reports_late"), "reports_expected"),
}


def _percent(done: int | float, required: int | float) -> float | None:
    return None if not required else round(100.0 * done / required, 2)


@dataclass
class Compliance:
    """The KPI's parts for one point, district or the whole office over a span."""

    patrols_done: int = 0
    patrols_required: int = 0
    cameras_done: int = 0
    cameras_required: int = 0
    defects_opened: int = 0
    defects_fixed: int = 0  # of those opened in the span, fixed by its end
    fixed_in_span: int = 0  # fixed in the span, whenever they were opened
    open_at_end: int = 0
    days_to_fix: list[float] = field(default_factory=list)
    reports_expected: int = 0
    reports_on_time: int = 0
    reports_late: int = 0

    @property
    def patrol_percent(self) -> float | None:
        """Patrols done against required, in percent (None when nothing was required)."""
        return _percent(self.patrols_done, self.patrols_required)

    @property
    def camera_percent(self) -> float | None:
        """Camera checks done against required, in percent."""
        return _percent(self.cameras_done, self.cameras_required)

    @property
    def defect_percent(self) -> float | None:
        """Defects opened in the span that were fixed by its end, in percent."""
        return _percent(self.defects_fixed, self.defects_opened)

    @property
    def report_percent(self) -> float | None:
        """Month reports submitted on time, in percent."""
        return _percent(self.reports_on_time, self.reports_expected)

    @property
    def avg_days_to_fix(self) -> float | None:
        """Average days from opening to fixing, of the defects fixed in the span."""
        return round(sum(self.days_to_fix) / len(self.days_to_fix), 2) if self.days_to_fix else None

    @property
    def max_days_to_fix(self) -> float | None:
        """The longest fix among the defects fixed in the span, in days."""
        return round(max(self.days_to_fix), 2) if self.days_to_fix else None

    @property
    def overall_percent(self) -> float | None:
        """The KPI: the mean of the parts that apply (target 100)."""
        parts = [
            p
            for p in (self.patrol_percent, self.camera_percent, self.defect_percent, self.report_percent)
            if p is not None
        ]
        return round(sum(parts) / len(parts), 2) if parts else None

    def as_dict(self) -> dict:
        """Every figure and percentage, JSON-ready."""
        return {
            "patrols_done": self.patrols_done,
            "patrols_required": self.patrols_required,
            "patrol_percent": self.patrol_percent,
            "cameras_done": self.cameras_done,
            "cameras_required": self.cameras_required,
            "camera_percent": self.camera_percent,
            "defects_opened": self.defects_opened,
            "defects_fixed": self.defects_fixed,
            "defect_percent": self.defect_percent,
            "fixed_in_span": self.fixed_in_span,
            "open_at_end": self.open_at_end,
            "avg_days_to_fix": self.avg_days_to_fix,
            "max_days_to_fix": self.max_days_to_fix,
            "reports_expected": self.reports_expected,
            "reports_on_time": self.reports_on_time,
            "reports_late": self.reports_late,
            "report_percent": self.report_percent,
            "overall_percent": self.overall_percent,
        }


def check_within_required(result: dict) -> dict:
    """Refuse a result where any part of any key counts more done than required (never drop a part silently)."""
    for key, entry in result.items():
        for part, (done_names, required_name) in PARTS.items():
            done, required = sum(getattr(entry, n) for n in done_names), getattr(entry, required_name)
            if done > required:
                raise ComplianceInvariantError(f"{key}: {part} done {done} > required {required}")
    return result


def _in_service(day, *spans) -> list:
    """SQL: the day lies in every [start, retirement) given as (start column, retirement column) pairs."""
    clauses = []
    for start, retired in spans:
        clauses += [start <= day, or_(retired.is_(None), day < retired)]
    return clauses


def _overlap_days(span: Period, start: date, stop: date | None) -> int:
    """Days of the span in [start, stop) (stop None: still in service)."""
    first = max(span.first, start)
    last = span.last if stop is None else min(span.last, stop - timedelta(days=1))
    return max(0, (last - first).days + 1)


def _key(level: str, point_id, district):
    return point_id if level == "point" else district if level == "district" else OFFICE


def _compute(session: Session, span: Period, level: str, district: str | None, as_of: date | None) -> dict:
    """The compliance of every point, district or the office (level) over a span."""
    result: dict = defaultdict(Compliance)
    points = select(
        RiskPoint.id, RiskPoint.district, RiskPoint.required_patrols, RiskPoint.active_from, RiskPoint.retired_on
    )
    if district is not None:
        points = points.where(RiskPoint.district == district)
    point_rows = session.execute(points).all()
    point_district = {row.id: row.district for row in point_rows}
    for row in point_rows:
        result[_key(level, row.id, row.district)]  # every point (or district) appears, even with nothing done
    elapsed = span.clipped(as_of)
    if elapsed is not None:
        _patrols(session, elapsed, level, district, point_rows, result)
        _cameras(session, elapsed, level, district, point_rows, result)
        _done(session, elapsed, level, district, result)
    _defects(session, span, level, district, point_district, result)
    if level != "point":
        _reports(session, span, level, district, as_of, result)
    return check_within_required(dict(result))


def _patrols(session, span: Period, level, district, point_rows, result) -> None:
    """Patrols required: each point's days in service in the span times its requirement."""
    for row in point_rows:
        days = _overlap_days(span, row.active_from, row.retired_on)
        result[_key(level, row.id, row.district)].patrols_required += days * row.required_patrols


def _cameras(session, span: Period, level, district, point_rows, result) -> None:
    """Camera checks required: each camera's days in service (its own and its point's) in the span."""
    points = {row.id: row for row in point_rows}
    for camera in session.execute(select(RiskCamera.point_id, RiskCamera.active_from, RiskCamera.retired_on)):
        point = points.get(camera.point_id)
        if point is None:
            continue
        start = max(point.active_from, camera.active_from)
        stops = [d for d in (point.retired_on, camera.retired_on) if d is not None]
        days = _overlap_days(span, start, min(stops) if stops else None)
        result[_key(level, point.id, point.district)].cameras_required += days


def _done(session, span: Period, level, district, result) -> None:
    """Patrols and camera checks done, from each point's days (models/point_days.py) while the point was in service.

    A day's distinct rounds are capped at the point's requirement; its cameras were counted only while in service.
    """
    capped = case((PointDay.rounds < RiskPoint.required_patrols, PointDay.rounds), else_=RiskPoint.required_patrols)
    key_column = {"point": RiskPoint.id, "district": RiskPoint.district}.get(level)
    columns = [key_column] if key_column is not None else []
    query = (
        select(*columns, func.sum(capped), func.sum(PointDay.cameras))
        .select_from(PointDay)
        .join(RiskPoint, RiskPoint.id == PointDay.point_id)
        .where(PointDay.day.between(span.first, span.last))
        .where(*_in_service(PointDay.day, (RiskPoint.active_from, RiskPoint.retired_on)))
    )
    if district is not None:
        query = query.where(RiskPoint.district == district)
    if columns:
        query = query.group_by(*columns)
    for row in session.execute(query):
        entry = result[row[0] if columns else OFFICE]
        entry.patrols_done += int(row[-2] or 0)
        entry.cameras_done += int(row[-1] or 0)


def _defects(session, span: Period, level, district, point_district, result) -> None:
    starts, ends = span.starts, span.ends
    query = select(Defect.point_id, Defect.opened_at, Defect.closed_at).where(
        Defect.opened_at < ends, (Defect.closed_at.is_(None)) | (Defect.closed_at >= starts)
    )
    if district is not None:
        query = query.join(RiskPoint, RiskPoint.id == Defect.point_id).where(RiskPoint.district == district)
    for point_id, opened, closed in session.execute(query):
        if point_id not in point_district:
            continue
        entry = result[_key(level, point_id, point_district[point_id])]
        closed_by_end = closed is not None and closed < ends
        if opened >= starts:
            entry.defects_opened += 1
            entry.defects_fixed += int(closed_by_end)
        if closed_by_end and closed >= starts:
            entry.fixed_in_span += 1
            entry.days_to_fix.append((closed - opened).total_seconds() / 86400)
        if not closed_by_end:
            entry.open_at_end += 1


def months_ending_in(span: Period) -> list[tuple[int, int]]:
    """The (year, month) pairs whose last day lies in the span."""
    months, cursor = [], date(span.first.year, span.first.month, 1)
    while cursor <= span.last:
        last = Period.of_month(cursor.year, cursor.month).last
        if span.first <= last <= span.last:
            months.append((cursor.year, cursor.month))
        cursor = last + timedelta(days=1)
    return months


def _reports(session, span: Period, level, district, as_of, result) -> None:
    months = months_ending_in(span)
    rule = DeadlineRule.load(session)
    if as_of is not None:
        cutoff = datetime.combine(as_of + timedelta(days=1), time.min, BANGKOK)
        months = [(y, m) for y, m in months if rule.instant(y, m) <= cutoff]
    if not months:
        return
    units = select(RiskUnit.id, RiskUnit.district).where(
        RiskUnit.is_active, RiskUnit.kind.in_((UnitKind.PATROL, UnitKind.DEPARTMENT))
    )
    if district is not None:
        units = units.where(RiskUnit.district == district)
    unit_district = {row.id: row.district for row in session.execute(units)}
    for unit_district_name in unit_district.values():
        key = OFFICE if level == OFFICE else unit_district_name
        if key is not None:
            result[key].reports_expected += len(months)
    years = {y for y, _ in months}
    submissions = session.execute(
        select(
            MonthlySubmission.unit_id, MonthlySubmission.year, MonthlySubmission.month, MonthlySubmission.submitted_at
        ).where(MonthlySubmission.year.in_(years), MonthlySubmission.unit_id.in_(list(unit_district) or [-1]))
    )
    wanted = set(months)
    for unit_id, year, month, submitted_at in submissions:
        if (year, month) not in wanted:
            continue
        key = OFFICE if level == OFFICE else unit_district[unit_id]
        if key is None:
            continue
        if on_time(submitted_at, rule.instant(year, month)):
            result[key].reports_on_time += 1
        else:
            result[key].reports_late += 1


def compliance(session: Session, span: Period, *, district: str | None = None, as_of: date | None = None) -> Compliance:
    """The whole office's compliance over a span (or one district's); as_of counts only days passed."""
    level = "district" if district is not None else OFFICE
    found = _compute(session, span, level, district, as_of)
    return found.get(district if district is not None else OFFICE, Compliance())


def by_point(
    session: Session, span: Period, *, district: str | None = None, as_of: date | None = None
) -> dict[int, Compliance]:
    """Each point's compliance (by point id); month reports do not apply to points."""
    return _compute(session, span, "point", district, as_of)


def by_district(session: Session, span: Period, *, as_of: date | None = None) -> dict[str, Compliance]:
    """Each district's compliance."""
    return _compute(session, span, "district", None, as_of)
