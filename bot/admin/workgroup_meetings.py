"""Meetings in the admin web: the year's list, one meeting with the reports to consider, minutes and decisions."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.admin.blueprint import bp
from bot.admin.request_session import db
from bot.admin.workgroup_support import (
    EDIT_ROLES,
    READ_ROLES,
    TIME_HINT,
    FormError,
    actor,
    back,
    bangkok_instant,
    hhmm,
    ids,
    letters_refused,
    media_dir,
    optional_int,
    parse_date,
    parse_time,
    uploaded,
)
from bot.auth import require_role
from models import NewsReport, ReportCategory
from models.districts import DISTRICTS
from models.settings import get_setting
from models.timeutil import fiscal_year, utcnow
from models.workgroup import Forward, Meeting, MeetingKind, MeetingStatus
from reports.network_kpi import MEETING_KINDS, meeting_verdict
from services.audit import record_request
from services.workgroup import committees as wg
from services.workgroup import forwards as fw
from services.workgroup.ops import WorkgroupError, reports_waiting

STATUS_NAMES = {
    MeetingStatus.PLANNED: "นัดไว้",
    MeetingStatus.HELD: "ประชุมแล้ว",
    MeetingStatus.CANCELLED: "ยกเลิก",
}
WAITING_SHOWN = 100


def _year() -> int:
    return request.args.get("fy", type=int) or fiscal_year(wg.bangkok_day(utcnow()))


def _meeting_fields() -> dict:
    form = request.form
    day = parse_date(form.get("date"), label="วันประชุม")
    return {
        "title": (form.get("title") or "").strip(),
        "kind": form.get("kind") or MeetingKind.FULL.value,
        "starts_at": bangkok_instant(day, parse_time(form.get("time") or "09:00")),
        "place": (form.get("place") or "").strip() or None,
        "agenda": (form.get("agenda") or "").strip() or None,
        "exchanged_information": form.get("exchanged_information") == "1",
        "status": form.get("status") or MeetingStatus.PLANNED.value,
    }


@bp.get("/workgroup/meetings")
@require_role(*READ_ROLES)
def wg_meetings():
    """The meetings of a fiscal year, whether each counts toward level 4 and why not."""
    sql = db()
    year = _year()
    meetings = wg.meetings_in_year(sql, year)
    return render_template(
        "admin/workgroup/meetings.html",
        year=year,
        rows=[(meeting, meeting_verdict(meeting)) for meeting in meetings],
        required=int(get_setting(sql, "workgroup.min_meetings")),
        committees=wg.committees(sql),
        kinds=MEETING_KINDS,
        statuses=STATUS_NAMES,
        time_hint=TIME_HINT,
        waiting=len(reports_waiting(sql)),
    )


@bp.post("/workgroup/meetings")
@require_role(*EDIT_ROLES)
def wg_meeting_create():
    """Record a meeting (planned, or already held)."""
    sql = db()
    try:
        fields = _meeting_fields()
        meeting = wg.create_meeting(sql, committee_id=optional_int("committee_id") or 0, by=actor(), **fields)
    except (WorkgroupError, FormError) as error:
        return back(url_for("admin.wg_meetings"), str(error), "error")
    record_request(sql, "workgroup.meeting_create", object_type="meeting", object_id=meeting.id)
    sql.commit()
    return back(url_for("admin.wg_meeting", meeting_id=meeting.id), "บันทึกการประชุมแล้ว")


@bp.get("/workgroup/meetings/<int:meeting_id>")
@require_role(*READ_ROLES)
def wg_meeting(meeting_id: int):
    """One meeting: details, attendees, reports considered and waiting, minutes, decisions, forwarding."""
    sql = db()
    meeting = sql.get(Meeting, meeting_id) or abort(404)
    linked_ids = [link.report_id for link in meeting.report_links]
    linked = list(sql.scalars(select(NewsReport).where(NewsReport.id.in_(linked_ids)).order_by(NewsReport.started_at)))
    waiting = [
        report for report in reports_waiting(sql, WAITING_SHOWN + len(linked_ids)) if report.id not in linked_ids
    ]
    forwards = list(
        sql.scalars(
            fw.forwards_statement().where(Forward.meeting_id == meeting.id).options(selectinload(Forward.recipients))
        )
    )
    return render_template(
        "admin/workgroup/meeting.html",
        meeting=meeting,
        committees=wg.committees(sql),
        verdict=meeting_verdict(meeting),
        linked=linked,
        waiting=waiting[:WAITING_SHOWN],
        categories=dict(sql.execute(select(ReportCategory.code, ReportCategory.name)).all()),
        agencies=wg.active_agencies(sql),
        kinds=MEETING_KINDS,
        statuses=STATUS_NAMES,
        districts=DISTRICTS,
        time_of_day=hhmm(meeting.starts_at),
        time_hint=TIME_HINT,
        forwards=forwards,
        attending={a.member_id for a in meeting.attendees if a.member_id},
        guests=[a for a in meeting.attendees if a.member_id is None],
    )


def _target(meeting_id: int, anchor: str = "") -> str:
    return url_for("admin.wg_meeting", meeting_id=meeting_id) + (f"#{anchor}" if anchor else "")


@bp.post("/workgroup/meetings/<int:meeting_id>")
@require_role(*EDIT_ROLES)
def wg_meeting_update(meeting_id: int):
    """Change a meeting's date, kind, status, place, agenda and whether it exchanged network information."""
    sql = db()
    try:
        fields = _meeting_fields()
        committee_id = optional_int("committee_id")
        meeting = wg.update_meeting(sql, meeting_id, **fields)
        if committee_id:
            meeting.committee_id = wg.get_committee(sql, committee_id).id
    except (WorkgroupError, FormError) as error:
        return back(_target(meeting_id), str(error), "error")
    record_request(sql, "workgroup.meeting_update", object_type="meeting", object_id=meeting_id)
    sql.commit()
    return back(_target(meeting_id), "บันทึกการแก้ไขแล้ว")


