"""A month of the risk-point programme: the figures a unit reports and the compiled day-7 report."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from models import (
    CameraCheck,
    CoordinationLetter,
    CrimeStat,
    Defect,
    MonthlySubmission,
    OrderStatus,
    PatrolCheck,
    RiskCamera,
    RiskPoint,
    RiskUnit,
    RoundMiss,
    UnitKind,
    WorkOrder,
)
from models.deadlines import month_deadline, on_time
from models.periods import Period
from models.timeutil import ce_year
from reports import riskpoint_compliance as rc


def month_label(year: int, month: int) -> str:
    """e.g. 'ตุลาคม 2569'."""
    return Period.of_month(year, month).label()


def unit_figures(session: Session, unit: RiskUnit, year: int, month: int) -> dict:
    """What a unit's month report holds: its points' patrols and camera checks, or its work orders."""
    year = ce_year(year)
    span = Period.of_month(year, month)
    if unit.kind == UnitKind.PATROL:
        point_ids = list(session.scalars(select(RiskPoint.id).where(RiskPoint.patrol_unit_id == unit.id)))
        per_point = rc.by_point(session, span)
        mine = [per_point[pid] for pid in point_ids if pid in per_point]
        done = sum(c.patrols_done for c in mine)
        required = sum(c.patrols_required for c in mine)
        cameras_done = sum(c.cameras_done for c in mine)
        cameras_required = sum(c.cameras_required for c in mine)
        misses = session.execute(
            select(func.count(), func.count(RoundMiss.reason)).where(
                RoundMiss.point_id.in_(point_ids or [-1]), RoundMiss.patrol_day.between(span.first, span.last)
            )
        ).one()
        return {
            "kind": "patrol",
            "points": len(point_ids),
            "patrols_done": done,
            "patrols_required": required,
            "cameras_done": cameras_done,
            "cameras_required": cameras_required,
            "rounds_missed": int(misses[0]),
            "misses_explained": int(misses[1]),
        }
    received = session.scalar(
        select(func.count()).where(
            WorkOrder.unit_id == unit.id, WorkOrder.created_at >= span.starts, WorkOrder.created_at < span.ends
        )
    )
    done = session.scalar(
        select(func.count()).where(
            WorkOrder.unit_id == unit.id, WorkOrder.done_at >= span.starts, WorkOrder.done_at < span.ends
        )
    )
    pending = session.scalar(
        select(func.count()).where(
            WorkOrder.unit_id == unit.id,
            WorkOrder.created_at < span.ends,
            WorkOrder.status.not_in((OrderStatus.DONE, OrderStatus.CLOSED)),
        )
    )
    return {
        "kind": unit.kind.value,
        "orders_received": received or 0,
        "orders_done": done or 0,
        "orders_pending": pending or 0,
    }


def compile_month(session: Session, year: int, month: int) -> dict:
    """The month's risk-point report, ready to render: compliance, defects, work orders, letters, crime, reports.

    ``year`` is the Common Era year of the month (a Buddhist Era year above 2400 is accepted too).
    Everything is JSON-ready (numbers, strings, lists and dicts).
    """
    year = ce_year(year)
    span = Period.of_month(year, month)
    office = rc.compliance(session, span)
    districts = {name: c.as_dict() for name, c in sorted(rc.by_district(session, span).items())}
    points = session.execute(select(RiskPoint.id, RiskPoint.code, RiskPoint.name, RiskPoint.district)).all()
    per_point = rc.by_point(session, span)
    point_rows = [
        {"code": p.code, "name": p.name, "district": p.district, **per_point[p.id].as_dict()}
        for p in sorted(points, key=lambda p: p.code)
        if p.id in per_point and (per_point[p.id].patrols_required or per_point[p.id].defects_opened)
    ]
    opened_by_kind = _count_by(session, Defect.kind, Defect.opened_at, span)
    orders = _count_by(session, WorkOrder.status, WorkOrder.created_at, span)
    letters = session.scalar(
        select(func.count()).where(
            CoordinationLetter.issued_at >= span.starts, CoordinationLetter.issued_at < span.ends
        )
    )
    crime_rows = session.execute(
        select(CrimeStat.crime_type, func.sum(CrimeStat.cases))
        .where(CrimeStat.year == year, CrimeStat.month == month)
        .group_by(CrimeStat.crime_type)
        .order_by(CrimeStat.crime_type)
    ).all()
    previous = (year - 1, 12) if month == 1 else (year, month - 1)
    previous_rows = dict(
        session.execute(
            select(CrimeStat.crime_type, func.sum(CrimeStat.cases))
            .where(CrimeStat.year == previous[0], CrimeStat.month == previous[1])
            .group_by(CrimeStat.crime_type)
        ).all()
    )
    submissions = _submissions(session, year, month)
    return {
        "year": year,
        "month": month,
        "label": month_label(year, month),
        "first_day": span.first.isoformat(),
        "last_day": span.last.isoformat(),
        "office": office.as_dict(),
        "districts": districts,
        "points": point_rows,
        "checks": {
            "patrol_rows": session.scalar(
                select(func.count()).where(PatrolCheck.patrol_day.between(span.first, span.last))
            ),
            "camera_rows": session.scalar(
                select(func.count()).where(CameraCheck.check_day.between(span.first, span.last))
            ),
            "cameras": session.scalar(
                select(func.count()).select_from(RiskCamera).where(RiskCamera.retired_on.is_(None))
            ),
        },
        "defects": {
            "opened": office.defects_opened,
            "fixed": office.defects_fixed,
            "fixed_in_month": office.fixed_in_span,
            "open_at_end": office.open_at_end,
            "avg_days_to_fix": office.avg_days_to_fix,
            "opened_by_kind": {str(k): int(v) for k, v in opened_by_kind.items()},
        },
        "work_orders": {str(getattr(k, "value", k)): int(v) for k, v in orders.items()},
        "letters": letters or 0,
        "crime": [
            {"crime_type": kind, "cases": int(cases or 0), "previous_month": int(previous_rows.get(kind) or 0)}
            for kind, cases in crime_rows
        ],
        "submissions": submissions,
    }


def _count_by(session: Session, key: ColumnElement, when: ColumnElement, span: Period) -> dict:
    """How many rows per value of ``key`` whose ``when`` falls inside the span."""
    return dict(
        session.execute(select(key, func.count()).where(when >= span.starts, when < span.ends).group_by(key)).all()
    )


def _submissions(session: Session, year: int, month: int) -> list[dict]:
    """Each unit expected to report, with when (and whether on time) it did."""
    deadline = month_deadline(session, year, month)
    units = session.scalars(
        select(RiskUnit)
        .where(RiskUnit.is_active, RiskUnit.kind.in_((UnitKind.PATROL, UnitKind.DEPARTMENT)))
        .order_by(RiskUnit.kind, RiskUnit.name)
    )
    rows = []
    for unit in units:
        sub = session.scalar(
            select(MonthlySubmission).where(
                MonthlySubmission.unit_id == unit.id, MonthlySubmission.year == year, MonthlySubmission.month == month
            )
        )
        rows.append(
            {
                "unit": unit.name,
                "code": unit.code,
                "kind": unit.kind.value,
                "submitted_at": sub.submitted_at.isoformat() if sub else None,
                "on_time": bool(sub and on_time(sub.submitted_at, deadline)),
                "figures": sub.figures if sub else None,
                "note": sub.note if sub else None,
            }
        )
    return rows


def units_expected(session: Session) -> list[RiskUnit]:
    """The units that owe a month report (active patrol units and departments)."""
    query = select(RiskUnit).where(RiskUnit.is_active, RiskUnit.kind.in_((UnitKind.PATROL, UnitKind.DEPARTMENT)))
    return list(session.scalars(query.order_by(RiskUnit.kind, RiskUnit.name)))


def units_pending(session: Session, year: int, month: int) -> list[RiskUnit]:
    """The units that have not yet submitted a month's report (for the day-5 and day-7 reminders)."""
    year = ce_year(year)
    done = set(
        session.scalars(
            select(MonthlySubmission.unit_id).where(MonthlySubmission.year == year, MonthlySubmission.month == month)
        )
    )
    return [unit for unit in units_expected(session) if unit.id not in done]
