"""Risk points in the admin web: registry, import, posters, timelines, today's board, defects, statistics, KPI.

Who may do what is bot/auth.py's table: every role may look (VIEW_RISKPOINTS); admin, secretariat and
district officers create, import, edit, retire points and record camera checks (MANAGE_RISKPOINTS), district
officers only in their districts; a broken camera issues a numbered letter (ISSUE_LETTERS); letters are
downloaded with DOWNLOAD_LETTERS; units, work-order resends and crime figures are MANAGE_RISK_UNITS (admin
and secretariat). Timelines and photos show who checked in (VIEW_PATROL_DETAIL, personal data): every such
view is audited.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from bot.admin.blueprint import bp
from bot.admin.request_session import db
from bot.auth import Permission, can, district_clause, may_act_in, require_permission, visible_districts
from handlers.month_reports import submit
from models import (
    CameraCheck,
    CameraStatus,
    Chat,
    CheckAttempt,
    CoordinationLetter,
    CrimeStat,
    Defect,
    DefectStatus,
    MediaFile,
    Member,
    MonthlySubmission,
    OrderStatus,
    PatrolCheck,
    RiskCamera,
    RiskPhoto,
    RiskPoint,
    RiskUnit,
    RoundMiss,
    UnitKind,
    WorkOrder,
)
from models.districts import DISTRICTS
from models.settings import get_setting
from models.timeutil import THAI_MONTHS, be_year, fiscal_quarter, fiscal_year, thai_date, to_bangkok, utcnow
from reports import riskpoint_compliance as rc
from reports.riskpoint_month import unit_figures
from services.audit import record_request
from services.riskpoints import ops
from services.riskpoints import registry as domain
from texts import riskpoints as t

FORM_FIELDS = ("code", "name", "district", "subdistrict", "latitude", "longitude", "kind", "radius_m")
FORM_FIELDS += ("patrol_unit", "required_patrols", "photo_required", "cameras", "active_from")
LABELS = {
    "defect_status": {"open": "ยังไม่แก้ไข", "closed": "แก้ไขแล้ว"},
    "order_status": t.ORDER_STATUS,
    "kinds": t.CONDITIONS,
    "point_kinds": domain.POINT_KINDS,
    "unit_kinds": {"patrol": "หน่วยสายตรวจ", "department": "หน่วยงานแก้ไข", "secretariat": "ฝ่ายเลขานุการ"},
    "camera_status": {"working": "ใช้งานได้", "broken": "ชำรุด"},
    "method": {"on_site": "สายตรวจ ณ จุด", "centre": "ศูนย์ควบคุมกล้อง"},
    "attempt": {"outside": "อยู่นอกรัศมี", "reused": "ใช้ตำแหน่งซ้ำ"},
    "miss_reasons": t.MISS_REASONS,
}


@bp.app_template_global("rp_label")
def rp_label(group: str, key: object) -> str:
    """The Thai label of a risk-point code (defect kind, order status ...)."""
    value = getattr(key, "value", key)
    return LABELS.get(group, {}).get(value, "–" if value is None else str(value))


@bp.app_template_filter("rp_date")
def rp_date(day) -> str:
    """A date in Thai with the Buddhist Era year, e.g. 16 พ.ย. 2569."""
    return thai_date(day, short=True) if day is not None else "–"


def _may_see(district: str | None) -> bool:
    districts = visible_districts(current_user)
    return districts is None or district in districts


def _may_edit(district: str | None) -> bool:
    return may_act_in(current_user, Permission.MANAGE_RISKPOINTS, district)


def _point_or_404(code: str) -> RiskPoint:
    point = db().scalar(select(RiskPoint).where(RiskPoint.code == code.upper()))
    if point is None or not _may_see(point.district):
        abort(404)
    return point


def _today() -> date:
    return to_bangkok(utcnow()).date()


def _districts() -> list[str]:
    seen = visible_districts(current_user)
    return [d for d in DISTRICTS if seen is None or d in seen]


# --- registry ------------------------------------------------------------------------------------------


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
        districts=_districts(),
        can_edit=can(current_user, Permission.MANAGE_RISKPOINTS),
        basic_id=current_app.config.get("LINE_BOT_BASIC_ID"),
    )


def _form_values() -> dict:
    return {name: (request.form.get(name) or "").strip() for name in FORM_FIELDS}


@bp.route("/riskpoints/new", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_RISKPOINTS)
def riskpoint_new():
    """Register a point."""
    values, error = {"required_patrols": "2", "active_from": _today().isoformat()}, None
    if request.method == "POST":
        values = _form_values()
        sql = db()
        if not _may_edit(values.get("district")):
            error = "ท่านเพิ่มจุดได้เฉพาะในเขตที่รับผิดชอบ"
        else:
            try:
                point = domain.save_point(sql, values)
            except domain.RiskPointError as exc:
                sql.rollback()
                error = str(exc)
            else:
                record_request(sql, "riskpoint.create", object_type="risk_point", object_id=point.code)
                sql.commit()
                flash(f"เพิ่มจุด {point.code} แล้ว", "success")
                return redirect(url_for("admin.riskpoint_detail", code=point.code))
    return render_template(
        "admin/riskpoints/form.html",
        values=values,
        error=error,
        point=None,
        units=_patrol_units(),
        districts=_districts(),
        point_kinds=domain.POINT_KINDS,
    )


def _patrol_units() -> list[RiskUnit]:
    return list(db().scalars(select(RiskUnit).where(RiskUnit.kind == UnitKind.PATROL).order_by(RiskUnit.name)))


@bp.route("/riskpoints/<code>/edit", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_RISKPOINTS)
def riskpoint_edit(code: str):
    """Change a point (its code stays)."""
    point = _point_or_404(code)
    if not _may_edit(point.district):
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
    error = None
    if request.method == "POST":
        values = {**_form_values(), "code": point.code}
        sql = db()
        if not _may_edit(values.get("district")):
            error = "ท่านย้ายจุดไปเขตที่ไม่ได้รับผิดชอบไม่ได้"
        else:
            try:
                domain.save_point(sql, values, point=point)
            except domain.RiskPointError as exc:
                sql.rollback()
                error = str(exc)
            else:
                record_request(sql, "riskpoint.update", object_type="risk_point", object_id=point.code)
                sql.commit()
                flash(f"บันทึกการแก้ไข {point.code} แล้ว", "success")
                return redirect(url_for("admin.riskpoint_detail", code=point.code))
    return render_template(
        "admin/riskpoints/form.html",
        values=values,
        error=error,
        point=point,
        units=_patrol_units(),
        districts=_districts(),
        point_kinds=domain.POINT_KINDS,
    )


@bp.post("/riskpoints/<code>/retire")
@require_permission(Permission.MANAGE_RISKPOINTS)
def riskpoint_retire(code: str):
    """Retire a point (or bring it back with reinstate=1); its history stays."""
    point = _point_or_404(code)
    if not _may_edit(point.district):
        abort(403)
    sql = db()
    if request.form.get("reinstate"):
        domain.reinstate_point(sql, point)
        flash(f"นำจุด {point.code} กลับมาใช้งานแล้ว", "success")
    else:
        domain.retire_point(sql, point)
        flash(f"เลิกใช้จุด {point.code} แล้ว ประวัติทั้งหมดยังอยู่", "success")
    record_request(sql, "riskpoint.retire", object_type="risk_point", object_id=point.code)
    sql.commit()
    return redirect(url_for("admin.riskpoint_detail", code=point.code))


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
            result = domain.import_points(sql, upload.read(), upload.filename)
            outside = [] if not result.ok else _outside_scope(sql, result.created + result.updated)
            if outside:
                sql.rollback()
                result = domain.ImportResult(
                    errors=[domain.RowError(0, "เขต", f"{c}: นอกเขตที่ท่านรับผิดชอบ") for c in outside]
                )
            elif result.ok:
                record_request(
                    sql, "riskpoint.import", object_type="risk_point", count=len(result.created + result.updated)
                )
                sql.commit()
                flash(f"นำเข้าแล้ว: เพิ่ม {len(result.created)} จุด แก้ไข {len(result.updated)} จุด", "success")
                return redirect(url_for("admin.riskpoints"))
            else:
                sql.rollback()
    return render_template("admin/riskpoints/import.html", result=result)


def _outside_scope(sql, codes: list[str]) -> list[str]:
    points = sql.scalars(select(RiskPoint).where(RiskPoint.code.in_(codes)))
    return [p.code for p in points if not _may_edit(p.district)]


@bp.get("/riskpoints/import-template.csv")
@require_permission(Permission.MANAGE_RISKPOINTS)
def riskpoint_import_template():
    """An example import file."""
    return Response(
        domain.template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=riskpoints-template.csv"},
    )


@bp.get("/riskpoints/<code>/poster.pdf")
@require_permission(Permission.VIEW_RISKPOINTS)
def riskpoint_poster(code: str):
    """A printable A4 poster of one point with its check-in QR code."""
    from reports.documents import posters  # reportlab and qrcode load only when a poster is made

    point = _point_or_404(code)
    return _pdf(
        lambda basic, office: posters.poster_pdf([point], basic_id=basic, office=office), f"poster-{point.code}.pdf"
    )


@bp.get("/riskpoints/sheet.pdf")
@require_permission(Permission.VIEW_RISKPOINTS)
def riskpoint_sheet():
    """A district's active points on QR sheets."""
    from reports.documents import posters  # reportlab and qrcode load only when a poster is made

    district = request.args.get("district") or ""
    if not _may_see(district):
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
    from reports.documents import posters

    try:
        data = make(current_app.config.get("LINE_BOT_BASIC_ID"), str(get_setting(db(), "riskpoints.office_name")))
    except posters.PosterError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.riskpoints"))
    return Response(data, mimetype="application/pdf", headers={"Content-Disposition": f"inline; filename={name}"})


