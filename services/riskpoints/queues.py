"""The risk points' work queues: defects and their work orders by department and age, and the month reports
each unit owes (who sent, when, on time against models/deadlines.py).

Ages are Bangkok calendar days (opened today = 0). "Overdue" is reports.work_today's ``overdue_clause`` (the
home page counts with it and links to ?overdue=1), never a second definition. That clause is an EXISTS on the
defect's work order, so the selects here join the work order under an alias, never the table itself.
"""

from __future__ import annotations

import statistics
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, case, false, or_, select, true
from sqlalchemy.orm import Session, aliased, contains_eager, joinedload

from models import Defect, DefectStatus, MonthlySubmission, OrderStatus, RiskPoint, RiskUnit, UnitKind, WorkOrder
from models.deadlines import month_deadline, on_time
from models.periods import Period
from models.timeutil import BANGKOK, to_bangkok
from reports.riskpoint_month import units_expected
from reports.work_today import overdue_clause

# bucket key -> (Thai label, fewest days open, most days open or None)
AGE_BUCKETS: dict[str, tuple[str, int, int | None]] = {
    "upto3": ("ไม่เกิน 3 วัน", 0, 3),
    "4to7": ("4–7 วัน", 4, 7),
    "over7": ("เกิน 7 วัน", 8, None),
    "over30": ("เกิน 30 วัน", 31, None),
}
DEFECT_STATUSES = ("open", "closed", "all")
NO_DEPARTMENT = "none"  # the department filter's value for orders no department was found for


def bangkok_day(moment: datetime) -> date:
    """The Bangkok calendar day of an aware instant."""
    return to_bangkok(moment).date()


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, BANGKOK)


def days_open(opened_at: datetime, closed_at: datetime | None, now: datetime) -> int:
    """Bangkok calendar days from opening to closing (or to now): 0 for a defect opened today."""
    return max(0, (bangkok_day(closed_at or now) - bangkok_day(opened_at)).days)


def age_clause(bucket: str, now: datetime):
    """A condition on Defect.opened_at: opened between the bucket's fewest and most calendar days ago."""
    _, fewest, most = AGE_BUCKETS[bucket]
    today = bangkok_day(now)
    clause = true()
    if most is not None:
        clause = clause & (Defect.opened_at >= _day_start(today - timedelta(days=most)))
    if fewest > 0:
        clause = clause & (Defect.opened_at < _day_start(today - timedelta(days=fewest - 1)))
    return clause


def district_scope(column, districts: Collection[str] | None):
    """Rows of the given districts (None: every district; empty: none)."""
    if districts is None:
        return true()
    return column.in_(sorted(districts)) if districts else false()


@dataclass(frozen=True)
class DefectFilters:
    """What the defects queue is narrowed to (already checked by the caller)."""

    status: str = "open"  # open | closed | all (the defect's)
    department: int | str | None = None  # a unit id, NO_DEPARTMENT, or None for every department
    age: str | None = None  # a key of AGE_BUCKETS
    overdue: bool = False  # only defects whose work order is overdue (reports.work_today.overdue_clause)
    order_status: str | None = None  # an OrderStatus value


def defects_statement(filters: DefectFilters, now: datetime, districts: Collection[str] | None) -> Select:
    """Defects of the districts given, filtered, newest first, with their point, camera, order and unit loaded.

    Rows: (Defect, whether it is overdue by reports.work_today.overdue_clause).
    """
    order = aliased(WorkOrder, name="queue_order")
    overdue = case((overdue_clause(now), True), else_=False).label("overdue")
    statement = (
        select(Defect, overdue)
        .join(RiskPoint, RiskPoint.id == Defect.point_id)
        .outerjoin(order, order.defect_id == Defect.id)
        .where(district_scope(RiskPoint.district, districts))
        .options(
            contains_eager(Defect.point),
            joinedload(Defect.camera),
            contains_eager(Defect.order.of_type(order)).joinedload(order.unit),
        )
    )
    if filters.status in ("open", "closed"):
        statement = statement.where(Defect.status == DefectStatus(filters.status))
    if filters.department == NO_DEPARTMENT:
        statement = statement.where(order.id.is_not(None), order.unit_id.is_(None))
    elif filters.department is not None:
        statement = statement.where(order.unit_id == filters.department)
    if filters.age:
        statement = statement.where(age_clause(filters.age, now))
    if filters.overdue:
        statement = statement.where(overdue_clause(now))
    if filters.order_status:
        statement = statement.where(order.status == OrderStatus(filters.order_status))
    return statement.order_by(Defect.opened_at.desc(), Defect.id.desc())


