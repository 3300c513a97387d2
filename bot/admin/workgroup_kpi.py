"""The network KPI page: levels 1 to 5 as a ladder, by the end of each quarter, with their evidence."""

from __future__ import annotations

from flask import render_template, request

from bot.admin import periods_form as pf
from bot.admin.blueprint import bp
from bot.auth import Permission, require_permission
from bot.request_session import db
from models.periods import Period
from models.timeutil import fiscal_year, utcnow
from reports.network_kpi import evidence_checklist, kpi_by_quarter, network_kpi
from services.workgroup.meetings import bangkok_day

YEARS_BACK = 10


@bp.get("/workgroup/kpi")
@require_permission(Permission.VIEW_KPI)  # numbers and documents' names only: every role
def wg_kpi():
    """The ladder for a fiscal year, the level reached by the end of each quarter, and the evidence list."""
    sql = db()
    current = fiscal_year(bangkok_day(utcnow()))
    choice = pf.fiscal_year_from(request.args, Period.of_fiscal_year(current))
    year = choice.period.fiscal_year
    kpi = network_kpi(sql, choice.period)
    return render_template(
        "admin/workgroup/kpi.html",
        error=choice.error,
        year=year,
        years=sorted({*range(current + 1, current - YEARS_BACK, -1), year}, reverse=True),
        kpi=kpi,
        quarters=kpi_by_quarter(sql, year),
        checklist=evidence_checklist(kpi),
    ), (422 if choice.error else 200)