# --- a point's timeline, photos, letters ----------------------------------------------------------------


@bp.get("/riskpoints/<code>")
@require_permission(Permission.VIEW_RISKPOINTS)
def riskpoint_detail(code: str):
    """A point's timeline: checks with photos, refused attempts, camera checks, defects and work orders."""
    point = _point_or_404(code)
    sql = db()
    since = _today() - timedelta(days=int(request.args.get("days", 30) or 30))
    checks = list(
        sql.scalars(
            select(PatrolCheck)
            .where(PatrolCheck.point_id == point.id, PatrolCheck.patrol_day >= since)
            .order_by(PatrolCheck.checked_at.desc())
        )
    )
    attempts = list(
        sql.scalars(
            select(CheckAttempt)
            .where(CheckAttempt.point_id == point.id, CheckAttempt.attempted_at >= rc.day_span(since).starts)
            .order_by(CheckAttempt.attempted_at.desc())
        )
    )
    camera_checks = list(
        sql.scalars(
            select(CameraCheck)
            .where(CameraCheck.point_id == point.id, CameraCheck.check_day >= since)
            .order_by(CameraCheck.checked_at.desc())
        )
    )
    defects = list(sql.scalars(select(Defect).where(Defect.point_id == point.id).order_by(Defect.opened_at.desc())))
    photos = _photos_of(sql, defects)
    member_ids = {c.member_id for c in checks + attempts + camera_checks if c.member_id}
    see_people = can(current_user, Permission.VIEW_PATROL_DETAIL)
    names = {}
    if see_people and member_ids:
        names = {
            m.id: m.full_name or m.display_name or m.reporter_code
            for m in sql.scalars(select(Member).where(Member.id.in_(member_ids)))
        }
    misses = list(
        sql.scalars(
            select(RoundMiss)
            .where(RoundMiss.point_id == point.id, RoundMiss.patrol_day >= since)
            .order_by(RoundMiss.patrol_day.desc())
        )
    )
    letters_ = {
        le.defect_id: le
        for le in sql.scalars(
            select(CoordinationLetter).where(CoordinationLetter.defect_id.in_([d.id for d in defects] or [-1]))
        )
    }
    record_request(sql, "view.riskpoint_timeline", object_type="risk_point", object_id=point.code, checks=len(checks))
    html = render_template(
        "admin/riskpoints/point.html",
        point=point,
        checks=checks,
        attempts=attempts,
        camera_checks=camera_checks,
        defects=defects,
        photos=photos,
        names=names,
        see_people=see_people,
        misses=misses,
        letters=letters_,
        may_download=can(current_user, Permission.DOWNLOAD_LETTERS),
        doc_number=lambda le: ops.doc_number(sql, le),
        radius=ops.radius_of(sql, point),
        photo_required=ops.photo_required(sql, point),
        can_edit=_may_edit(point.district),
        now=utcnow(),
        since=since,
    )
    sql.commit()
    return html


