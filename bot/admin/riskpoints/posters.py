"""Printable QR posters: one point, or a district's active points on sheets."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, request, url_for
from sqlalchemy import select

from bot.admin.blueprint import bp
from bot.admin.riskpoints.common import may_see, point_or_404
from bot.auth import Permission, require_permission
from bot.request_session import db
from models import RiskPoint
from models.office import office_profile
from reports.documents import posters


@bp.get("/riskpoints/<code>/poster.pdf")
@require_permission(Permission.VIEW_RISKPOINTS)
def riskpoint_poster(code: str):
    """A printable A4 poster of one point with its check-in QR code."""
    point = point_or_404(code)
    return _pdf(
        lambda basic, office: posters.poster_pdf([point], basic_id=basic, office=office), f"poster-{point.code}.pdf"
    )


@bp.get("/riskpoints/sheet.pdf")
@require_permission(Permission.VIEW_RISKPOINTS)
def riskpoint_sheet():
    """A district's active points on QR sheets."""
    district = request.args.get("district") or ""
    if not may_see(district):
        abort(404)
    points = list(
        db().scalars(
            select(RiskPoint)
            .where(RiskPoint.district == district, RiskPoint.retired_on.is_(None))
            .order_by(RiskPoint.code)
        )
    )
    return _pdf(
        lambda basic, office: posters.sheet_pdf(points, basic_id=basic, office=office, district=district),
        f"riskpoints-{district}.pdf",
    )


def _pdf(make, name: str):
    try:
        data = make(current_app.config.get("LINE_BOT_BASIC_ID"), office_profile(db()).name)
    except posters.PosterError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.riskpoints"))
    return Response(data, mimetype="application/pdf", headers={"Content-Disposition": f"inline; filename={name}"})
