"""Today's board of rounds, cameras and open defects, and the monitoring centre's camera checks."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from bot.admin.actions import Done, audit, audited
from bot.admin.blueprint import bp
from bot.admin.riskpoints.common import may_edit, rp_label, today_bangkok
from bot.admin.riskpoints.defects import undelivered_orders
from bot.auth import Permission, can, district_clause, may_act_in, require_permission
from bot.request_session import db
from models import CameraCheck, CameraStatus, Defect, DefectStatus, PatrolCheck, RiskCamera, RiskPoint
from models.timeutil import utcnow
from reports.documents.numbers import doc_number
from reports.work_today import broken_camera_clause, broken_camera_ids, on_board, unpatrolled_clause
from runtime.delivery import notifier
from services.riskpoints.cameras import centre_camera_check
from services.riskpoints.patrols import round_label, round_of

# The board's ?show= filters (the home's tiles link to them): the rules live in reports/work_today.py.
SHOW = {"unpatrolled": "จุดที่ยังไม่ได้ตรวจในรอบนี้", "broken": "จุดที่มีกล้องชำรุดตามผลตรวจล่าสุด"}


@bp.get("/riskpoints/board")
@require_permission(Permission.VIEW_RISKPOINTS)
def riskpoint_board():
    """Today's board: each point's rounds so far, its cameras checked today, its open defects."""
    sql = db()
    today = today_bangkok()
    show = request.args.get("show") if request.args.get("show") in SHOW else None
    query = select(RiskPoint).where(on_board(), district_clause(current_user, RiskPoint.district))
    if show == "unpatrolled":
        query = query.where(unpatrolled_clause(sql, utcnow()))
    elif show == "broken":
        query = query.where(broken_camera_clause(sql, today))
    points = list(sql.scalars(query.order_by(RiskPoint.district, RiskPoint.code)))
    ids = [p.id for p in points] or [-1]
    broken = broken_camera_ids(sql, today) if show else set()
    patrol_day, _ = round_of(sql, points[0], utcnow()) if points else (today, 0)
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
    undelivered: dict[int, int] = {}
    for defect in sql.scalars(select(Defect).where(Defect.status == DefectStatus.OPEN, Defect.point_id.in_(ids))):
        if undelivered_orders(sql, [defect]):
            undelivered[defect.point_id] = undelivered.get(defect.point_id, 0) + 1
    return render_template(
        "admin/riskpoints/board.html",
        points=points,
        rounds=rounds,
        checked=checked,
        open_defects=open_defects,
        undelivered=undelivered,
        today=today,
        patrol_day=patrol_day,
        show=show,
        shows=SHOW,
        broken=broken,
        round_names={n: round_label(sql, n) for n in range(1, 7)},
        can_check=can(current_user, Permission.MANAGE_RISKPOINTS),
    )


@bp.post("/riskpoints/cameras/<int:camera_id>/check")
@require_permission(Permission.MANAGE_RISKPOINTS)
@audited(lambda camera_id: request.form.get("next") or url_for("admin.riskpoint_board"))
def riskpoint_camera_check(camera_id: int):
    """The monitoring centre records a camera's daily check (broken opens a defect and a letter)."""
    sql = db()
    camera = sql.get(RiskCamera, camera_id)
    if camera is None or not may_edit(camera.point.district):
        abort(404)
    try:
        status = CameraStatus(request.form.get("status", "working"))
    except ValueError:
        abort(400)
    if status == CameraStatus.BROKEN and not may_act_in(current_user, Permission.ISSUE_LETTERS, camera.point.district):
        abort(403)  # a broken camera issues a numbered coordination letter
    _, _, letter, closed = centre_camera_check(
        sql,
        camera,
        status,
        notifier(sql, "riskpoints:camera"),
        by=current_user.username,
        note=request.form.get("note") or None,
        at=None,
    )
    entry = audit("riskpoint.camera_check", "camera", camera.code, status=status.value)
    if letter is not None:
        return Done(
            f"บันทึกกล้อง {camera.code} ชำรุด ออกหนังสือเลขที่ {doc_number(sql, letter)} แล้ว", entry, category="warning"
        )
    note = " และปิดเรื่องชำรุดแล้ว" if closed else ""
    return Done(f"บันทึกผลตรวจกล้อง {camera.code}: {rp_label('camera_status', status)}{note}", entry)