def _photos_of(sql, defects: list[Defect]) -> dict[tuple[str, int], list[RiskPhoto]]:
    """Before photos by defect and after photos by order."""
    found: dict[tuple[str, int], list[RiskPhoto]] = {}
    ids = [d.id for d in defects]
    orders = [d.order.id for d in defects if d.order]
    query = select(RiskPhoto).where(or_(RiskPhoto.defect_id.in_(ids or [-1]), RiskPhoto.order_id.in_(orders or [-1])))
    for photo in sql.scalars(query.order_by(RiskPhoto.sent_at)):
        key = ("defect", photo.defect_id) if photo.defect_id else ("order", photo.order_id)
        found.setdefault(key, []).append(photo)
    return found


def _photo_point(sql, media_id: int) -> RiskPoint | None:
    """The point a risk-point photo belongs to (None: not a risk-point photo)."""
    point_id = sql.scalar(select(PatrolCheck.point_id).where(PatrolCheck.photo_media_id == media_id))
    point_id = point_id or sql.scalar(select(CameraCheck.point_id).where(CameraCheck.photo_media_id == media_id))
    if point_id is None:
        photo = sql.scalar(select(RiskPhoto).where(RiskPhoto.media_id == media_id))
        if photo is not None and photo.defect_id:
            point_id = sql.get(Defect, photo.defect_id).point_id
        elif photo is not None and photo.order_id:
            point_id = sql.get(WorkOrder, photo.order_id).defect.point_id
    return sql.get(RiskPoint, point_id) if point_id else None


