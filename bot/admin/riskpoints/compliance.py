"""The patrol KPI for a day, month, quarter or fiscal year: the office, its districts and each point."""

from __future__ import annotations

from datetime import date

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select

from bot.admin import periods_form as pf
from bot.admin.blueprint import bp
from bot.admin.riskpoints.common import today_bangkok
from bot.auth import Permission, district_clause, require_permission, visible_districts
from bot.request_session import db
from models import RiskPoint
from models.periods import Period
from models.timeutil import be_year, fiscal_quarter, fiscal_year
from reports import riskpoint_compliance as rc


def _span_from_args(today: date) -> pf.PeriodChoice:
    """The span asked for: ?month=12&month_year=2569 (or 12/2569, ธ.ค. 2569, 2569-12), ?quarter=1&quarter_year=2570
    (or 2570-1), ?year=2569 (fiscal) or ?day=16/12/2569; this month when nothing (or nothing readable) is asked."""
    this_month = Period.month_of(today)
    args = request.args
    if args.get("day"):
        return pf.day_from(args, this_month)
    if args.get("quarter") or args.get("quarter_year"):
        return pf.quarter_from(args, this_month)
    if args.get("year"):
        return pf.fiscal_year_from(args, this_month, name="year")
    return pf.month_from(args, this_month)


@bp.get("/riskpoints/compliance")
@require_permission(Permission.VIEW_RISKPOINTS)
def riskpoint_compliance():
    """The KPI for a day, month, quarter or fiscal year: office, districts and points."""
    sql = db()
    today = today_bangkok()
    choice = _span_from_args(today)
    span, as_of = choice.period, today
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
    shown_month = span if span.kind == "month" else Period.month_of(today)
    shown_quarter = span if span.kind == "quarter" else Period.of_quarter(fiscal_year(today), fiscal_quarter(today))
    return render_template(
        "admin/riskpoints/compliance.html",
        title=pf.heading(span),
        error=choice.error,
        span=span,
        office=office,
        districts=districts,
        per_point=[
            (points[pid], c)
            for pid, c in sorted(per_point.items(), key=lambda x: points[x[0]].code if x[0] in points else "")
            if pid in points
        ],
        month=(be_year(shown_month.first), shown_month.month),
        quarter=(shown_quarter.fiscal_year, shown_quarter.quarter),
        fy=span.fiscal_year if span.kind == "year" else fiscal_year(today),
        years=pf.picker_years(today, also=be_year(span.first)),
    ), (422 if choice.error else 200)
