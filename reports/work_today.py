"""What waits for the secretariat today: the admin home's numbers, each the row count of the list it links to.

Pure queries of the session, a district scope (None: every district) and ``now``; the web home, the API or
LINE call them alike. Each rule that a list also filters by lives here once, as a SQL condition:

- ``recent_reports_clause(now, hours)``: news reports received in the last hours (the reports list's ``hours=``);
- ``unpatrolled_clause(session, now)``: points with no check-in in the round under way (the board's
  ``show=unpatrolled``);
- ``broken_camera_clause(session, today)``: points with a camera in service whose latest check says broken
  (the board's ``show=broken``);
- ``overdue_clause(now)``: open defects whose work order is still not closed more than ``ORDER_DAYS_ALLOWED``
  days after it was made, the month report's rule (the defects list's ``overdue=1``);
- ``awaiting_ack_clause()``: forwards some agency has not acknowledged (the forwards list's ``awaiting=1``).

Inbox and outbox rules belong to the transport: the caller passes their conditions (``inbox_where``,
``undelivered_where``), so the count here is the count of the caller's own list. The month's LINE quota is
runtime's (``runtime.quota.current_state``), which reports may not import: the caller reads it beside these.
"""

from __future__ import annotations

import time
from collections.abc import Collection, MutableMapping
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, false, func, select, true
from sqlalchemy.orm import Session

from models import (
    CameraCheck,
    CameraStatus,
    Defect,
    DefectStatus,
    InboxEvent,
    InboxStatus,
    NewsReport,
    OutgoingMessage,
    PatrolCheck,
    RiskCamera,
    RiskPoint,
    WorkOrder,
)
from models.periods import Period
from models.settings import get_setting
from models.timeutil import fiscal_quarter, fiscal_year, to_bangkok
from models.workgroup import Forward, ForwardRecipient
from reports import riskpoint_compliance as rc
from reports import riskpoint_rounds as rounds
from reports.network_kpi import COUNTED_REPORTS
from reports.riskpoint_month_details import ORDER_OVERDUE_DAYS

RECENT_HOURS = 24
# A work order is overdue when it is still not closed this many days after it was made (the month report's).
ORDER_DAYS_ALLOWED = ORDER_OVERDUE_DAYS

# The tiles, by name; a caller asks only for those the user may see.
TILES = (
    "reports",
    "unpatrolled",
    "broken_cameras",
    "overdue_orders",
    "unacknowledged",
    "undelivered",
    "failed_events",
    "parked_events",
)


def _district_scope(column, districts: Collection[str] | None) -> ColumnElement[bool]:
    """The rows of the districts given (None: every district; empty: none)."""
    if districts is None:
        return true()
    if not districts:
        return false()
    return column.in_(sorted(districts))


def recent_reports_clause(now: datetime, hours: int = RECENT_HOURS) -> ColumnElement[bool]:
    """News reports received in the last hours before now, of the statuses the reports list shows by default."""
    return and_(NewsReport.started_at >= now - timedelta(hours=hours), NewsReport.status.in_(COUNTED_REPORTS))


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    """Open defects whose work order is still not closed more than ORDER_DAYS_ALLOWED days after it was made.

    The month report's rule (reports/riskpoint_month_details.py: open more than ORDER_OVERDUE_DAYS days and
    not closed, an order the department marked done included until the patrol confirms it), as of now. A
    condition on ``Defect`` (an EXISTS on its work order), so it applies to any select of defects.
    """
    cutoff = now - timedelta(days=ORDER_DAYS_ALLOWED)
    return and_(
        Defect.status == DefectStatus.OPEN,
        Defect.order.has(and_(WorkOrder.closed_at.is_(None), WorkOrder.created_at < cutoff)),
    )


def current_round(session: Session, now: datetime) -> tuple[date, int]:
    """The patrol day and the round under way now (round 0: outside every window, or the gap rule's day)."""
    if get_setting(session, "riskpoints.round_rule") == "gap":
        return to_bangkok(now).date(), 0
    return rounds.locate(now, get_setting(session, "riskpoints.rounds"))


def unpatrolled_clause(session: Session, now: datetime) -> ColumnElement[bool]:
    """Points with no check-in in the round under way (a condition on ``RiskPoint``).

    Windows rule: no check of the current window on its patrol day (outside every window: none is due).
    Gap rule: no check on today's patrol day within the last ``riskpoints.round_gap_hours``.
    """
    day, number = current_round(session, now)
    visited = select(PatrolCheck.id).where(PatrolCheck.point_id == RiskPoint.id, PatrolCheck.patrol_day == day)
    if get_setting(session, "riskpoints.round_rule") == "gap":
        gap = timedelta(hours=float(get_setting(session, "riskpoints.round_gap_hours")))
        visited = visited.where(PatrolCheck.checked_at >= now - gap)
    elif number == 0:
        return false()
    else:
        visited = visited.where(PatrolCheck.round_no == number)
    return ~exists(visited)