@bp.get("/riskpoints/photos/<int:media_id>")
@require_permission(Permission.VIEW_PATROL_DETAIL)
def riskpoint_photo(media_id: int):
    """A risk-point photo (the stored copy without metadata); audited."""
    sql = db()
    point = _photo_point(sql, media_id)
    media = sql.get(MediaFile, media_id)
    if point is None or media is None or not _may_see(point.district) or not (media.shown_path or media.path):
        abort(404)
    record_request(sql, "view.riskpoint_photo", object_type="media_file", object_id=media_id)
    sql.commit()
    path = domain_media_path(media.shown_path or media.path)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype=media.content_type or "image/jpeg", max_age=0)


def domain_media_path(relative: str):
    """The absolute path of a stored media file."""
    from pathlib import Path

    return Path(current_app.config["MEDIA_DIR"]) / relative


@bp.get("/riskpoints/letters/<int:letter_id>.docx")
@require_permission(Permission.DOWNLOAD_LETTERS)
def riskpoint_letter(letter_id: int):
    """A coordination letter as DOCX (rendered with the photo once it is downloaded)."""
    from reports.documents import coordination_letter as letters  # python-docx loads only when a letter is made

    sql = db()
    letter = sql.get(CoordinationLetter, letter_id)
    if letter is None or not _may_see(letter.camera.point.district):
        abort(404)
    data = letters.render_letter(sql, letter, current_app.config["MEDIA_DIR"])
    record_request(sql, "riskpoint.letter_download", object_type="letter", object_id=letter.id)
    sql.commit()
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": f"attachment; filename={letters.filename(letter)}"},
    )


