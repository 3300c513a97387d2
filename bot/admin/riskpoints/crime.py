"""Crime statistics from the police stations: the list, one month's figure typed in, or an import file."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from bot.admin import periods_form as pf
from bot.admin.actions import Done, Refused, audit, perform
from bot.admin.blueprint import bp
from bot.admin.riskpoints.common import today_bangkok
from bot.auth import Permission, can, require_permission
from bot.request_session import db
from models import CrimeStat
from models.timeutil import THAI_MONTHS, be_year, to_be
from services.riskpoints.crime_stats import import_crime_stats, save_crime_stat


def _record_crime(sql):
    """Store the posted figure or import file; an import with bad rows lists each row and stores nothing."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        result = import_crime_stats(sql, upload.read(), upload.filename, by=current_user.username)
        if not result.ok:
            sql.rollback()
            for error in result.errors:
                flash(f"แถวที่ {error.row}: {error.message}", "error")
            return redirect(url_for("admin.riskpoint_crime"))
        message = f"นำเข้าสถิติ {len(result.created)} แถวแล้ว"
    else:
        form = request.form
        try:
            month = pf.parse_month(f"{form.get('month') or ''}/{form.get('year') or ''}")
        except pf.PeriodInputError as error:
            raise Refused(str(error)) from None
        cases = (form.get("cases") or "").translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")).strip()
        if not cases.isdigit():
            raise Refused("จำนวนคดีต้องเป็นตัวเลขจำนวนเต็มตั้งแต่ 0 ขึ้นไป")
        save_crime_stat(
            sql,
            year=be_year(month.first),
            month=month.month,
            crime_type=form.get("crime_type") or "",
            cases=int(cases),
            point_code=form.get("point") or None,
            area=form.get("area") or None,
            district=form.get("district") or None,
            station=form.get("station") or None,
            by=current_user.username,
        )
        message = "บันทึกสถิติแล้ว"
    return Done(message, audit("riskpoint.crime_stat", "crime_stat"))


@bp.route("/riskpoints/crime", methods=["GET", "POST"])
@require_permission(Permission.VIEW_RISKPOINTS)
def riskpoint_crime():
    """Monthly case counts by crime type, per point or area, from the police station: list, enter, import."""
    sql = db()
    if request.method == "POST":
        if not can(current_user, Permission.MANAGE_RISK_UNITS):
            abort(403)
        return perform(lambda: _record_crime(sql), url_for("admin.riskpoint_crime"))
    stats = list(
        sql.scalars(
            select(CrimeStat).order_by(CrimeStat.year.desc(), CrimeStat.month.desc(), CrimeStat.scope).limit(500)
        )
    )
    today = today_bangkok()
    return render_template(
        "admin/riskpoints/crime.html",
        stats=stats,
        months=THAI_MONTHS,
        years=pf.picker_years(today, back=10),
        this_year=be_year(today),
        this_month=today.month,
        can_enter=can(current_user, Permission.MANAGE_RISK_UNITS),
        be_year=to_be,
    )
