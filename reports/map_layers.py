"""What the map shows for a day: points with the day's rounds, defects open at its end, recent reports' places.

Every function takes ``districts``: None for every district, else the districts to show (an empty set shows
nothing). Who may see which districts, and whether a report's exact place, is the caller's to decide.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session

from models import Defect, NewsReport, ReportStatus, RiskPoint
from models.periods import Period
from reports.riskpoint_day import PointDay, point_days

NEWS_DAYS = 30  # the reports layer: reports begun in the 30 days up to the day shown
NEWS_LIMIT = 1000  # at most this many reports, newest first
GRID_DEGREES = 0.01  # about 1.1 km: the cell a report falls in, for those who may not see its place
UNSHOWN_REPORTS = (ReportStatus.DRAFT, ReportStatus.WITHDRAWN)


@dataclass(frozen=True)
class MapPoint:
    """A point in service on the day, where it is, and its day."""

    id: int
    code: str
    name: str
    district: str
    latitude: float
    longitude: float
    day: PointDay


@dataclass(frozen=True)
class MapDefect:
    """A defect open at the end of the day, at its point."""

    id: int
    point_id: int
    kind: str
    opened_at: datetime


@dataclass(frozen=True)
class MapReport:
    """A news report with a place."""

    id: int
    ref_no: str | None
    category_code: str | None
    started_at: datetime
    latitude: float
    longitude: float
    place: str | None
    district: str | None


def _within(column, districts: Iterable[str] | None) -> ColumnElement[bool]:
    return true() if districts is None else column.in_(sorted(districts) or [""])


def map_points(session: Session, day: date, *, districts: Iterable[str] | None, as_of: date) -> list[MapPoint]:
    """The points in service on a day, by district and code, each with its rounds and checks (one KPI day)."""
    districts = None if districts is None else frozenset(districts)
    rows = session.execute(
        select(
            RiskPoint.id, RiskPoint.code, RiskPoint.name, RiskPoint.district, RiskPoint.latitude, RiskPoint.longitude
        )
        .where(
            RiskPoint.active_from <= day,
            or_(RiskPoint.retired_on.is_(None), RiskPoint.retired_on > day),
            _within(RiskPoint.district, districts),
        )
        .order_by(RiskPoint.district, RiskPoint.code)
    ).all()
    if not rows:
        return []
    days = point_days(session, day, districts=districts, as_of=as_of)
    empty = PointDay(0, 0, 0, 0, 0, 0)
    return [MapPoint(*row, day=days.get(row.id, empty)) for row in rows]


def open_defects(session: Session, day: date, *, districts: Iterable[str] | None) -> list[MapDefect]:
    """The defects open at the end of a day (the KPI's open_at_end), oldest first."""
    ends = Period.of_day(day).ends
    rows = session.execute(
        select(Defect.id, Defect.point_id, Defect.kind, Defect.opened_at)
        .join(RiskPoint, RiskPoint.id == Defect.point_id)
        .where(
            Defect.opened_at < ends,
            or_(Defect.closed_at.is_(None), Defect.closed_at >= ends),
            _within(RiskPoint.district, districts),
        )
        .order_by(Defect.opened_at, Defect.id)
    ).all()
    return [MapDefect(*row) for row in rows]


def recent_reports(
    session: Session, day: date, *, districts: Iterable[str] | None, days: int = NEWS_DAYS
) -> list[MapReport]:
    """Confirmed reports with a place begun in the `days` days up to a day, newest first (content not removed)."""
    ends = Period.of_day(day).ends
    rows = session.execute(
        select(
            NewsReport.id,
            NewsReport.ref_no,
            NewsReport.category_code,
            NewsReport.started_at,
            NewsReport.latitude,
            NewsReport.longitude,
            NewsReport.place,
            NewsReport.district,
        )
        .where(
            NewsReport.started_at >= ends - timedelta(days=days),
            NewsReport.started_at < ends,
            NewsReport.latitude.is_not(None),
            NewsReport.longitude.is_not(None),
            NewsReport.content_removed_at.is_(None),
            NewsReport.status.not_in(UNSHOWN_REPORTS),
            _within(NewsReport.district, districts),
        )
        .order_by(NewsReport.started_at.desc(), NewsReport.id.desc())
        .limit(NEWS_LIMIT)
    ).all()
    return [MapReport(*row) for row in rows]


def cell_of(latitude: float, longitude: float, grid: float = GRID_DEGREES) -> tuple[float, float]:
    """The centre of the grid cell a position falls in (about 1 km across): a place without its detail."""

    def centre(value: float) -> float:
        return round((math.floor(value / grid) + 0.5) * grid, 6)

    return centre(latitude), centre(longitude)


def coarse_cells(reports: Iterable[MapReport], grid: float = GRID_DEGREES) -> list[tuple[float, float, int]]:
    """How many reports fall in each grid cell: (cell centre latitude, longitude, count), busiest first."""
    counts = Counter(cell_of(r.latitude, r.longitude, grid) for r in reports)
    return [(lat, lng, n) for (lat, lng), n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