# --- today's board and camera checks by the monitoring centre ----------------------------------------


@bp.get("/riskpoints/board")
@require_permission(Permission.VIEW_RISKPOINTS)
def riskpoint_board():
    """Today's board: each point's rounds so far, its cameras checked today, its open defects."""
    sql = db()
    today = _today()
    points = list(
        sql.scalars(
            select(RiskPoint)
            .where(RiskPoint.retired_on.is_(None), district_clause(current_user, RiskPoint.district))
            .order_by(RiskPoint.district, RiskPoint.code)
        )
    )
    ids = [p.id for p in points] or [-1]
    patrol_day, _ = ops.round_of(sql, points[0], utcnow()) if points else (today, 0)
    rounds = {}
    for point_id, round_no in sql.execute(
        select(PatrolCheck.point_id, PatrolCheck.round_no)
        .where(PatrolCheck.patrol_day == patrol_day, PatrolCheck.point_id.in_(ids), PatrolCheck.round_no > 0)
        .distinct()
    ):
        rounds.setdefault(point_id, set()).add(round_no)
    checked = {
        camera_id: status
        for camera_id, status in sql.execute(
            select(CameraCheck.camera_id, CameraCheck.status)
            .where(CameraCheck.check_day == today, CameraCheck.point_id.in_(ids))
            .order_by(CameraCheck.checked_at)
        )
    }
    open_defects = dict(
        sql.execute(
            select(Defect.point_id, func.count())
            .where(Defect.status == DefectStatus.OPEN, Defect.point_id.in_(ids))
            .group_by(Defect.point_id)
        ).all()
    )
    return render_template(
        "admin/riskpoints/board.html",
        points=points,
        rounds=rounds,
        checked=checked,
        open_defects=open_defects,
        today=today,
        patrol_day=patrol_day,
        round_names={n: ops.round_label(sql, n) for n in range(1, 7)},
        can_check=can(current_user, Permission.MANAGE_RISKPOINTS),
    )


@bp.post("/riskpoints/cameras/<int:camera_id>/check")
@require_permission(Permission.MANAGE_RISKPOINTS)
def riskpoint_camera_check(camera_id: int):
    """The monitoring centre records a camera's daily check (broken opens a defect and a letter)."""
    sql = db()
    camera = sql.get(RiskCamera, camera_id)
    if camera is None or not _may_edit(camera.point.district):
        abort(404)
    try:
        status = CameraStatus(request.form.get("status", "working"))
    except ValueError:
        abort(400)
    if status == CameraStatus.BROKEN and not may_act_in(current_user, Permission.ISSUE_LETTERS, camera.point.district):
        abort(403)  # a broken camera issues a numbered coordination letter
    _, _, letter, closed = domain.centre_camera_check(
        sql, camera, status, by=current_user.username, note=request.form.get("note") or None, at=None
    )
    record_request(sql, "riskpoint.camera_check", object_type="camera", object_id=camera.code, status=status.value)
    sql.commit()
    if letter is not None:
        flash(f"บันทึกกล้อง {camera.code} ชำรุด ออกหนังสือเลขที่ {ops.doc_number(sql, letter)} แล้ว", "warning")
    else:
        note = " และปิดเรื่องชำรุดแล้ว" if closed else ""
        flash(f"บันทึกผลตรวจกล้อง {camera.code}: {rp_label('camera_status', status)}{note}", "success")
    return redirect(request.form.get("next") or url_for("admin.riskpoint_board"))


# --- defects and work orders ------------------------------------------------------------------------------


