"""The rows behind a month's risk-point report: missed rounds, defects, work orders, letters and crime figures.

Each part reads one month (a Period) and returns JSON-ready rows (dates as ISO strings, wording in Thai as
it stood when the month was compiled), plus counts per point that compile_month adds up per district.
Everything is as it stood at the month's end (a work order's status is its last step before the month
ended), so compiling the same month again later gives the same rows unless the month's own records changed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    CoordinationLetter,
    CrimeStat,
    Defect,
    OrderEvent,
    RiskCamera,
    RiskPoint,
    RiskUnit,
    RoundMiss,
    WorkOrder,
)
from models.office import letter_number, office_profile
from models.periods import Period
from models.settings import get_setting
from texts import riskpoints as rt

ORDER_OVERDUE_DAYS = 7  # a work order still open at the month's end after more than this many days is overdue
NO_DEPARTMENT = "ยังไม่ได้กำหนดหน่วยงาน"


@dataclass(frozen=True)
class Place:
    """A point as the report names it."""

    code: str
    name: str
    district: str


def places(session: Session) -> dict[int, Place]:
    """Every point (retired ones too, as older rows name them) by id."""
    rows = session.execute(select(RiskPoint.id, RiskPoint.code, RiskPoint.name, RiskPoint.district))
    return {row.id: Place(row.code, row.name, row.district) for row in rows}


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def _days(start, stop) -> float:
    return round((stop - start).total_seconds() / 86400, 2)


def _round_names(session: Session) -> dict[int, str]:
    rounds = get_setting(session, "riskpoints.rounds") or []
    return {n: str(r.get("name") or f"รอบที่ {n}") for n, r in enumerate(rounds, start=1) if isinstance(r, dict)}


def misses(session: Session, span: Period, where: dict[int, Place]) -> dict:
    """Rounds missed in the month, each with its reason (or none given), counted by reason."""
    names = _round_names(session)
    rows = []
    query = (
        select(RoundMiss.point_id, RoundMiss.patrol_day, RoundMiss.round_no, RoundMiss.reason)
        .where(RoundMiss.patrol_day.between(span.first, span.last))
        .order_by(RoundMiss.patrol_day, RoundMiss.round_no, RoundMiss.point_id)
    )
    by_reason: Counter = Counter()
    for point_id, day, round_no, reason in session.execute(query):
        place = where.get(point_id)
        if place is None:
            continue
        label = rt.MISS_REASONS.get(reason, reason) if reason else None
        if label:
            by_reason[label] += 1
        rows.append(
            {
                "day": day.isoformat(),
                "round": round_no,
                "round_name": names.get(round_no, f"รอบที่ {round_no}"),
                "code": place.code,
                "name": place.name,
                "district": place.district,
                "reason": label,
            }
        )
    return {
        "total": len(rows),
        "explained": sum(1 for row in rows if row["reason"]),
        "by_reason": dict(sorted(by_reason.items(), key=lambda item: (-item[1], item[0]))),
        "rows": rows,
    }


def defects(session: Session, span: Period, where: dict[int, Place]) -> list[dict]:
    """Defects open at some time in the month: when opened and fixed, the days the fix took, their work order."""
    starts, ends = span.starts, span.ends
    query = (
        select(Defect, WorkOrder.ref, RiskUnit.name)
        .outerjoin(WorkOrder, WorkOrder.defect_id == Defect.id)
        .outerjoin(RiskUnit, RiskUnit.id == WorkOrder.unit_id)
        .where(Defect.opened_at < ends, Defect.closed_at.is_(None) | (Defect.closed_at >= starts))
        .order_by(Defect.opened_at, Defect.id)
    )
    rows = []
    for defect, ref, department in session.execute(query):
        place = where.get(defect.point_id)
        if place is None:
            continue
        fixed = defect.closed_at is not None and defect.closed_at < ends
        rows.append(
            {
                "code": place.code,
                "name": place.name,
                "district": place.district,
                "kind": rt.CONDITIONS.get(defect.kind, defect.kind),
                "opened_at": _iso(defect.opened_at),
                "fixed_at": _iso(defect.closed_at) if fixed else None,
                "days_to_fix": _days(defect.opened_at, defect.closed_at) if fixed else None,
                "opened_in_month": defect.opened_at >= starts,
                "fixed_in_month": fixed,
                "order": ref,
                "department": department or (NO_DEPARTMENT if ref else None),
            }
        )
    return rows


def orders(session: Session, span: Period, where: dict[int, Place]) -> tuple[list[dict], list[dict]]:
    """Work orders open at some time in the month (status at the month's end), and their counts by department."""
    starts, ends = span.starts, span.ends
    query = (
        select(WorkOrder, Defect.point_id, Defect.kind, RiskUnit.name)
        .join(Defect, Defect.id == WorkOrder.defect_id)
        .outerjoin(RiskUnit, RiskUnit.id == WorkOrder.unit_id)
        .where(WorkOrder.created_at < ends, WorkOrder.closed_at.is_(None) | (WorkOrder.closed_at >= starts))
        .order_by(WorkOrder.created_at, WorkOrder.id)
    )
    found = session.execute(query).all()
    last_step: dict[int, str] = {}
    ids = [order.id for order, *_ in found]
    for chunk in range(0, len(ids), 500):
        steps = session.execute(
            select(OrderEvent.order_id, OrderEvent.status)
            .where(OrderEvent.order_id.in_(ids[chunk : chunk + 500]), OrderEvent.at < ends)
            .order_by(OrderEvent.at, OrderEvent.id)
        )
        last_step.update(dict(steps.all()))
    rows, by_department = [], defaultdict(Counter)
    for order, point_id, kind, department in found:
        place = where.get(point_id)
        if place is None:
            continue
        closed = order.closed_at is not None and order.closed_at < ends
        open_days = None if closed else _days(order.created_at, ends)
        overdue = open_days is not None and open_days > ORDER_OVERDUE_DAYS
        status = "closed" if closed else last_step.get(order.id, "new")
        name = department or NO_DEPARTMENT
        rows.append(
            {
                "ref": order.ref,
                "code": place.code,
                "name": place.name,
                "district": place.district,
                "kind": rt.CONDITIONS.get(kind, kind),
                "department": name,
                "created_at": _iso(order.created_at),
                "received_in_month": order.created_at >= starts,
                "closed_at": _iso(order.closed_at) if closed else None,
                "status": rt.ORDER_STATUS.get(status, status),
                "open_days": open_days,
                "overdue": overdue,
            }
        )
        counts = by_department[name]
        counts["received"] += int(order.created_at >= starts)
        counts["closed"] += int(closed)
        counts["open_at_end"] += int(not closed)
        counts["overdue"] += int(overdue)
    departments = [
        {"department": name, **{k: counts[k] for k in ("received", "closed", "open_at_end", "overdue")}}
        for name, counts in sorted(by_department.items())
    ]
    return rows, departments


def letters(session: Session, span: Period, where: dict[int, Place]) -> list[dict]:
    """Coordination letters issued in the month: their number, date, camera, point and agency."""
    query = (
        select(CoordinationLetter, RiskCamera.code, RiskCamera.point_id)
        .join(RiskCamera, RiskCamera.id == CoordinationLetter.camera_id)
        .where(CoordinationLetter.issued_at >= span.starts, CoordinationLetter.issued_at < span.ends)
        .order_by(CoordinationLetter.issued_at, CoordinationLetter.id)
    )
    rows, profile = [], office_profile(session)
    for letter, camera, point_id in session.execute(query):
        place = where.get(point_id)
        if place is None:
            continue
        rows.append(
            {
                "number": letter_number(session, letter.number, profile),
                "issued_at": _iso(letter.issued_at),
                "camera": camera,
                "code": place.code,
                "name": place.name,
                "district": place.district,
                "agency": letter.agency,
            }
        )
    return rows


def crime(session: Session, year: int, month: int, where: dict[int, Place]) -> list[dict]:
    """The month's case counts from the local police stations, per point or area and crime type, with last month's."""
    previous = (year - 1, 12) if month == 1 else (year, month - 1)
    before = {
        (row.scope, row.crime_type): row.cases
        for row in session.scalars(
            select(CrimeStat).where(CrimeStat.year == previous[0], CrimeStat.month == previous[1])
        )
    }
    rows = []
    query = select(CrimeStat).where(CrimeStat.year == year, CrimeStat.month == month)
    for stat in session.scalars(query.order_by(CrimeStat.scope, CrimeStat.crime_type)):
        place = where.get(stat.point_id) if stat.point_id else None
        rows.append(
            {
                "code": place.code if place else None,
                "place": f"{place.code} {place.name}" if place else (stat.area or stat.scope),
                "district": (place.district if place else None) or stat.district,
                "crime_type": stat.crime_type,
                "cases": stat.cases,
                "previous_month": before.get((stat.scope, stat.crime_type), 0),
                "station": stat.station,
            }
        )
    return rows


def cameras_in_service(session: Session, span: Period) -> Counter:
    """How many cameras each point had in service on some day of the month."""
    query = select(RiskCamera.point_id).where(
        RiskCamera.active_from <= span.last, RiskCamera.retired_on.is_(None) | (RiskCamera.retired_on > span.first)
    )
    return Counter(session.scalars(query))
