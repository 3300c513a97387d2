"""Defects and their work orders by department and age (a queue, paged), with each department's open load,
and sending a work order to its department again.

Filters: ?status=open|closed|all (the defect), ?department=<unit id>|none, ?age=upto3|4to7|over7|over30
(Bangkok calendar days since opening), ?order=<work order status>, ?overdue=1 (the one overdue rule,
reports.work_today.overdue_clause, whose count the home page shows and links here). A value the page cannot use
is named in Thai on the page and the filter is left out; the page still answers 200.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy.orm import Session

from bot.admin.actions import Done, audited
from bot.admin.blueprint import bp
from bot.api.pagination import page_args, paginate
from bot.auth import Permission, require_permission, visible_districts
from bot.request_session import db
from models import Defect, OrderStatus, RiskUnit, WorkOrder
from models.timeutil import utcnow
from reports.work_today import ORDER_DAYS_ALLOWED
from runtime.delivery import notifier
from services.riskpoints.defects import order_delivered, send_order
from services.riskpoints.queues import (
    AGE_BUCKETS,
    DEFECT_STATUSES,
    NO_DEPARTMENT,
    DefectFilters,
    days_open,
    defects_statement,
    department_summary,
    departments,
)
from services.riskpoints.units import department_for
from texts import riskpoints as rt

FINISHED = (OrderStatus.DONE, OrderStatus.CLOSED)
STATUS_LABELS = {"open": "ยังไม่แก้ไข", "closed": "แก้ไขแล้ว", "all": "ทั้งหมด"}


@dataclass
class DefectQuery:
    """The queue's filters as read from the query string, with the Thai errors of values it could not use."""

    filters: DefectFilters
    args: dict[str, str]
    errors: list[str] = field(default_factory=list)


def read_filters(args: Mapping[str, str], units: list[RiskUnit]) -> DefectQuery:
    """Read ?status=&department=&age=&order=&overdue= leniently: a bad value is named in Thai and left out."""
    errors: list[str] = []
    kept: dict[str, str] = {}

    def pick(name: str, allowed, message: str) -> str | None:
        value = (args.get(name) or "").strip()
        if not value:
            return None
        if value in allowed:
            kept[name] = value
            return value
        errors.append(message.format(value=value[:30]))
        return None

    status = pick("status", DEFECT_STATUSES, "สถานะ “{value}” ไม่ถูกต้อง จึงแสดงรายการที่ยังไม่แก้ไข") or "open"
    unit_ids = {str(unit.id) for unit in units} | {NO_DEPARTMENT}
    department = pick("department", unit_ids, "ไม่พบหน่วยงานที่เลือก (“{value}”) จึงแสดงทุกหน่วยงาน")
    age = pick("age", AGE_BUCKETS, "ช่วงอายุงาน “{value}” ไม่ถูกต้อง จึงแสดงทุกช่วง")
    order = pick("order", {s.value for s in OrderStatus}, "สถานะงานแก้ไข “{value}” ไม่ถูกต้อง จึงแสดงทุกสถานะ")
    overdue = pick("overdue", ("1", "0"), "ค่า “{value}” ของตัวกรองงานเกินกำหนดไม่ถูกต้อง (ใช้ 1)") == "1"
    if not overdue:
        kept.pop("overdue", None)
    filters = DefectFilters(
        status=status,
        department=int(department) if department and department.isdigit() else department,
        age=age,
        overdue=overdue,
        order_status=order,
    )
    return DefectQuery(filters, kept, errors)


@bp.get("/riskpoints/defects")
@require_permission(Permission.VIEW_RISKPOINTS)
def riskpoint_defects():
    """Defects and their work orders by department, age, status and overdue, paged; each department's load."""
    sql = db()
    now = utcnow()
    units = departments(sql)
    query = read_filters(request.args, units)
    districts = visible_districts(current_user)
    page, per_page = page_args(request.args)
    result = paginate(sql, defects_statement(query.filters, now, districts), page, per_page, scalars=False)
    defects = [defect for defect, _ in result.items]
    return render_template(
        "admin/riskpoints/defects.html",
        page=result,
        rows=result.items,
        query=query,
        filters=query.filters,
        args=query.args,
        status_labels=STATUS_LABELS,
        age_buckets=AGE_BUCKETS,
        order_statuses=[(s.value, rt.ORDER_STATUS.get(s.value, s.value)) for s in OrderStatus],
        units=units,
        no_department=NO_DEPARTMENT,
        summary=department_summary(sql, now, districts),
        overdue_days=ORDER_DAYS_ALLOWED,
        days_open=lambda defect: days_open(defect.opened_at, defect.closed_at, now),
        undelivered=undelivered_orders(sql, defects),
    )


def undelivered_orders(sql: Session, defects: list[Defect]) -> set[int]:
    """The open work orders among these defects that never reached a department (it has no LINE group).

    Asked once per department, not once per row.
    """
    reached: dict[int | None, bool] = {}
    found = set()
    for defect in defects:
        order = defect.order
        if order is None or order.status in FINISHED:
            continue
        if order.unit_id not in reached:
            reached[order.unit_id] = order_delivered(sql, order)
        if not reached[order.unit_id]:
            found.add(order.id)
    return found


@bp.post("/riskpoints/orders/<int:order_id>/resend")
@require_permission(Permission.MANAGE_RISK_UNITS)
@audited("admin.riskpoint_defects")
def riskpoint_order_resend(order_id: int):
    """Send a work order's card to its department's group again (e.g. after binding the group)."""
    sql = db()
    order = sql.get(WorkOrder, order_id)
    if order is None:
        abort(404)
    if order.unit_id is None:
        order.unit = department_for(sql, order.defect.kind)
    if send_order(sql, order, notifier(sql, "riskpoints:order")):
        return Done("ส่งงานให้หน่วยงานแล้ว")
    return Done("หน่วยงานนี้ยังไม่ได้ผูกกับกลุ่ม LINE", category="error")  # the department found is kept