@bp.get("/riskpoints/defects")
@require_permission(Permission.VIEW_RISKPOINTS)
def riskpoint_defects():
    """Defects and their work orders: status, department, days open."""
    sql = db()
    status = request.args.get("status", "open")
    query = (
        select(Defect)
        .join(RiskPoint, RiskPoint.id == Defect.point_id)
        .where(district_clause(current_user, RiskPoint.district))
        .order_by(Defect.opened_at.desc())
    )
    if status in ("open", "closed"):
        query = query.where(Defect.status == DefectStatus(status))
    defects = list(sql.scalars(query.limit(500)))
    return render_template("admin/riskpoints/defects.html", defects=defects, status=status, now=utcnow())


@bp.post("/riskpoints/orders/<int:order_id>/resend")
@require_permission(Permission.MANAGE_RISK_UNITS)
def riskpoint_order_resend(order_id: int):
    """Send a work order's card to its department's group again (e.g. after binding the group)."""
    sql = db()
    order = sql.get(WorkOrder, order_id)
    if order is None:
        abort(404)
    if order.unit_id is None:
        order.unit = ops.department_for(sql, order.defect.kind)
    sent = ops.send_order(sql, order, domain.outbox(sql, "riskpoints:order"))
    sql.commit()
    flash("ส่งงานให้หน่วยงานแล้ว" if sent else "หน่วยงานนี้ยังไม่ได้ผูกกับกลุ่ม LINE", "success" if sent else "error")
    return redirect(url_for("admin.riskpoint_defects"))


# --- crime statistics -------------------------------------------------------------------------------------


@bp.route("/riskpoints/crime", methods=["GET", "POST"])
@require_permission(Permission.VIEW_RISKPOINTS)
def riskpoint_crime():
    """Monthly case counts by crime type, per point or area, from the police station: list, enter, import."""
    sql = db()
    if request.method == "POST":
        if not can(current_user, Permission.MANAGE_RISK_UNITS):
            abort(403)
        upload = request.files.get("file")
        try:
            if upload is not None and upload.filename:
                result = domain.import_crime_stats(sql, upload.read(), upload.filename, by=current_user.username)
                if not result.ok:
                    sql.rollback()
                    for error in result.errors:
                        flash(f"แถวที่ {error.row}: {error.message}", "error")
                    return redirect(url_for("admin.riskpoint_crime"))
                flash(f"นำเข้าสถิติ {len(result.created)} แถวแล้ว", "success")
            else:
                form = request.form
                domain.save_crime_stat(
                    sql,
                    year=int(form.get("year") or 0),
                    month=int(form.get("month") or 0),
                    crime_type=form.get("crime_type") or "",
                    cases=int(form.get("cases") or -1),
                    point_code=form.get("point") or None,
                    area=form.get("area") or None,
                    district=form.get("district") or None,
                    station=form.get("station") or None,
                    by=current_user.username,
                )
                flash("บันทึกสถิติแล้ว", "success")
        except (domain.RiskPointError, ValueError) as exc:
            sql.rollback()
            flash(str(exc), "error")
            return redirect(url_for("admin.riskpoint_crime"))
        record_request(sql, "riskpoint.crime_stat", object_type="crime_stat")
        sql.commit()
        return redirect(url_for("admin.riskpoint_crime"))
    stats = list(
        sql.scalars(
            select(CrimeStat).order_by(CrimeStat.year.desc(), CrimeStat.month.desc(), CrimeStat.scope).limit(500)
        )
    )
    today = _today()
    return render_template(
        "admin/riskpoints/crime.html",
        stats=stats,
        months=THAI_MONTHS,
        this_year=be_year(today),
        this_month=today.month,
        can_enter=can(current_user, Permission.MANAGE_RISK_UNITS),
        be_year=lambda y: y + 543,
    )


# --- compliance ------------------------------------------------------------------------------------------


