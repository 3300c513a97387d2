"""GET /api/v1/riskpoints, .../checks, .../defects, .../orders, .../compliance: risk points as JSON.

Every role may read (VIEW_RISKPOINTS); district officers see their districts only. A patrol check names the
member who checked in (personal data): only roles with VIEW_PATROL_DETAIL get the member id, and that read
is audited; the viewer gets the checks without it.
"""

from __future__ import annotations

from datetime import date

from flask import abort, request
from sqlalchemy import select

from bot.api.access import api_user, require_api_permission
from bot.api.blueprint import bp
from bot.api.pagination import page_args, paginate
from bot.api.responses import api_error, iso, item_response, list_response
from bot.audit import record_request
from bot.auth import Permission, can, district_clause, visible_districts
from bot.request_session import db
from models import CameraCheck, Defect, DefectStatus, OrderStatus, PatrolCheck, RiskPoint, WorkOrder
from models.periods import Period
from reports import riskpoint_compliance as rc


def serialize_point(point: RiskPoint) -> dict:
    """A point's registry entry and cameras."""
    return {
        "code": point.code,
        "name": point.name,
        "district": point.district,
        "subdistrict": point.subdistrict,
        "latitude": point.latitude,
        "longitude": point.longitude,
        "kind": point.kind,
        "radius_m": point.radius_m,
        "required_patrols": point.required_patrols,
        "photo_required": point.photo_required,
        "patrol_unit": point.patrol_unit.code if point.patrol_unit else None,
        "active_from": point.active_from.isoformat(),
        "retired_on": point.retired_on.isoformat() if point.retired_on else None,
        "cameras": [
            {"code": c.code, "owner_agency": c.owner_agency, "active": c.retired_on is None} for c in point.cameras
        ],
    }


def serialize_check(check: PatrolCheck, *, with_member: bool = True) -> dict:
    """One patrol check (the member id identifies the officer: None unless with_member)."""
    return {
        "id": check.id,
        "point": check.point.code,
        "checked_at": iso(check.checked_at),
        "patrol_day": check.patrol_day.isoformat(),
        "round": check.round_no,
        "distance_m": None if check.distance_m is None else round(check.distance_m, 1),
        "member_id": check.member_id if with_member else None,
        "has_photo": check.photo_media_id is not None,
        "source": check.source,
    }


def serialize_camera_check(check: CameraCheck) -> dict:
    """One daily camera check."""
    return {
        "id": check.id,
        "camera": check.camera.code,
        "checked_at": iso(check.checked_at),
        "day": check.check_day.isoformat(),
        "status": check.status.value,
        "method": check.method,
    }


def serialize_order(order: WorkOrder) -> dict:
    """A work order with its timeline."""
    return {
        "ref": order.ref,
        "status": order.status.value,
        "unit": order.unit.code if order.unit else None,
        "created_at": iso(order.created_at),
        "accepted_at": iso(order.accepted_at),
        "done_at": iso(order.done_at),
        "closed_at": iso(order.closed_at),
        "reopened": order.reopened_count,
        "timeline": [{"at": iso(e.at), "status": e.status} for e in order.events],
    }


def serialize_defect(defect: Defect) -> dict:
    """A defect, its camera and its work order."""
    return {
        "id": defect.id,
        "point": defect.point.code,
        "kind": defect.kind,
        "camera": defect.camera.code if defect.camera else None,
        "status": defect.status.value,
        "note": defect.note,
        "opened_at": iso(defect.opened_at),
        "closed_at": iso(defect.closed_at),
        "order": serialize_order(defect.order) if defect.order else None,
    }


def _scoped(query, column):
    return query.where(district_clause(api_user(), column))


def _day(name: str) -> date | None:
    value = request.args.get(name)
    return date.fromisoformat(value) if value else None


@bp.get("/riskpoints")
@require_api_permission(Permission.VIEW_RISKPOINTS)
def riskpoints_list():
    """Points, by code; ?district=, ?active=1|0."""
    query = _scoped(select(RiskPoint), RiskPoint.district).order_by(RiskPoint.code)
    if request.args.get("district"):
        query = query.where(RiskPoint.district == request.args["district"])
    if request.args.get("active") in ("1", "0"):
        retired = RiskPoint.retired_on.is_(None)
        query = query.where(retired if request.args["active"] == "1" else ~retired)
    page, per_page = page_args(request.args)
    return list_response(paginate(db(), query, page, per_page), serialize_point)


@bp.get("/riskpoints/<code>")
@require_api_permission(Permission.VIEW_RISKPOINTS)
def riskpoints_item(code: str):
    """One point."""
    point = db().scalar(_scoped(select(RiskPoint), RiskPoint.district).where(RiskPoint.code == code.upper()))
    if point is None:
        abort(404)
    return item_response(serialize_point(point))


