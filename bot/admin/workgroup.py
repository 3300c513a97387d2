"""The working group's admin pages: overview, LINE link for staff, agencies, committees, documents.

Meetings, forwards and the KPI page are in workgroup_meetings.py, workgroup_forwards.py and workgroup_kpi.py.
"""

from __future__ import annotations

from flask import abort, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from bot.admin.actions import Done, Refused, audit, audited
from bot.admin.blueprint import bp
from bot.admin.workgroup_changes import change_lines
from bot.admin.workgroup_support import (
    DATE_HINT,
    EDIT_ROLES,
    FILE_ROLES,
    READ_ROLES,
    actor,
    be_date,
    can_edit,
    can_open_files,
    can_read,
    media_dir,
    optional_int,
    parse_date,
    uploaded,
)
from bot.audit import record_request
from bot.auth import require_role
from bot.request_session import db
from models import Chat
from models.periods import Period
from models.settings import get_setting
from models.timeutil import fiscal_year, thai_date, utcnow
from models.workgroup import Agency, AgencyKind, Committee, CommitteeMember, CommitteeRole, StoredFile
from reports.network_kpi import ROLE_NAMES, composition, counted_meetings, network_kpi
from services.media_store import MediaStore
from services.workgroup.acknowledgements import unacknowledged_count
from services.workgroup.agencies import active_agencies, ensure_default_agencies, save_agency
from services.workgroup.committees import (
    add_member,
    all_committees,
    attach_order_file,
    create_committee,
    update_committee,
    update_member,
)
from services.workgroup.files import store_file
from services.workgroup.meetings import bangkok_day, next_meeting, reports_waiting
from services.workgroup.staff import create_link_code, line_link, unlink_line
from texts import workgroup as wt

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
    year = fiscal_year(bangkok_day(now))
    period = Period.of_fiscal_year(year)
    link = line_link(sql, current_user.id)
    return render_template(
        "admin/workgroup/index.html",
        year=year,
        held=len(counted_meetings(sql, period.starts, now)),
        kpi=network_kpi(sql, period),
        required=int(get_setting(sql, "workgroup.min_meetings")),
        upcoming=next_meeting(sql, now),
        waiting=len(reports_waiting(sql)),
        unacknowledged=unacknowledged_count(sql),
        committees=[c for c in all_committees(sql) if c.in_force_on(bangkok_day(now))],
        link=link,
        code=request.args.get("code"),
    )


@bp.post("/workgroup/link-code")
@require_role(*EDIT_ROLES)
@audited("admin.wg_index")
def wg_link_code():
    """Issue a one-time code to type to the bot ('เชื่อมบัญชี CODE') to link the user's LINE account."""
    code = create_link_code(db(), current_user.id, utcnow())
    entry = audit("workgroup.link_code", "staff_user", current_user.id)
    return Done("สร้างรหัสเชื่อมบัญชีแล้ว ใช้ได้ภายใน 30 นาที", entry, to=url_for("admin.wg_index", code=code.code))


@bp.post("/workgroup/unlink")
@require_role(*READ_ROLES)
@audited("admin.wg_index")
def wg_unlink():
    """Remove the link between the user's staff account and LINE."""
    unlinked = unlink_line(db(), staff_user_id=current_user.id)
    entry = audit("workgroup.unlink", "staff_user", current_user.id) if unlinked else None
    return Done("ยกเลิกการเชื่อมบัญชี LINE แล้ว", entry)


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
@audited("admin.wg_agencies")
def wg_agency_save():
    """Add an agency, or change one."""
    form = request.form
    agency = save_agency(
        db(),
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
    return Done(f"บันทึกหน่วยงาน {agency.name} แล้ว", audit("workgroup.agency_save", "agency", agency.id))


@bp.post("/workgroup/agencies/defaults")
@require_role(*EDIT_ROLES)
@audited("admin.wg_agencies")
def wg_agency_defaults():
    """Add the default agencies and the 50 district offices that are missing."""
    added = ensure_default_agencies(db())
    entry = audit("workgroup.agency_defaults", "agency", count=len(added))
    return Done(f"เพิ่มหน่วยงานตั้งต้น {len(added)} หน่วยงาน", entry)


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
    today = bangkok_day(utcnow())
    rows = []
    for committee in all_committees(sql):
        seat = composition(committee, committee.valid_from, committee.valid_until or today)
        rows.append((committee, seat, committee.in_force_on(today)))
    return render_template("admin/workgroup/committees.html", rows=rows, draft_label=wt.COMMITTEE_DRAFT)


@bp.post("/workgroup/committees")
@require_role(*EDIT_ROLES)
@audited("admin.wg_committees")
def wg_committee_create():
    """Record a committee and its appointing order."""
    committee = create_committee(db(), by=actor(), **_committee_fields())
    return Done(
        wt.COMMITTEE_DRAFT_SAVED,
        audit("workgroup.committee_create", "committee", committee.id),
        to=url_for("admin.wg_committee", committee_id=committee.id),
    )


@bp.get("/workgroup/committees/<int:committee_id>")
@require_role(*READ_ROLES)
def wg_committee(committee_id: int):
    """One committee: its order, members by role and agency, and its history of changes."""
    sql = db()
    committee = sql.get(Committee, committee_id) or abort(404)
    today = bangkok_day(utcnow())
    seat = composition(committee, committee.valid_from, committee.valid_until or today)
    agencies = active_agencies(sql)
    return render_template(
        "admin/workgroup/committee.html",
        committee=committee,
        seat=seat,
        draft_label=wt.COMMITTEE_DRAFT,
        agencies=agencies,
        roles=list(CommitteeRole),
        change_names=CHANGE_NAMES,
        change_lines=lambda detail: change_lines(sql, detail),
        editing=sql.get(CommitteeMember, request.args.get("member", type=int) or 0),
    )


@bp.post("/workgroup/committees/<int:committee_id>")
@require_role(*EDIT_ROLES)
@audited("admin.wg_committee")
def wg_committee_update(committee_id: int):
    """Change a committee's order or validity (the history keeps the old values)."""
    update_committee(db(), committee_id, by=actor(), **_committee_fields())
    return Done("บันทึกการแก้ไขแล้ว", audit("workgroup.committee_update", "committee", committee_id))


@bp.post("/workgroup/committees/<int:committee_id>/members")
@require_role(*EDIT_ROLES)
@audited("admin.wg_committee")
def wg_member_save(committee_id: int):
    """Add a member to a committee, or change one (role, person, dates, leaving)."""
    sql = db()
    form = request.form
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
        update_member(sql, member_id, by=actor(), **fields)
    else:
        member = add_member(sql, committee_id, by=actor(), **fields)
    return Done("บันทึกกรรมการแล้ว", audit("workgroup.member_save", "committee_member", member.id))


@bp.post("/workgroup/committees/<int:committee_id>/order-file")
@require_role(*EDIT_ROLES)
@audited("admin.wg_committee")
def wg_order_file(committee_id: int):
    """Attach the scanned appointing order."""
    sql = db()
    upload = uploaded("file")
    if upload is None:
        raise Refused("กรุณาเลือกไฟล์คำสั่ง")
    stored = store_file(sql, media_dir(), upload[0], upload[1], purpose="order", by=actor())
    attach_order_file(sql, committee_id, stored, by=actor())
    return Done("แนบไฟล์คำสั่งแล้ว", audit("workgroup.file_upload", "wg_file", stored.id, purpose="order"))


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