@bp.post("/workgroup/meetings/<int:meeting_id>/attendees")
@require_role(*EDIT_ROLES)
def wg_meeting_attendees(meeting_id: int):
    """Who attended: committee members ticked, and others typed one per line ('ชื่อ' or 'ชื่อ | หน่วยงาน')."""
    sql = db()
    others = []
    for line in (request.form.get("others") or "").splitlines():
        name, _, agency = (part.strip() for part in line.partition("|"))
        if name:
            others.append((None, f"{name} ({agency})" if agency else name))
    try:
        wg.set_attendees(sql, meeting_id, member_ids=ids("member_id"), others=others)
    except WorkgroupError as error:
        return back(_target(meeting_id, "attendees"), str(error), "error")
    record_request(sql, "workgroup.meeting_attendees", object_type="meeting", object_id=meeting_id)
    sql.commit()
    return back(_target(meeting_id, "attendees"), "บันทึกผู้เข้าประชุมแล้ว")


@bp.post("/workgroup/meetings/<int:meeting_id>/reports")
@require_role(*EDIT_ROLES)
def wg_meeting_reports(meeting_id: int):
    """Put the reports ticked before the meeting."""
    sql = db()
    try:
        added = wg.link_reports(sql, meeting_id, ids("report_id"))
    except WorkgroupError as error:
        return back(_target(meeting_id, "reports"), str(error), "error")
    record_request(sql, "workgroup.meeting_reports", object_type="meeting", object_id=meeting_id, added=added)
    sql.commit()
    return back(_target(meeting_id, "reports"), f"บรรจุข่าวเข้าวาระ {added} เรื่อง")


@bp.post("/workgroup/meetings/<int:meeting_id>/reports/<int:report_id>/remove")
@require_role(*EDIT_ROLES)
def wg_meeting_report_remove(meeting_id: int, report_id: int):
    """Take a report off the meeting's agenda."""
    sql = db()
    wg.unlink_report(sql, meeting_id, report_id)
    record_request(sql, "workgroup.meeting_report_remove", object_type="meeting", object_id=meeting_id)
    sql.commit()
    return back(_target(meeting_id, "reports"), "นำข่าวออกจากวาระแล้ว")