@bp.get("/riskpoints/checks")
@require_api_permission(Permission.VIEW_RISKPOINTS)
def riskpoints_checks():
    """Patrol checks (newest first); ?point=, ?from=, ?to= (patrol days), ?kind=camera for camera checks."""
    sql = db()
    try:
        first, last = _day("from"), _day("to")
    except ValueError:
        return api_error(400, "bad_request", "from และ to ต้องเป็นวันที่ YYYY-MM-DD")
    camera = request.args.get("kind") == "camera"
    model, day = (CameraCheck, CameraCheck.check_day) if camera else (PatrolCheck, PatrolCheck.patrol_day)
    query = select(model).join(RiskPoint, RiskPoint.id == model.point_id)
    query = _scoped(query, RiskPoint.district).order_by(model.checked_at.desc(), model.id.desc())
    if request.args.get("point"):
        query = query.where(RiskPoint.code == request.args["point"].upper())
    if first:
        query = query.where(day >= first)
    if last:
        query = query.where(day <= last)
    page, per_page = page_args(request.args)
    result = paginate(sql, query, page, per_page)
    with_member = can(api_user(), Permission.VIEW_PATROL_DETAIL)
    if not camera and with_member:
        record_request(sql, "view.riskpoint_checks", object_type="patrol_check", count=len(result.items))
    response = list_response(
        result, serialize_camera_check if camera else lambda check: serialize_check(check, with_member=with_member)
    )
    sql.commit()
    return response


@bp.get("/riskpoints/defects")
@require_api_permission(Permission.VIEW_RISKPOINTS)
def riskpoints_defects():
    """Defects with their work orders (newest first); ?status=open|closed, ?point=."""
    query = select(Defect).join(RiskPoint, RiskPoint.id == Defect.point_id)
    query = _scoped(query, RiskPoint.district).order_by(Defect.opened_at.desc(), Defect.id.desc())
    status = request.args.get("status")
    if status:
        if status not in ("open", "closed"):
            return api_error(400, "bad_request", "status ต้องเป็น open หรือ closed")
        query = query.where(Defect.status == DefectStatus(status))
    if request.args.get("point"):
        query = query.where(RiskPoint.code == request.args["point"].upper())
    page, per_page = page_args(request.args)
    return list_response(paginate(db(), query, page, per_page), serialize_defect)


@bp.get("/riskpoints/orders")
@require_api_permission(Permission.VIEW_RISKPOINTS)
def riskpoints_orders():
    """Work orders (newest first); ?status=new|accepted|in_progress|done|reopened|closed, ?unit=."""
    query = (
        select(WorkOrder)
        .join(Defect, Defect.id == WorkOrder.defect_id)
        .join(RiskPoint, RiskPoint.id == Defect.point_id)
    )
    query = _scoped(query, RiskPoint.district).order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc())
    status = request.args.get("status")
    if status:
        try:
            query = query.where(WorkOrder.status == OrderStatus(status))
        except ValueError:
            return api_error(400, "bad_request", "status ไม่ถูกต้อง")
    page, per_page = page_args(request.args)

    def serialize(order: WorkOrder) -> dict:
        return {**serialize_order(order), "point": order.defect.point.code, "kind": order.defect.kind}

    return list_response(paginate(db(), query, page, per_page), serialize)


@bp.get("/riskpoints/compliance")
@require_api_permission(Permission.VIEW_RISKPOINTS)
def riskpoints_compliance():
    """The KPI: ?month=2569-11 | ?quarter=2569-1 | ?year=2569 | ?from=&to=; office (or the caller's districts)."""
    args = request.args
    try:
        if args.get("quarter"):
            span = Period.of_quarter(*(int(x) for x in args["quarter"].split("-")))
        elif args.get("year"):
            span = Period.of_fiscal_year(int(args["year"]))
        elif args.get("month"):
            span = Period.of_month(*(int(x) for x in args["month"].split("-")))
        else:
            span = Period.between(date.fromisoformat(args["from"]), date.fromisoformat(args["to"]))
    except (KeyError, ValueError, TypeError):
        return api_error(400, "bad_request", "ระบุ month=2569-11, quarter=2569-1, year=2569 หรือ from/to")
    sql = db()
    scope = visible_districts(api_user())
    districts = rc.by_district(sql, span)
    body = {
        "first_day": span.first.isoformat(),
        "last_day": span.last.isoformat(),
        "office": rc.compliance(sql, span).as_dict() if scope is None else None,
        "districts": {name: c.as_dict() for name, c in districts.items() if scope is None or name in scope},
    }
    return item_response(body)