def departments(session: Session) -> list[RiskUnit]:
    """The departments (and any other unit that was given work orders), by name."""
    given = select(WorkOrder.unit_id).where(WorkOrder.unit_id.is_not(None)).distinct()
    statement = select(RiskUnit).where(or_(RiskUnit.kind == UnitKind.DEPARTMENT, RiskUnit.id.in_(given)))
    return list(session.scalars(statement.order_by(RiskUnit.name, RiskUnit.id)))


@dataclass(frozen=True)
class DepartmentLoad:
    """One department's open work orders: how many, how many overdue, and the median days open."""

    unit_id: int | None  # None: orders no department was found for
    name: str | None
    open: int
    overdue: int
    median_days: float


def department_summary(session: Session, now: datetime, districts: Collection[str] | None) -> list[DepartmentLoad]:
    """Work orders not closed per department within the districts given (days open from the order), with how
    many are overdue (reports.work_today.overdue_clause); most overdue first."""
    order = aliased(WorkOrder, name="load_order")
    statement = (
        select(order.unit_id, RiskUnit.name, order.created_at, case((overdue_clause(now), 1), else_=0))
        .select_from(order)
        .join(Defect, Defect.id == order.defect_id)
        .join(RiskPoint, RiskPoint.id == Defect.point_id)
        .outerjoin(RiskUnit, RiskUnit.id == order.unit_id)
        .where(order.closed_at.is_(None), district_scope(RiskPoint.district, districts))
    )
    grouped: dict[int | None, tuple[str | None, list[int], int]] = {}
    for unit_id, name, created_at, overdue in session.execute(statement):
        _, ages, late = grouped.get(unit_id, (name, [], 0))
        ages.append(days_open(created_at, None, now))
        grouped[unit_id] = (name, ages, late + int(overdue))
    rows = [
        DepartmentLoad(unit_id, name, len(ages), late, float(statistics.median(ages)))
        for unit_id, (name, ages, late) in grouped.items()
    ]
    return sorted(rows, key=lambda row: (-row.overdue, -row.open, row.name or "\uffff"))


# --- month reports -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthReturn:
    """A unit that owes a month's report, and what it sent (None: nothing yet)."""

    unit: RiskUnit
    submission: MonthlySubmission | None
    deadline: datetime

    @property
    def on_time(self) -> bool | None:
        """Whether it came strictly before the deadline (None: not in)."""
        return None if self.submission is None else on_time(self.submission.submitted_at, self.deadline)

    @property
    def days_late(self) -> int:
        """Calendar days after the deadline's day it came (0 when on time or not in)."""
        if self.submission is None or self.on_time:
            return 0
        return max(1, (bangkok_day(self.submission.submitted_at) - bangkok_day(self.deadline)).days)


def month_returns(session: Session, month: Period, districts: Collection[str] | None) -> list[MonthReturn]:
    """Each unit owing month M's report (reports.riskpoint_month.units_expected) with its submission, if any.

    ``districts`` keeps units of those districts and office-wide units (no district); None keeps every unit.
    """
    deadline = month_deadline(session, month.year, month.month)
    units = [
        unit
        for unit in units_expected(session)
        if districts is None or unit.district is None or unit.district in districts
    ]
    sent = {
        row.unit_id: row
        for row in session.scalars(
            select(MonthlySubmission).where(
                MonthlySubmission.year == month.year,
                MonthlySubmission.month == month.month,
                MonthlySubmission.unit_id.in_([unit.id for unit in units] or [-1]),
            )
        )
    }
    return [MonthReturn(unit, sent.get(unit.id), deadline) for unit in units]