@bp.post("/workgroup/meetings/<int:meeting_id>/minutes")
@require_role(*EDIT_ROLES)
def wg_meeting_minutes(meeting_id: int):
    """Save the minutes' text and, if chosen, the minutes document."""
    sql = db()
    try:
        meeting = wg.update_meeting(
            sql, meeting_id, minutes_text=(request.form.get("minutes_text") or "").strip() or None
        )
        upload = uploaded("file")
        if upload is not None:
            stored = wg.store_file(sql, media_dir(), upload[0], upload[1], purpose="minutes", by=actor())
            wg.attach_minutes(sql, meeting.id, stored)
            record_request(sql, "workgroup.file_upload", object_type="wg_file", object_id=stored.id, purpose="minutes")
    except WorkgroupError as error:
        return back(_target(meeting_id, "minutes"), str(error), "error")
    record_request(sql, "workgroup.meeting_minutes", object_type="meeting", object_id=meeting_id)
    sql.commit()
    return back(_target(meeting_id, "minutes"), "บันทึกรายงานการประชุมแล้ว")


@bp.post("/workgroup/meetings/<int:meeting_id>/items")
@require_role(*EDIT_ROLES)
def wg_meeting_item(meeting_id: int):
    """Add a decision, or a task with the agency responsible and its due date."""
    sql = db()
    form = request.form
    try:
        item = wg.add_action_item(
            sql,
            meeting_id,
            text=form.get("text") or "",
            is_decision=form.get("is_decision") == "1",
            agency_id=optional_int("agency_id"),
            due_on=parse_date(form.get("due_on"), required=False, label="วันครบกำหนด"),
        )
    except (WorkgroupError, FormError) as error:
        return back(_target(meeting_id, "items"), str(error), "error")
    record_request(sql, "workgroup.meeting_item", object_type="action_item", object_id=item.id)
    sql.commit()
    return back(_target(meeting_id, "items"), "บันทึกแล้ว")


@bp.post("/workgroup/meetings/<int:meeting_id>/items/<int:item_id>/done")
@require_role(*EDIT_ROLES)
def wg_meeting_item_done(meeting_id: int, item_id: int):
    """Mark a task done (no more reminders)."""
    sql = db()
    try:
        wg.complete_action_item(sql, item_id, utcnow())
    except WorkgroupError as error:
        return back(_target(meeting_id, "items"), str(error), "error")
    record_request(sql, "workgroup.meeting_item_done", object_type="action_item", object_id=item_id)
    sql.commit()
    return back(_target(meeting_id, "items"), "บันทึกว่างานเสร็จแล้ว")


@bp.post("/workgroup/meetings/<int:meeting_id>/districts")
@require_role(*EDIT_ROLES)
def wg_meeting_districts(meeting_id: int):
    """The target districts where the meeting decided something."""
    sql = db()
    try:
        wg.set_target_districts(sql, meeting_id, request.form.getlist("district"))
    except WorkgroupError as error:
        return back(_target(meeting_id, "districts"), str(error), "error")
    record_request(sql, "workgroup.meeting_districts", object_type="meeting", object_id=meeting_id)
    sql.commit()
    return back(_target(meeting_id, "districts"), "บันทึกพื้นที่เป้าหมายแล้ว")


@bp.post("/workgroup/meetings/<int:meeting_id>/forward")
@require_role(*EDIT_ROLES)
def wg_meeting_forward(meeting_id: int):
    """Send the meeting's results to the agencies ticked, by LINE and/or letter."""
    if letters_refused():
        abort(403)
    sql = db()
    form = request.form
    try:
        forward = fw.forward_meeting(
            sql,
            meeting_id=meeting_id,
            agency_ids=ids("agency_id"),
            subject=(form.get("subject") or "").strip() or None,
            note=form.get("note"),
            via_line=form.get("via_line") == "1",
            via_letter=form.get("via_letter") == "1",
            by=actor(),
            now=utcnow(),
        )
    except WorkgroupError as error:
        return back(_target(meeting_id, "forward"), str(error), "error")
    record_request(sql, "workgroup.forward", object_type="forward", object_id=forward.id)
    sql.commit()
    cost = sum(r.line_cost or 0 for r in forward.recipients)
    return back(
        url_for("admin.wg_forward", forward_id=forward.id),
        f"ส่งต่อเรื่อง {forward.ref_no} แล้ว (ใช้โควตาข้อความ LINE ประมาณ {cost} ข้อความ)",
    )