def _span_from_args() -> tuple[rc.Span, str, date | None]:
    """The span asked for: ?month=2569-11, ?quarter=2569-1, ?year=2569 (fiscal) or ?day=2026-11-16."""
    today = _today()
    args = request.args
    if args.get("day"):
        day = date.fromisoformat(args["day"])
        return rc.day_span(day), f"วันที่ {day.day} {THAI_MONTHS[day.month - 1]} {be_year(day)}", today
    if args.get("quarter"):
        fy, q = (int(x) for x in args["quarter"].split("-"))
        return rc.quarter_span(fy, q), f"ปีงบประมาณ {fy} ไตรมาสที่ {q}", today
    if args.get("year"):
        fy = int(args["year"])
        return rc.fiscal_year_span(fy), f"ปีงบประมาณ {fy}", today
    if args.get("month"):
        y, m = (int(x) for x in args["month"].split("-"))
    else:
        y, m = be_year(today), today.month
    return rc.month_span(y, m), f"เดือน{THAI_MONTHS[m - 1]} {y if y > 2400 else y + 543}", today


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
    today = _today()
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


# --- units and month reports ------------------------------------------------------------------------------


@bp.route("/riskpoints/units", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_RISK_UNITS)
def riskpoint_units():
    """Patrol units, departments and the secretariat: bind each to its registered LINE group; month reports."""
    sql = db()
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "create":
                unit = domain.create_unit(
                    sql,
                    code=request.form.get("code") or "",
                    name=request.form.get("name") or "",
                    kind=request.form.get("kind") or "patrol",
                    district=request.form.get("district") or None,
                )
                flash(f"เพิ่มหน่วย {unit.name} แล้ว", "success")
            elif action == "defaults":
                created = domain.ensure_default_units(sql)
                flash(f"เพิ่มหน่วยตั้งต้น {len(created)} หน่วย", "success")
            elif action == "bind":
                unit = sql.get(RiskUnit, int(request.form.get("unit_id") or 0))
                chat_id = request.form.get("chat_id")
                chat = sql.get(Chat, int(chat_id)) if chat_id else None
                if unit is None:
                    abort(404)
                domain.bind_unit(sql, unit, chat)
                flash(f"ผูก {unit.name} กับกลุ่ม LINE แล้ว" if chat else f"ยกเลิกการผูกกลุ่มของ {unit.name} แล้ว", "success")
            elif action == "submit":
                unit = sql.get(RiskUnit, int(request.form.get("unit_id") or 0))
                year, month = (int(x) for x in (request.form.get("month") or "").split("-"))
                year = year - 543 if year > 2400 else year
                submit(
                    sql,
                    unit,
                    year,
                    month,
                    at=utcnow(),
                    by=current_user.username,
                    figures=unit_figures(sql, unit, year, month),
                    note=request.form.get("note") or None,
                )
                flash(f"บันทึกรายงานประจำเดือนของ {unit.name} แล้ว", "success")
        except (domain.RiskPointError, ValueError) as exc:
            sql.rollback()
            flash(str(exc), "error")
            return redirect(url_for("admin.riskpoint_units"))
        record_request(sql, f"riskpoint.unit_{action}", object_type="risk_unit")
        sql.commit()
        return redirect(url_for("admin.riskpoint_units"))
    today = _today()
    previous = date(today.year - 1, 12, 1) if today.month == 1 else date(today.year, today.month - 1, 1)
    submissions = {
        s.unit_id: s
        for s in sql.scalars(
            select(MonthlySubmission).where(
                MonthlySubmission.year == previous.year, MonthlySubmission.month == previous.month
            )
        )
    }
    return render_template(
        "admin/riskpoints/units.html",
        units=list(sql.scalars(select(RiskUnit).order_by(RiskUnit.kind, RiskUnit.name))),
        groups=domain.registered_groups(sql, ("patrol", "department")),
        chats={c.id: c for c in sql.scalars(select(Chat).where(Chat.registered_at.is_not(None)))},
        submissions=submissions,
        previous=previous,
        previous_label=f"{THAI_MONTHS[previous.month - 1]} {be_year(previous)}",
        due=rc.due_instant(sql, previous.year, previous.month),
        districts=DISTRICTS,
        mapping=get_setting(sql, "riskpoints.defect_departments"),
        order_statuses=OrderStatus,
    )
