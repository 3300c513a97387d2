"""The day-7 month reports as a queue: for one month, each unit that owes a report (active patrol units and
departments), whether it sent it, when, and whether on time against the one deadline (models/deadlines.py).

What a unit sends is a MonthlySubmission (handlers/month_reports.py in LINE, or recorded on the units page):
its month's figures as they stood (patrols and camera checks done, or work orders received, done and
pending) and a note. The page shows them, links a department to its work orders in the defects queue and,
for those who may see the clock's pages, the frozen month report. ?month=2569-11 (BE; CE and 11/2569 are
read too); a month the page cannot read is named in Thai and the last month is shown instead.
"""

from __future__ import annotations

from datetime import date

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select

from bot.admin import periods_form as pf
from bot.admin.blueprint import bp
from bot.admin.riskpoints.common import today_bangkok
from bot.auth import Permission, can, require_permission, visible_districts
from bot.request_session import db
from line.month_figures import describe
from models import ReportVersion
from models.periods import Period
from models.timeutil import be_year, thai_long_date, to_bangkok, utcnow
from scheduler.versions import MONTH_REPORT
from services.riskpoints.queues import month_returns

MONTH_NOT_ENDED = "เดือน{month}ยังไม่จบ หน่วยงานส่งรายงานได้หลังสิ้นเดือน จึงแสดงเดือน{shown}แทน"


def month_key(month: Period) -> str:
    """The month as the page's query string writes it: 2569-11 (BE)."""
    return f"{be_year(month.first)}-{month.month:02d}"


@bp.get("/riskpoints/submissions")
@require_permission(Permission.VIEW_RISKPOINTS)
def riskpoint_submissions():
    """For a month, each unit's month report: sent or not, when, on time or late, what it sent."""
    sql = db()
    today = today_bangkok()
    latest = Period.month_of(date(today.year, today.month, 1)).previous()
    choice = pf.month_from(request.args, latest)  # the one reader of typed and picked months
    month, errors = choice.period, [choice.error] if choice.error else []
    if month.first > latest.first:
        errors.append(MONTH_NOT_ENDED.format(month=month.label(), shown=latest.label()))
        month = latest
    returns = month_returns(sql, month, visible_districts(current_user))
    deadline = returns[0].deadline if returns else None
    frozen = None
    if can(current_user, Permission.VIEW_SCHEDULER):
        frozen = sql.scalar(
            select(ReportVersion)
            .where(ReportVersion.kind == MONTH_REPORT, ReportVersion.period == month.key)
            .order_by(ReportVersion.version.desc())
            .limit(1)
        )
    sent = [row for row in returns if row.submission is not None]
    return render_template(
        "admin/riskpoints/submissions.html",
        month=month,
        month_key=month_key(month),
        previous_key=month_key(month.previous()),
        next_key=month_key(month.next()) if month.first < latest.first else None,
        errors=errors,
        returns=returns,
        deadline=deadline,
        deadline_day=thai_long_date(deadline) if deadline else "",
        deadline_time=f"{to_bangkok(deadline):%H:%M}" if deadline else "",
        passed=deadline is not None and utcnow() >= deadline,
        counts={
            "expected": len(returns),
            "sent": len(sent),
            "on_time": sum(1 for row in sent if row.on_time),
            "late": sum(1 for row in sent if not row.on_time),
            "missing": len(returns) - len(sent),
        },
        frozen=frozen,
        describe=describe,
        years=pf.picker_years(today, also=be_year(month.first)),
        shown_year=be_year(month.first),
    )
