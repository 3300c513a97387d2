"""Importing points from CSV/XLSX (all rows or none) and the example file."""

from __future__ import annotations

from flask import Response, flash, render_template, request, url_for
from sqlalchemy import select

from bot.admin.actions import Done, audit, finish
from bot.admin.blueprint import bp
from bot.admin.riskpoints.common import may_edit
from bot.auth import Permission, require_permission
from bot.request_session import db
from models import RiskPoint
from services.riskpoints.importing import ImportResult, RowError, import_points, template_csv


@bp.route("/riskpoints/import", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_RISKPOINTS)
def riskpoint_import():
    """Import points from CSV/XLSX: all rows or none, every error listed by row."""
    result = None
    if request.method == "POST":
        upload = request.files.get("file")
        sql = db()
        if upload is None or not upload.filename:
            flash("กรุณาเลือกไฟล์ CSV หรือ XLSX", "error")
        else:
            result = import_points(sql, upload.read(), upload.filename)
            outside = [] if not result.ok else _outside_scope(sql, result.created + result.updated)
            if outside:
                sql.rollback()
                result = ImportResult(errors=[RowError(0, "เขต", f"{c}: นอกเขตที่ท่านรับผิดชอบ") for c in outside])
            elif result.ok:
                message = f"นำเข้าแล้ว: เพิ่ม {len(result.created)} จุด แก้ไข {len(result.updated)} จุด"
                entry = audit("riskpoint.import", "risk_point", count=len(result.created + result.updated))
                return finish(Done(message, entry), url_for("admin.riskpoints"))
            else:
                sql.rollback()
    return render_template("admin/riskpoints/import.html", result=result)


def _outside_scope(sql, codes: list[str]) -> list[str]:
    points = sql.scalars(select(RiskPoint).where(RiskPoint.code.in_(codes)))
    return [p.code for p in points if not may_edit(p.district)]


@bp.get("/riskpoints/import-template.csv")
@require_permission(Permission.MANAGE_RISKPOINTS)
def riskpoint_import_template():
    """An example import file."""
    return Response(
        template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=riskpoints-template.csv"},
    )
