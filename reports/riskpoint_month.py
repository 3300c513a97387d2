"""A month of the risk-point programme: the figures a unit reports and the compiled day-7 report."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from models import (
    CameraCheck,
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
from reports import riskpoint_month_details as details


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
    Everything is JSON-ready (numbers, strings, lists and dicts; moments as ISO strings): per point and
    per district the patrols and camera checks done against required over the same days (with missed
    rounds, work orders, letters and crime cases counted beside them), the missed rounds with their
    reasons, the defects with the days their fix took, the work orders by department (open, closed,
    overdue at the month's end), the coordination letters, the police stations' crime figures and each
    unit's month report against the month's one deadline. The day-7 card reads ``office``, ``defects``,
    ``work_orders``, ``letters``, ``crime`` and ``submissions``.
    """
    year = ce_year(year)
    span = Period.of_month(year, month)
    office = rc.compliance(session, span)
    districts = {name: c.as_dict() for name, c in sorted(rc.by_district(session, span).items())}
    where = details.places(session)
    cameras = {where[pid].code: n for pid, n in details.cameras_in_service(session, span).items() if pid in where}
    per_point = rc.by_point(session, span)
    point_rows = [
        {"code": where[pid].code, "name": where[pid].name, "district": where[pid].district, **figures.as_dict()}
        for pid, figures in sorted(per_point.items(), key=lambda item: where[item[0]].code)
        if pid in where and (figures.patrols_required or figures.defects_opened)
    ]
    missed = details.misses(session, span, where)
    defect_rows = details.defects(session, span, where)
    order_rows, departments = details.orders(session, span, where)
    letter_rows = details.letters(session, span, where)
    crime_rows = details.crime(session, year, month, where)
    _add_details(point_rows, districts, cameras, missed["rows"], order_rows, letter_rows, crime_rows)
    opened_by_kind = _count_by(session, Defect.kind, Defect.opened_at, span)
    orders = _count_by(session, WorkOrder.status, WorkOrder.created_at, span)
    crime_by_type = _crime_by_type(session, year, month)
    deadline = month_deadline(session, year, month)
    submissions = _submissions(session, year, month, deadline)
    return {
        "year": year,
        "month": month,
        "label": month_label(year, month),
        "first_day": span.first.isoformat(),
        "last_day": span.last.isoformat(),
        "deadline": deadline.isoformat(),
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
        "misses": missed,
        "defects": {
            "opened": office.defects_opened,
            "fixed": office.defects_fixed,
            "fixed_in_month": office.fixed_in_span,
            "open_at_end": office.open_at_end,
            "avg_days_to_fix": office.avg_days_to_fix,
            "max_days_to_fix": office.max_days_to_fix,
            "opened_by_kind": {str(k): int(v) for k, v in opened_by_kind.items()},
            "rows": defect_rows,
        },
        "work_orders": {str(getattr(k, "value", k)): int(v) for k, v in orders.items()},
        "orders": {"overdue_days": details.ORDER_OVERDUE_DAYS, "by_department": departments, "rows": order_rows},
        "letters": len(letter_rows),
        "letter_rows": letter_rows,
        "crime": crime_by_type,
        "crime_rows": crime_rows,
        "submissions": submissions,
    }


POINT_DETAILS = ("misses", "misses_explained", "orders_received", "orders_open_at_end", "letters", "crime_cases")
DISTRICT_DETAILS = (
    "points",
    "cameras",
    "misses",
    "misses_explained",
    "orders_received",
    "orders_closed",
    "orders_open_at_end",
    "orders_overdue",
    "letters",
    "crime_cases",
    "crime_previous",
)


def _add_details(points: list, districts: dict, cameras: dict, misses: list, orders: list, letters: list, crime: list):
    """Count each point's and district's missed rounds, work orders, letters, crime cases and cameras."""
    point_counts: dict[str, Counter] = defaultdict(Counter)
    district_counts: dict[str, Counter] = defaultdict(Counter)

    def add(row: dict, key: str, amount: int = 1) -> None:
        if row.get("code"):
            point_counts[row["code"]][key] += amount
        if row.get("district"):
            district_counts[row["district"]][key] += amount

    for row in misses:
        add(row, "misses")
        add(row, "misses_explained", int(bool(row["reason"])))
    for row in orders:
        add(row, "orders_received", int(row["received_in_month"]))
        add(row, "orders_closed", int(row["closed_at"] is not None))
        add(row, "orders_open_at_end", int(row["closed_at"] is None))
        add(row, "orders_overdue", int(row["overdue"]))
    for row in letters:
        add(row, "letters")
    for row in crime:
        add(row, "crime_cases", row["cases"])
        add(row, "crime_previous", row["previous_month"])
    for point in points:
        point["cameras"] = cameras.get(point["code"], 0)
        district_counts[point["district"]]["points"] += 1
        district_counts[point["district"]]["cameras"] += point["cameras"]
        point.update({key: point_counts[point["code"]][key] for key in POINT_DETAILS})
    for name, entry in districts.items():
        entry.update({key: district_counts[name][key] for key in DISTRICT_DETAILS})


def _crime_by_type(session: Session, year: int, month: int) -> list[dict]:
    """The month's cases per crime type, with the previous month's cases of that type."""
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
    return [
        {"crime_type": kind, "cases": int(cases or 0), "previous_month": int(previous_rows.get(kind) or 0)}
        for kind, cases in crime_rows
    ]


def _count_by(session: Session, key: ColumnElement, when: ColumnElement, span: Period) -> dict:
    """How many rows per value of ``key`` whose ``when`` falls inside the span."""
    return dict(
        session.execute(select(key, func.count()).where(when >= span.starts, when < span.ends).group_by(key)).all()
    )


def _submissions(session: Session, year: int, month: int, deadline) -> list[dict]:
    """Each unit expected to report, with when (and whether on time, before the month's deadline) it did."""
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
                "district": unit.district,
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