RECENT_CHECK_DAYS = 7  # the latest check of a camera is looked for in these days first (index on day, camera)


def broken_camera_ids(session: Session, today: date) -> set[int]:
    """The cameras in service whose latest check says broken.

    The checks of the last RECENT_CHECK_DAYS days are read through the (check_day, camera_id) index; only the
    cameras with no check in those days are looked up further back, one grouped query for them all.
    """
    active = set(session.scalars(select(RiskCamera.id).where(RiskCamera.retired_on.is_(None))))
    if not active:
        return set()
    latest: dict[int, tuple] = {}
    recent = select(CameraCheck.camera_id, CameraCheck.checked_at, CameraCheck.id, CameraCheck.status).where(
        CameraCheck.check_day >= today - timedelta(days=RECENT_CHECK_DAYS)
    )
    for camera_id, at, check_id, status in session.execute(recent):
        if camera_id in active and (camera_id not in latest or (at, check_id) > latest[camera_id][:2]):
            latest[camera_id] = (at, check_id, status)
    older = sorted(active - set(latest))
    if older:
        last = (
            select(CameraCheck.camera_id, func.max(CameraCheck.checked_at).label("at"))
            .where(CameraCheck.camera_id.in_(older))
            .group_by(CameraCheck.camera_id)
            .subquery()
        )
        rows = session.execute(
            select(CameraCheck.camera_id, CameraCheck.checked_at, CameraCheck.id, CameraCheck.status).join(
                last, and_(CameraCheck.camera_id == last.c.camera_id, CameraCheck.checked_at == last.c.at)
            )
        )
        for camera_id, at, check_id, status in rows:
            if camera_id not in latest or (at, check_id) > latest[camera_id][:2]:
                latest[camera_id] = (at, check_id, status)
    return {camera_id for camera_id, (_, _, status) in latest.items() if status == CameraStatus.BROKEN}


def broken_camera_clause(session: Session, today: date) -> ColumnElement[bool]:
    """Points with a camera in service whose latest check says broken (a condition on ``RiskPoint``)."""
    cameras = sorted(broken_camera_ids(session, today))
    if not cameras:
        return false()
    return RiskPoint.id.in_(select(RiskCamera.point_id).where(RiskCamera.id.in_(cameras)))


def awaiting_ack_clause() -> ColumnElement[bool]:
    """Forwards that some agency has not acknowledged yet (a condition on ``Forward``)."""
    return Forward.recipients.any(ForwardRecipient.acknowledged_at.is_(None))


def on_board() -> ColumnElement[bool]:
    """The points today's board lists: those not retired."""
    return RiskPoint.retired_on.is_(None)


@dataclass(frozen=True)
class WorkToday:
    """The home's numbers; None for a tile the caller did not ask for (the user may not see it)."""

    reports: int | None = None
    unpatrolled: int | None = None
    broken_cameras: int | None = None
    overdue_orders: int | None = None
    unacknowledged: int | None = None
    undelivered: int | None = None
    failed_events: int | None = None
    parked_events: int | None = None
    round_no: int = 0  # the round under way (0: none, or the gap rule)

    def shown(self) -> list[str]:
        """The tiles with a number, in TILES order."""
        return [f.name for f in fields(self) if f.name in TILES and getattr(self, f.name) is not None]


def _count(session: Session, entity, *where) -> int:
    return int(session.scalar(select(func.count()).select_from(entity).where(*where)) or 0)


def work_today(
    session: Session,
    now: datetime,
    districts: Collection[str] | None,
    tiles: Collection[str],
    *,
    inbox_where: ColumnElement[bool] | None = None,
    undelivered_where: ColumnElement[bool] | None = None,
) -> WorkToday:
    """Count each tile asked for, within the districts given (None: every district); one query per tile."""
    found: dict[str, int] = {}
    today = to_bangkok(now).date()
    _, round_no = current_round(session, now)
    points = (on_board(), _district_scope(RiskPoint.district, districts))
    if "reports" in tiles:
        found["reports"] = _count(
            session, NewsReport, recent_reports_clause(now), _district_scope(NewsReport.district, districts)
        )
    if "unpatrolled" in tiles:
        found["unpatrolled"] = _count(session, RiskPoint, *points, unpatrolled_clause(session, now))
    if "broken_cameras" in tiles:
        found["broken_cameras"] = _count(session, RiskPoint, *points, broken_camera_clause(session, today))
    if "overdue_orders" in tiles:
        query = (
            select(func.count())
            .select_from(Defect)
            .join(RiskPoint, RiskPoint.id == Defect.point_id)
            .where(overdue_clause(now), _district_scope(RiskPoint.district, districts))
        )
        found["overdue_orders"] = int(session.scalar(query) or 0)
    if "unacknowledged" in tiles:
        found["unacknowledged"] = _count(session, Forward, awaiting_ack_clause())
    if "undelivered" in tiles and undelivered_where is not None:
        found["undelivered"] = _count(session, OutgoingMessage, undelivered_where)
    wanted = {"failed_events": InboxStatus.FAILED, "parked_events": InboxStatus.PARKED}
    wanted = {name: status for name, status in wanted.items() if name in tiles}
    if wanted and inbox_where is not None:
        counts = dict(
            session.execute(
                select(InboxEvent.status, func.count())
                .where(InboxEvent.status.in_(list(wanted.values())), inbox_where)
                .group_by(InboxEvent.status)
            ).all()
        )
        found |= {name: int(counts.get(status, 0)) for name, status in wanted.items()}
    return WorkToday(**found, round_no=round_no)


