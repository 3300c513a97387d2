"""A point's timeline (checks, refused attempts, camera checks, defects), its photos and its letters; audited."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from bot.admin.actions import audit, audited_page
from bot.admin.blueprint import bp
from bot.admin.riskpoints.common import may_edit, may_see, point_or_404, today_bangkok
from bot.audit import record_request
from bot.auth import Permission, can, require_permission
from bot.request_session import db
from models import (
    CameraCheck,
    CheckAttempt,
    CoordinationLetter,
    Defect,
    MediaFile,
    Member,
    PatrolCheck,
    RiskPhoto,
    RiskPoint,
    RoundMiss,
    WorkOrder,
)
from models.periods import Period
from models.timeutil import utcnow
from reports.documents import coordination_letter
from reports.documents.numbers import doc_number
from reports.documents.pdf import PdfUnavailable
from services.riskpoints.points import photo_required, radius_of

PDF_UNAVAILABLE = "เครื่องนี้ยังสร้างไฟล์ PDF ไม่ได้ กรุณาดาวน์โหลดไฟล์ Word (DOCX) ของหนังสือฉบับนี้แทน"


@bp.get("/riskpoints/<code>")
@require_permission(Permission.VIEW_RISKPOINTS)
def riskpoint_detail(code: str):
    """A point's timeline: checks with photos, refused attempts, camera checks, defects and work orders."""
    point = point_or_404(code)
    sql = db()
    since = today_bangkok() - timedelta(days=int(request.args.get("days", 30) or 30))
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
            .where(CheckAttempt.point_id == point.id, CheckAttempt.attempted_at >= Period.of_day(since).starts)
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
    return audited_page(
        "admin/riskpoints/point.html",
        audit("view.riskpoint_timeline", "risk_point", point.code, checks=len(checks)),
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
        doc_number=lambda le: doc_number(sql, le),
        radius=radius_of(sql, point),
        photo_required=photo_required(sql, point),
        can_edit=may_edit(point.district),
        now=utcnow(),
        since=since,
    )


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
    if point is None or media is None or not may_see(point.district) or not (media.shown_path or media.path):
        abort(404)
    record_request(sql, "view.riskpoint_photo", object_type="media_file", object_id=media_id)
    sql.commit()
    path = _media_path(media.shown_path or media.path)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype=media.content_type or "image/jpeg", max_age=0)


def _media_path(relative: str) -> Path:
    """The absolute path of a stored media file."""
    return Path(current_app.config["MEDIA_DIR"]) / relative


def _letter_or_404(sql, letter_id: int) -> CoordinationLetter:
    """A coordination letter of a point the user may see, or 404."""
    letter = sql.get(CoordinationLetter, letter_id)
    if letter is None or not may_see(letter.camera.point.district):
        abort(404)
    return letter


@bp.get("/riskpoints/letters/<int:letter_id>.pdf")
@require_permission(Permission.DOWNLOAD_LETTERS)
def riskpoint_letter_pdf(letter_id: int):
    """A coordination letter as PDF, the same letter as its DOCX; audited."""
    sql = db()
    letter = _letter_or_404(sql, letter_id)
    try:
        data = coordination_letter.render_pdf(sql, letter, current_app.config["MEDIA_DIR"])
    except PdfUnavailable:
        flash(PDF_UNAVAILABLE, "error")
        return redirect(url_for("admin.riskpoint_detail", code=letter.camera.point.code))
    record_request(sql, "riskpoint.letter_download", object_type="letter", object_id=letter.id, format="pdf")
    sql.commit()
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename={coordination_letter.filename(letter, 'pdf')}"},
    )


@bp.get("/riskpoints/letters/<int:letter_id>.docx")
@require_permission(Permission.DOWNLOAD_LETTERS)
def riskpoint_letter(letter_id: int):
    """A coordination letter as DOCX (rendered with the photo once it is downloaded)."""
    sql = db()
    letter = _letter_or_404(sql, letter_id)
    data = coordination_letter.render_letter(sql, letter, current_app.config["MEDIA_DIR"])
    record_request(sql, "riskpoint.letter_download", object_type="letter", object_id=letter.id)
    sql.commit()
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": f"attachment; filename={coordination_letter.filename(letter)}"},
    )
