"""The working group's admin pages: overview, LINE link for staff, agencies, committees, documents.

Meetings, forwards and the KPI page are in workgroup_meetings.py, workgroup_forwards.py and workgroup_kpi.py.
"""

from __future__ import annotations

from flask import abort, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from bot.admin.blueprint import bp
from bot.admin.request_session import db
from bot.admin.workgroup_support import (
    DATE_HINT,
    EDIT_ROLES,
    FILE_ROLES,
    READ_ROLES,
    FormError,
    actor,
    back,
    be_date,
    can_edit,
    can_open_files,
    can_read,
    media_dir,
    optional_int,
    parse_date,
    uploaded,
)
from bot.auth import require_role
from models import Chat
from models.settings import get_setting
from models.timeutil import fiscal_year, thai_date, utcnow
from models.workgroup import Agency, AgencyKind, Committee, CommitteeMember, CommitteeRole, StoredFile
from reports.network_kpi import ROLE_NAMES, composition, counted_meetings
from reports.periods import Period
from runtime.media import MediaStore
from services.audit import record_request
from services.workgroup import committees as wg
from services.workgroup.ops import (
    WorkgroupError,
    line_link,
    next_meeting,
    reports_waiting,
    unacknowledged_count,
    unlink_line,
)

KIND_NAMES = {AgencyKind.BMA: "หน่วยงานของ กทม.", AgencyKind.OUTSIDE: "หน่วยงานภายนอก"}
CHANGE_NAMES = {
    "created": "บันทึกคำสั่งแต่งตั้ง",
    "updated": "แก้ไขคำสั่ง/ระยะเวลา",
    "member_added": "เพิ่มกรรมการ",
    "member_updated": "แก้ไขข้อมูลกรรมการ",
    "member_left": "กรรมการพ้นจากตำแหน่ง",
    "order_file": "แนบไฟล์คำสั่ง",
}


@bp.app_template_filter("thai_d")
def thai_d(day) -> str:
    """A date in Thai with the Buddhist Era year (15 มกราคม 2564), or a dash."""
    return thai_date(day) if day is not None else "–"


@bp.app_context_processor
def _workgroup_labels() -> dict:
    """Labels and permission checks the working group's templates use."""
    return {
        "wg_role_names": ROLE_NAMES,
        "wg_kind_names": KIND_NAMES,
        "wg_can_edit": can_edit,
        "wg_can_read": can_read,
        "wg_can_open_files": can_open_files,
        "wg_be_date": be_date,
        "wg_date_hint": DATE_HINT,
    }


# --- overview and the staff member's LINE link ---------------------------------------------------


@bp.get("/workgroup/")
@require_role(*READ_ROLES)
def wg_index():
    """The working group at a glance: committees in force, the year's meetings, forwards waiting."""
    sql = db()
    now = utcnow()
    year = fiscal_year(wg.bangkok_day(now))
    period = Period(year)
    link = line_link(sql, current_user.id)
    return render_template(
        "admin/workgroup/index.html",
        year=year,
        held=len(counted_meetings(sql, period.starts, now)),
        required=int(get_setting(sql, "workgroup.min_meetings")),
        upcoming=next_meeting(sql, now),
        waiting=len(reports_waiting(sql)),
        unacknowledged=unacknowledged_count(sql),
        committees=[c for c in wg.committees(sql) if c.in_force_on(wg.bangkok_day(now))],
        link=link,
        code=request.args.get("code"),
    )


@bp.post("/workgroup/link-code")
@require_role(*EDIT_ROLES)
def wg_link_code():
    """Issue a one-time code to type to the bot ('เชื่อมบัญชี CODE') to link the user's LINE account."""
    sql = db()
    code = wg.create_link_code(sql, current_user.id, utcnow())
    record_request(sql, "workgroup.link_code", object_type="staff_user", object_id=current_user.id)
    sql.commit()
    return back(url_for("admin.wg_index", code=code.code), "สร้างรหัสเชื่อมบัญชีแล้ว ใช้ได้ภายใน 30 นาที")


@bp.post("/workgroup/unlink")
@require_role(*READ_ROLES)
def wg_unlink():
    """Remove the link between the user's staff account and LINE."""
    sql = db()
    if unlink_line(sql, staff_user_id=current_user.id):
        record_request(sql, "workgroup.unlink", object_type="staff_user", object_id=current_user.id)
        sql.commit()
    return back(url_for("admin.wg_index"), "ยกเลิกการเชื่อมบัญชี LINE แล้ว")


