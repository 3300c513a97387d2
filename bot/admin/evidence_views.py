"""The evidence pack page (/admin/evidence/): request a pack for a fiscal year or quarter, watch it, download it.

The clock builds the pack (scheduler/jobs/evidence_jobs.py); the page refreshes itself while one is
queued or building. A finished pack is downloaded through a signed link that expires (bot/downloads.py,
which also needs a signed-in secretariat for this kind and audits every download).
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from bot import downloads
from bot.admin.blueprint import bp
from bot.audit import record_request
from bot.auth import Permission, require_permission
from bot.request_session import db
from models.evidence import EvidencePack, PackStatus
from models.timeutil import fiscal_year, to_bangkok, utcnow
from reports.evidence_pack import pack_label, size_label, zip_name
from services import evidence_packs as packs
from services.audit import Action
from texts import evidence as t

KIND = "evidence-pack"
LINK_TTL = timedelta(hours=1)
QUARTERS = (
    ("", "ทั้งปี"),
    ("1", "ไตรมาสที่ 1 (ต.ค.–ธ.ค.)"),
    ("2", "ไตรมาสที่ 2 (ม.ค.–มี.ค.)"),
    ("3", "ไตรมาสที่ 3 (เม.ย.–มิ.ย.)"),
    ("4", "ไตรมาสที่ 4 (ก.ค.–ก.ย.)"),
)
WAITING = (PackStatus.QUEUED, PackStatus.BUILDING)


@bp.get("/evidence/")
@require_permission(Permission.VIEW_SCHEDULER)
def evidence_packs():
    """The form and the latest packs with their status, progress and, when done, a signed download link."""
    session = db()
    recent = packs.recent_packs(session)
    instance = current_app.config["INSTANCE_DIR"]
    links, gone, expired = {}, set(), set()
    for pack in recent:
        if pack.status != PackStatus.DONE:
            continue
        if not pack.file_path:
            expired.add(pack.id)
        elif packs.file_of(instance, pack) is None:
            gone.add(pack.id)
        else:
            links[pack.id] = downloads.signed_link(
                kind=KIND, ref=pack.id, fmt="zip", made_for=current_user.username, ttl=LINK_TTL
            )
    last = recent[0] if recent else None  # the form offers again what was asked last
    return render_template(
        "admin/evidence/index.html",
        years=packs.years_offered(),
        current_year=last.fiscal_year if last else fiscal_year(to_bangkok(utcnow()).date()),
        current_quarter=str(last.quarter or "") if last else "",
        quarters=QUARTERS,
        packs=recent,
        links=links,
        gone=gone,
        expired=expired,
        keep_days=packs.KEEP_FOR.days,
        refreshing=any(pack.status in WAITING for pack in recent),
        status_labels=t.STATUS,
        pack_label=pack_label,
        size_label=size_label,
        link_minutes=int(LINK_TTL.total_seconds() // 60),
    )


@bp.post("/evidence/")
@require_permission(Permission.VIEW_SCHEDULER)
def evidence_request():
    """Queue a pack for the chosen fiscal year and quarter (audited); the clock starts it within seconds."""
    session = db()
    year = request.form.get("fiscal_year", type=int)
    quarter_text = request.form.get("quarter", "").strip()
    quarter = int(quarter_text) if quarter_text.isdigit() else None
    if year is None or (quarter_text and quarter is None):
        flash("กรุณาเลือกปีงบประมาณและช่วงเวลา", "error")
        return redirect(url_for("admin.evidence_packs"))
    try:
        pack, queued = packs.request_pack(session, fiscal_year=year, quarter=quarter, by=current_user.username)
    except packs.PackRefused as refused:
        flash(str(refused), "error")
        return redirect(url_for("admin.evidence_packs"))
    record_request(
        session,
        Action.EVIDENCE_PACK_REQUEST,
        object_type=KIND,
        object_id=pack.id,
        fiscal_year=year,
        quarter=quarter,
        queued=queued,
    )
    session.commit()
    span = pack_label(year, quarter)
    if queued:
        flash(f"รับคำสั่งจัดทำชุดหลักฐาน{span}แล้ว ระบบจะเริ่มจัดทำภายในไม่กี่วินาที หน้านี้แสดงความคืบหน้าเอง", "success")
    else:
        flash(f"ชุดหลักฐาน{span}อยู่ระหว่างจัดทำแล้ว ไม่ต้องสั่งซ้ำ", "message")
    return redirect(url_for("admin.evidence_packs"))


@downloads.producer(KIND, login=True)
def evidence_pack_file(session, wanted) -> downloads.File | None:
    """The finished ZIP a signed link names (streamed from the instance folder), or None when it is not there."""
    try:
        pack = session.get(EvidencePack, int(wanted.ref))
    except ValueError:
        return None
    if pack is None:
        return None
    path = packs.file_of(current_app.config["INSTANCE_DIR"], pack)
    if path is None:
        return None
    return downloads.File(zip_name(pack.fiscal_year, pack.quarter), path=path)
