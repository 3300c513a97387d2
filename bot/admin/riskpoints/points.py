"""The point registry: the list, the form to add or change a point, retiring and reinstating."""

from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from bot.admin.actions import Done, audit, audited, finish
from bot.admin.blueprint import bp
from bot.admin.riskpoints.common import may_edit, point_or_404, today_bangkok, visible_district_names
from bot.auth import Permission, can, district_clause, require_permission
from bot.request_session import db
from models import RiskPoint, RiskUnit, UnitKind
from services.riskpoints.errors import RiskPointError
from services.riskpoints.registry import reinstate_point, retire_point, save_point
from texts import riskpoints as t

FORM_FIELDS = ("code", "name", "district", "subdistrict", "latitude", "longitude", "kind", "radius_m")
FORM_FIELDS += ("patrol_unit", "required_patrols", "photo_required", "cameras", "active_from")


@bp.get("/riskpoints/")
@require_permission(Permission.VIEW_RISKPOINTS)
def riskpoints():
    """The point registry, by district, active or retired."""
    sql = db()
    district = request.args.get("district") or None
    show = request.args.get("show", "active")
    query = select(RiskPoint).where(district_clause(current_user, RiskPoint.district)).order_by(RiskPoint.code)
    if district:
        query = query.where(RiskPoint.district == district)
    if show == "active":
        query = query.where(RiskPoint.retired_on.is_(None))
    elif show == "retired":
        query = query.where(RiskPoint.retired_on.is_not(None))
    points = list(sql.scalars(query))
    return render_template(
        "admin/riskpoints/list.html",
        points=points,
        district=district,
        show=show,
        districts=visible_district_names(),
        can_edit=can(current_user, Permission.MANAGE_RISKPOINTS),
        basic_id=current_app.config.get("LINE_BOT_BASIC_ID"),
    )


def _live_cameras(point: RiskPoint | None) -> list:
    return [c for c in point.cameras if c.retired_on is None] if point is not None else []


def _camera_field(camera) -> str:
    return f"camera_start_{camera.id}"


def _form_values(point: RiskPoint | None) -> dict:
    values = {name: (request.form.get(name) or "").strip() for name in FORM_FIELDS}
    for field in map(_camera_field, _live_cameras(point)):
        if field in request.form:
            values[field] = request.form[field].strip()
    return values


def _camera_starts(point: RiskPoint | None, values: dict) -> dict[str, str]:
    """The start each camera was given in the form, by camera code (only the cameras the form showed)."""
    return {c.code: values[_camera_field(c)] for c in _live_cameras(point) if _camera_field(c) in values}


def _starts_of(point: RiskPoint | None) -> dict[str, str]:
    return {c.code: c.active_from.isoformat() for c in point.cameras} if point is not None else {}


def _point_form(point: RiskPoint | None, values: dict, refusal: str):
    """The point form; a POST saves it (audited) and goes to the point, or shows the form again with why not."""
    error = None
    if request.method == "POST":
        values = _form_values(point) if point is None else {**_form_values(point), "code": point.code}
        error = None if may_edit(values.get("district")) else refusal
        if error is None:
            before = _starts_of(point)
            try:
                saved = save_point(db(), {**values, "camera_starts": _camera_starts(point, values)}, point=point)
            except RiskPointError as exc:
                db().rollback()
                error = str(exc)
            else:
                action, message = (
                    ("riskpoint.create", "เพิ่มจุด") if point is None else ("riskpoint.update", "บันทึกการแก้ไข")
                )
                moved = {code: day for code, day in _starts_of(saved).items() if before.get(code, day) != day}
                detail = {"camera_starts": moved} if moved else {}
                done = Done(f"{message} {saved.code} แล้ว", audit(action, "risk_point", saved.code, **detail))
                return finish(done, url_for("admin.riskpoint_detail", code=saved.code))
    return render_template(
        "admin/riskpoints/form.html",
        values=values,
        error=error,
        point=point,
        cameras=_live_cameras(point),
        units=_patrol_units(),
        districts=visible_district_names(),
        point_kinds=t.POINT_KINDS,
    )


def _patrol_units() -> list[RiskUnit]:
    return list(db().scalars(select(RiskUnit).where(RiskUnit.kind == UnitKind.PATROL).order_by(RiskUnit.name)))


@bp.route("/riskpoints/new", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_RISKPOINTS)
def riskpoint_new():
    """Register a point."""
    values = {"required_patrols": "2", "active_from": today_bangkok().isoformat()}
    return _point_form(None, values, "ท่านเพิ่มจุดได้เฉพาะในเขตที่รับผิดชอบ")


@bp.route("/riskpoints/<code>/edit", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_RISKPOINTS)
def riskpoint_edit(code: str):
    """Change a point (its code stays)."""
    point = point_or_404(code)
    if not may_edit(point.district):
        abort(403)
    cameras = "; ".join(f"{c.code}: {c.owner_agency}" for c in point.cameras if c.retired_on is None)
    values = {
        "code": point.code,
        "name": point.name,
        "district": point.district,
        "subdistrict": point.subdistrict or "",
        "latitude": point.latitude,
        "longitude": point.longitude,
        "kind": point.kind,
        "radius_m": point.radius_m or "",
        "patrol_unit": point.patrol_unit.code if point.patrol_unit else "",
        "required_patrols": point.required_patrols,
        "photo_required": {True: "ใช่", False: "ไม่"}.get(point.photo_required, ""),
        "cameras": cameras,
        "active_from": point.active_from.isoformat(),
    }
    values |= {_camera_field(c): c.active_from.isoformat() for c in _live_cameras(point)}
    return _point_form(point, values, "ท่านย้ายจุดไปเขตที่ไม่ได้รับผิดชอบไม่ได้")


@bp.post("/riskpoints/<code>/retire")
@require_permission(Permission.MANAGE_RISKPOINTS)
@audited("admin.riskpoint_detail")
def riskpoint_retire(code: str):
    """Retire a point (or bring it back with reinstate=1); its history stays."""
    point = point_or_404(code)
    if not may_edit(point.district):
        abort(403)
    if request.form.get("reinstate"):
        reinstate_point(db(), point)
        message = f"นำจุด {point.code} กลับมาใช้งานแล้ว"
    else:
        retire_point(db(), point)
        message = f"เลิกใช้จุด {point.code} แล้ว ประวัติทั้งหมดยังอยู่"
    to = url_for("admin.riskpoint_detail", code=point.code)
    return Done(message, audit("riskpoint.retire", "risk_point", point.code), to=to)