# --- agencies ------------------------------------------------------------------------------------


@bp.get("/workgroup/agencies")
@require_role(*READ_ROLES)
def wg_agencies():
    """The configurable list of agencies: BMA units and outside agencies, their LINE groups."""
    sql = db()
    agencies = list(sql.scalars(select(Agency).order_by(Agency.sort_order, Agency.id)))
    groups = list(sql.scalars(select(Chat).where(Chat.purpose == "agency").order_by(Chat.name)))
    editing = sql.get(Agency, request.args.get("edit", type=int) or 0)
    return render_template(
        "admin/workgroup/agencies.html",
        agencies=agencies,
        groups=groups,
        groups_by_id={group.id: group for group in groups},
        editing=editing,
    )


@bp.post("/workgroup/agencies")
@require_role(*EDIT_ROLES)
def wg_agency_save():
    """Add an agency, or change one."""
    sql = db()
    form = request.form
    try:
        agency = wg.save_agency(
            sql,
            optional_int("agency_id"),
            code=form.get("code"),
            name=form.get("name"),
            short_name=form.get("short_name"),
            kind=form.get("kind"),
            immigration_authority=form.get("immigration_authority") == "1",
            district=form.get("district"),
            addressee=form.get("addressee"),
            contact=form.get("contact"),
            chat_id=optional_int("chat_id"),
            is_active=form.get("is_active", "1") == "1",
        )
    except WorkgroupError as error:
        return back(url_for("admin.wg_agencies"), str(error), "error")
    record_request(sql, "workgroup.agency_save", object_type="agency", object_id=agency.id)
    sql.commit()
    return back(url_for("admin.wg_agencies"), f"บันทึกหน่วยงาน {agency.name} แล้ว")


@bp.post("/workgroup/agencies/defaults")
@require_role(*EDIT_ROLES)
def wg_agency_defaults():
    """Add the default agencies and the 50 district offices that are missing."""
    sql = db()
    added = wg.ensure_default_agencies(sql)
    record_request(sql, "workgroup.agency_defaults", object_type="agency", count=len(added))
    sql.commit()
    return back(url_for("admin.wg_agencies"), f"เพิ่มหน่วยงานตั้งต้น {len(added)} หน่วยงาน")


# --- committees ----------------------------------------------------------------------------------


def _committee_fields() -> dict:
    form = request.form
    return {
        "name": (form.get("name") or "").strip(),
        "order_no": (form.get("order_no") or "").strip(),
        "order_issuer": (form.get("order_issuer") or "").strip() or None,
        "order_date": parse_date(form.get("order_date"), label="วันที่ของคำสั่ง"),
        "valid_from": parse_date(form.get("valid_from"), label="วันเริ่มมีผล"),
        "valid_until": parse_date(form.get("valid_until"), required=False, label="วันสิ้นสุด"),
        "note": (form.get("note") or "").strip() or None,
    }


@bp.get("/workgroup/committees")
@require_role(*READ_ROLES)
def wg_committees():
    """Every committee with its order, validity and whether it makes level 3."""
    sql = db()
    today = wg.bangkok_day(utcnow())
    rows = []
    for committee in wg.committees(sql):
        seat = composition(committee, committee.valid_from, committee.valid_until or today)
        rows.append((committee, seat, committee.in_force_on(today)))
    return render_template("admin/workgroup/committees.html", rows=rows)


@bp.post("/workgroup/committees")
@require_role(*EDIT_ROLES)
def wg_committee_create():
    """Record a committee and its appointing order."""
    sql = db()
    try:
        committee = wg.create_committee(sql, by=actor(), **_committee_fields())
    except (WorkgroupError, FormError) as error:
        return back(url_for("admin.wg_committees"), str(error), "error")
    record_request(sql, "workgroup.committee_create", object_type="committee", object_id=committee.id)
    sql.commit()
    return back(url_for("admin.wg_committee", committee_id=committee.id), "บันทึกคณะทำงานแล้ว เพิ่มกรรมการได้ด้านล่าง")


