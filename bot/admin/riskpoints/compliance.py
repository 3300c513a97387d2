"""The patrol KPI for a day, month, quarter or fiscal year: the office, its districts and each point."""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from bot.admin.blueprint import bp
from bot.admin.riskpoints.common import today_bangkok
from bot.auth import Permission, district_clause, require_permission, visible_districts
from bot.request_session import db
from models import RiskPoint
from models.periods import Period
from models.timeutil import THAI_MONTHS, be_year, ce_year, fiscal_quarter, fiscal_year, to_be
from reports import riskpoint_compliance as rc


def _span_from_args() -> tuple[Period, str, date | None]:
    """The span asked for: ?month=2569-11, ?quarter=2569-1, ?year=2569 (fiscal) or ?day=2026-11-16."""
    today = today_bangkok()
    args = request.args
    if args.get("day"):
        day = date.fromisoformat(args["day"])
        return Period.of_day(day), f"วันที่ {day.day} {THAI_MONTHS[day.month - 1]} {be_year(day)}", today
    if args.get("quarter"):
        fy, q = (int(x) for x in args["quarter"].split("-"))
        return Period.of_quarter(fy, q), f"ปีงบประมาณ {fy} ไตรมาสที่ {q}", today
    if args.get("year"):
        fy = int(args["year"])
        return Period.of_fiscal_year(fy), f"ปีงบประมาณ {fy}", today
    if args.get("month"):
        y, m = (int(x) for x in args["month"].split("-"))
    else:
        y, m = be_year(today), today.month
    return Period.of_month(y, m), f"เดือน{THAI_MONTHS[m - 1]} {to_be(ce_year(y))}", today


@bp.get("/riskpoints/compliance")
@require_permission(Permission.VIEW_RISKPOINTS)
def riskpoint_compliance():
    """The KPI for a day, month, quarter or fiscal year: office, districts and points."""
    sql = db()
    try:
        span, title, as_of = _span_from_args()
    except ValueError:
        abort(400)
    scope = visible_districts(current_user)
    if scope is None:
        office = rc.compliance(sql, span, as_of=as_of)
        districts = rc.by_district(sql, span, as_of=as_of)
    else:
        office = None
        districts = {d: rc.compliance(sql, span, district=d, as_of=as_of) for d in sorted(scope)}
    per_point = rc.by_point(sql, span, as_of=as_of)
    points = {
        p.id: p
        for p in sql.scalars(
            select(RiskPoint).where(district_clause(current_user, RiskPoint.district)).order_by(RiskPoint.code)
        )
    }
    today = today_bangkok()
    return render_template(
        "admin/riskpoints/compliance.html",
        title=title,
        span=span,
        office=office,
        districts=districts,
        per_point=[
            (points[pid], c)
            for pid, c in sorted(per_point.items(), key=lambda x: points[x[0]].code if x[0] in points else "")
            if pid in points
        ],
        fy=fiscal_year(today),
        quarter=fiscal_quarter(today),
        month=f"{be_year(today)}-{today.month}",
    )
