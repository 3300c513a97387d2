"""Patrol units, departments and the secretariat: their LINE groups, default units, and month reports."""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from bot.admin.actions import Done, Refused, audit, perform
from bot.admin.blueprint import bp
from bot.admin.periods_form import PeriodInputError, parse_month
from bot.admin.riskpoints.common import today_bangkok
from bot.auth import Permission, require_permission
from bot.request_session import db
from handlers.month_reports import submit as submit_month
from models import Chat, MonthlySubmission, OrderStatus, RiskUnit, RosterStatus, UnitMembership
from models.deadlines import month_deadline
from models.districts import DISTRICTS
from models.settings import get_setting
from models.timeutil import THAI_MONTHS, be_year, utcnow
from reports.riskpoint_month import unit_figures
from services.riskpoints.units import (
    DEFAULT_UNITS,
    bind_unit,
    create_unit,
    ensure_default_units,
    registered_groups,
)


def _create(sql) -> str:
    unit = create_unit(
        sql,
        name=request.form.get("name") or "",
        kind=request.form.get("kind") or "patrol",
        district=request.form.get("district") or None,
    )
    return f"เพิ่มหน่วย {unit.name} แล้ว"


def _defaults(sql) -> str:
    return f"เพิ่มหน่วยตั้งต้น {len(ensure_default_units(sql))} หน่วย"


def _bind(sql) -> str:
    unit = sql.get(RiskUnit, int(request.form.get("unit_id") or 0))
    chat_id = request.form.get("chat_id")
    chat = sql.get(Chat, int(chat_id)) if chat_id else None
    if unit is None:
        abort(404)
    bind_unit(sql, unit, chat)
    return f"ผูก {unit.name} กับกลุ่ม LINE แล้ว" if chat else f"ยกเลิกการผูกกลุ่มของ {unit.name} แล้ว"


def _submit(sql) -> str:
    unit = sql.get(RiskUnit, int(request.form.get("unit_id") or 0))
    if unit is None:
        abort(404)
    try:
        period = parse_month(request.form.get("month") or "")
    except PeriodInputError as error:
        raise Refused(str(error)) from None
    year, month = period.year, period.month
    figures = unit_figures(sql, unit, year, month)
    note = request.form.get("note") or None
    submit_month(sql, unit, year, month, at=utcnow(), by=current_user.username, figures=figures, note=note)
    return f"บันทึกรายงานประจำเดือนของ {unit.name} แล้ว"


ACTIONS = {"create": _create, "defaults": _defaults, "bind": _bind, "submit": _submit}


@bp.route("/riskpoints/units", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_RISK_UNITS)
def riskpoint_units():
    """Patrol units, departments and the secretariat: bind each to its registered LINE group; month reports."""
    sql = db()
    if request.method == "POST":
        action = request.form.get("action")
        work = ACTIONS.get(action, lambda _sql: "")
        entry = audit(f"riskpoint.unit_{action}", "risk_unit")
        return perform(lambda: Done(work(sql), entry), url_for("admin.riskpoint_units"))
    today = today_bangkok()
    previous = date(today.year - 1, 12, 1) if today.month == 1 else date(today.year, today.month - 1, 1)
    submissions = {
        s.unit_id: s
        for s in sql.scalars(
            select(MonthlySubmission).where(
                MonthlySubmission.year == previous.year, MonthlySubmission.month == previous.month
            )
        )
    }
    units = list(sql.scalars(select(RiskUnit).order_by(RiskUnit.kind, RiskUnit.name)))
    return render_template(
        "admin/riskpoints/units.html",
        units=units,
        groups=registered_groups(sql, ("patrol", "department")),
        chats={c.id: c for c in sql.scalars(select(Chat).where(Chat.registered_at.is_not(None)))},
        submissions=submissions,
        previous=previous,
        previous_label=f"{THAI_MONTHS[previous.month - 1]} {be_year(previous)}",
        due=month_deadline(sql, previous.year, previous.month),
        districts=DISTRICTS,
        mapping=get_setting(sql, "riskpoints.defect_departments"),
        unit_names={**{code: name for code, name, _ in DEFAULT_UNITS}, **{unit.code: unit.name for unit in units}},
        unit_codes={unit.code for unit in units},
        order_statuses=OrderStatus,
        members=_roster_counts(sql, RosterStatus.ACTIVE),
        invited=_roster_counts(sql, RosterStatus.INVITED),
    )


def _roster_counts(sql, status: RosterStatus) -> dict[int, int]:
    """How many people of each unit's roster have this status."""
    query = (
        select(UnitMembership.unit_id, func.count())
        .where(UnitMembership.status == status)
        .group_by(UnitMembership.unit_id)
    )
    return {unit_id: count for unit_id, count in sql.execute(query)}
