"""Defects and their work orders: the list, and sending a work order to its department again."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from bot.admin.actions import Done, audited
from bot.admin.blueprint import bp
from bot.auth import Permission, district_clause, require_permission
from bot.request_session import db
from models import Defect, DefectStatus, OrderStatus, RiskPoint, WorkOrder
from models.timeutil import utcnow
from runtime.delivery import notifier
from services.riskpoints.defects import order_delivered, send_order
from services.riskpoints.units import department_for

FINISHED = (OrderStatus.DONE, OrderStatus.CLOSED)


@bp.get("/riskpoints/defects")
@require_permission(Permission.VIEW_RISKPOINTS)
def riskpoint_defects():
    """Defects and their work orders: status, department, days open."""
    sql = db()
    status = request.args.get("status", "open")
    query = (
        select(Defect)
        .join(RiskPoint, RiskPoint.id == Defect.point_id)
        .where(district_clause(current_user, RiskPoint.district))
        .order_by(Defect.opened_at.desc())
    )
    if status in ("open", "closed"):
        query = query.where(Defect.status == DefectStatus(status))
    defects = list(sql.scalars(query.limit(500)))
    return render_template(
        "admin/riskpoints/defects.html",
        defects=defects,
        status=status,
        now=utcnow(),
        undelivered=undelivered_orders(sql, defects),
    )


def undelivered_orders(sql, defects: list[Defect]) -> set[int]:
    """The open work orders among these defects that never reached a department (it has no LINE group)."""
    waiting = [d.order for d in defects if d.order is not None and d.order.status not in FINISHED]
    return {order.id for order in waiting if not order_delivered(sql, order)}


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