# --- the risk-point KPI for the home ---------------------------------------------------------------------
#
# The trend needs each month of the fiscal year so far; the quarter and the year are then added up from those
# months for the parts that add up over days (patrols, cameras: per point-day and camera-day; month reports: per
# month ending in the span), and only the defect part (opened in the span, fixed by its end) is counted over the
# quarter and the year themselves. The result equals rc.compliance over the quarter or year (tests/test_home.py)
# while the check tables are read once, not three times.

CACHE_SECONDS = 300  # how long an ended month's figures are reused (checks recorded later show after this)

ADDITIVE = (
    "patrols_done",
    "patrols_required",
    "cameras_done",
    "cameras_required",
    "reports_expected",
    "reports_on_time",
    "reports_late",
)


def _summed(parts: list[rc.Compliance], names: Collection[str] | None = None) -> rc.Compliance:
    """Several compliances as one: each part's figures added (all of them, or the names given)."""
    total = rc.Compliance()
    for part in parts:
        for name in names or [item.name for item in fields(rc.Compliance)]:
            setattr(total, name, getattr(total, name) + getattr(part, name))
    return total


def riskpoint_kpi(session: Session, span: Period, districts: Collection[str] | None, as_of: date) -> rc.Compliance:
    """The risk-point KPI over a span up to as_of: the office's, or the districts' given added up."""
    if districts is None:
        return rc.compliance(session, span, as_of=as_of)
    found = rc.by_district(session, span, as_of=as_of)
    return _summed([found[d] for d in sorted(districts) if d in found])


def _defects_only(session: Session, span: Period, districts: Collection[str] | None) -> rc.Compliance:
    """The defect part of a span alone: as of the day before it, no patrol, camera or month report is due yet."""
    return riskpoint_kpi(session, span, districts, span.first - timedelta(days=1))


def _added_up(session: Session, span: Period, months: list[MonthPoint], districts) -> rc.Compliance:
    """A span's KPI from its months' additive parts and the span's own defect part."""
    total = _defects_only(session, span, districts)
    inside = [m.compliance for m in months if span.first <= m.period.first <= span.last]
    added = _summed(inside, ADDITIVE)
    for name in ADDITIVE:
        setattr(total, name, getattr(added, name))
    return total


@dataclass(frozen=True)
class MonthPoint:
    """One month of the fiscal year so far, for the trend chart."""

    period: Period
    compliance: rc.Compliance


@dataclass(frozen=True)
class RiskpointKpi:
    """The risk-point KPI of the current quarter and fiscal year, and each month of the year so far."""

    fiscal_year: int
    quarter: int
    quarter_kpi: rc.Compliance
    year_kpi: rc.Compliance
    months: list[MonthPoint]


def _month_kpi(session: Session, month: Period, districts, today: date, cache: MutableMapping | None):
    """A month's KPI as of today; a month that has ended is kept in the cache for CACHE_SECONDS."""
    if cache is None or month.last >= today:
        return riskpoint_kpi(session, month, districts, today)
    key = (month.key, today, None if districts is None else tuple(sorted(districts)))
    clock = time.monotonic()
    hit = cache.get(key)
    if hit is not None and clock - hit[0] < CACHE_SECONDS:
        return hit[1]
    for old in [k for k, (stored, _) in list(cache.items()) if clock - stored >= CACHE_SECONDS]:
        cache.pop(old, None)
    value = riskpoint_kpi(session, month, districts, today)
    cache[key] = (clock, value)
    return value


def riskpoint_overview(
    session: Session, today: date, districts: Collection[str] | None, *, cache: MutableMapping | None = None
) -> RiskpointKpi:
    """The home's risk-point KPI as of a Bangkok day: the quarter, the fiscal year and its months so far.

    ``cache`` (a dict the caller keeps, e.g. one per web process) holds the months already ended for
    CACHE_SECONDS, so a home opened again soon reads only the current month's checks.
    """
    year, quarter = fiscal_year(today), fiscal_quarter(today)
    months = []
    cursor = Period.of_fiscal_year(year).first
    while cursor <= today:
        month = Period.of_month(cursor.year, cursor.month)
        months.append(MonthPoint(month, _month_kpi(session, month, districts, today, cache)))
        cursor = month.last + timedelta(days=1)
    return RiskpointKpi(
        year,
        quarter,
        _added_up(session, Period.of_quarter(year, quarter), months, districts),
        _added_up(session, Period.of_fiscal_year(year), months, districts),
        months,
    )