@bp.get("/workgroup/committees/<int:committee_id>")
@require_role(*READ_ROLES)
def wg_committee(committee_id: int):
    """One committee: its order, members by role and agency, and its history of changes."""
    sql = db()
    committee = sql.get(Committee, committee_id) or abort(404)
    today = wg.bangkok_day(utcnow())
    seat = composition(committee, committee.valid_from, committee.valid_until or today)
    agencies = wg.active_agencies(sql)
    return render_template(
        "admin/workgroup/committee.html",
        committee=committee,
        seat=seat,
        agencies=agencies,
        roles=list(CommitteeRole),
        change_names=CHANGE_NAMES,
        editing=sql.get(CommitteeMember, request.args.get("member", type=int) or 0),
    )


@bp.post("/workgroup/committees/<int:committee_id>")
@require_role(*EDIT_ROLES)
def wg_committee_update(committee_id: int):
    """Change a committee's order or validity (the history keeps the old values)."""
    sql = db()
    target = url_for("admin.wg_committee", committee_id=committee_id)
    try:
        wg.update_committee(sql, committee_id, by=actor(), **_committee_fields())
    except (WorkgroupError, FormError) as error:
        return back(target, str(error), "error")
    record_request(sql, "workgroup.committee_update", object_type="committee", object_id=committee_id)
    sql.commit()
    return back(target, "บันทึกการแก้ไขแล้ว")


@bp.post("/workgroup/committees/<int:committee_id>/members")
@require_role(*EDIT_ROLES)
def wg_member_save(committee_id: int):
    """Add a member to a committee, or change one (role, person, dates, leaving)."""
    sql = db()
    form = request.form
    target = url_for("admin.wg_committee", committee_id=committee_id)
    try:
        fields = {
            "role": form.get("role") or CommitteeRole.MEMBER.value,
            "agency_id": optional_int("agency_id"),
            "full_name": (form.get("full_name") or "").strip() or None,
            "position": (form.get("position") or "").strip() or None,
            "contact": (form.get("contact") or "").strip() or None,
            "joined_on": parse_date(form.get("joined_on"), required=False, label="วันเริ่ม"),
            "left_on": parse_date(form.get("left_on"), required=False, label="วันพ้นจากตำแหน่ง"),
        }
        member_id = optional_int("member_id")
        if member_id:
            member = sql.get(CommitteeMember, member_id)
            if member is None or member.committee_id != committee_id:
                abort(404)
            wg.update_member(sql, member_id, by=actor(), **fields)
        else:
            member = wg.add_member(sql, committee_id, by=actor(), **fields)
    except (WorkgroupError, FormError) as error:
        return back(target, str(error), "error")
    record_request(sql, "workgroup.member_save", object_type="committee_member", object_id=member.id)
    sql.commit()
    return back(target, "บันทึกกรรมการแล้ว")


@bp.post("/workgroup/committees/<int:committee_id>/order-file")
@require_role(*EDIT_ROLES)
def wg_order_file(committee_id: int):
    """Attach the scanned appointing order."""
    sql = db()
    target = url_for("admin.wg_committee", committee_id=committee_id)
    upload = uploaded("file")
    if upload is None:
        return back(target, "กรุณาเลือกไฟล์คำสั่ง", "error")
    try:
        stored = wg.store_file(sql, media_dir(), upload[0], upload[1], purpose="order", by=actor())
        wg.attach_order_file(sql, committee_id, stored, by=actor())
    except WorkgroupError as error:
        return back(target, str(error), "error")
    record_request(sql, "workgroup.file_upload", object_type="wg_file", object_id=stored.id, purpose="order")
    sql.commit()
    return back(target, "แนบไฟล์คำสั่งแล้ว")


# --- documents -----------------------------------------------------------------------------------


@bp.get("/workgroup/files/<int:file_id>")
@require_role(*FILE_ROLES)
def wg_file(file_id: int):
    """An uploaded order, minutes or plan: authorised staff only, and every opening is audited."""
    sql = db()
    stored = sql.get(StoredFile, file_id) or abort(404)
    path = MediaStore(media_dir()).path(stored.path)
    if not path.is_file():
        abort(404)
    record_request(sql, "view.workgroup_file", object_type="wg_file", object_id=stored.id, purpose=stored.purpose)
    sql.commit()
    return send_file(path, mimetype=stored.content_type, as_attachment=True, download_name=stored.file_name)
