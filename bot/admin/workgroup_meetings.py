"""Meetings in the admin web: the year's list, one meeting with the reports to consider, minutes and decisions."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.admin.actions import Done, audit, audited
from bot.admin.blueprint import bp
from bot.admin.workgroup_support import (
    EDIT_ROLES,
    READ_ROLES,
    TIME_HINT,
    actor,
    asked_fiscal_year,
    bangkok_instant,
    forward_options,
    forwarded,
    hhmm,
    ids,
    letters_refused,
    media_dir,
    optional_int,
    parse_date,
    parse_time,
    uploaded,
)
from bot.audit import record_request
from bot.auth import require_role
from bot.request_session import db
from models import NewsReport, ReportCategory
from models.districts import DISTRICTS
from models.settings import get_setting
from models.timeutil import utcnow
from models.workgroup import Forward, Meeting, MeetingKind, MeetingStatus
from reports.network_kpi import MEETING_KINDS, meeting_verdict
from services.workgroup.action_items import add_action_item, complete_action_item
from services.workgroup.agencies import active_agencies
from services.workgroup.committees import all_committees, get_committee
from services.workgroup.files import store_file
from services.workgroup.forwards import forward_meeting, forwards_statement
from services.workgroup.meetings import (
    attach_minutes,
    create_meeting,
    link_reports,
    meetings_in_year,
    reports_waiting,
    set_attendees,
    set_target_districts,
    unlink_report,
    update_meeting,
)

STATUS_NAMES = {
    MeetingStatus.PLANNED: "นัดไว้",
    MeetingStatus.HELD: "ประชุมแล้ว",
    MeetingStatus.CANCELLED: "ยกเลิก",
}
WAITING_SHOWN = 100


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
    year, picker = asked_fiscal_year()
    meetings = meetings_in_year(sql, year)
    return render_template(
        "admin/workgroup/meetings.html",
        year=year,
        **picker,
        rows=[(meeting, meeting_verdict(meeting)) for meeting in meetings],
        required=int(get_setting(sql, "workgroup.min_meetings")),
        committees=all_committees(sql),
        kinds=MEETING_KINDS,
        statuses=STATUS_NAMES,
        time_hint=TIME_HINT,
        waiting=len(reports_waiting(sql)),
    )


@bp.post("/workgroup/meetings")
@require_role(*EDIT_ROLES)
@audited("admin.wg_meetings")
def wg_meeting_create():
    """Record a meeting (planned, or already held once its start has passed)."""
    fields, warnings = _meeting_fields(), []
    meeting = create_meeting(
        db(), committee_id=optional_int("committee_id") or 0, by=actor(), warn=warnings.append, **fields
    )
    to = url_for("admin.wg_meeting", meeting_id=meeting.id)
    return _saved("บันทึกการประชุมแล้ว", warnings, audit("workgroup.meeting_create", "meeting", meeting.id), to=to)


def _saved(message: str, warnings: list[str], entry, **options) -> Done:
    """Done, flashed as a warning saying why when the rules saved something other than what was asked."""
    if warnings:
        return Done(" ".join(warnings), entry, category="warning", **options)
    return Done(message, entry, **options)


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
            forwards_statement().where(Forward.meeting_id == meeting.id).options(selectinload(Forward.recipients))
        )
    )
    return render_template(
        "admin/workgroup/meeting.html",
        meeting=meeting,
        committees=all_committees(sql),
        verdict=meeting_verdict(meeting),
        linked=linked,
        waiting=waiting[:WAITING_SHOWN],
        categories=dict(sql.execute(select(ReportCategory.code, ReportCategory.name)).all()),
        agencies=active_agencies(sql),
        kinds=MEETING_KINDS,
        statuses=STATUS_NAMES,
        districts=DISTRICTS,
        time_of_day=hhmm(meeting.starts_at),
        time_hint=TIME_HINT,
        forwards=forwards,
        attending={a.member_id for a in meeting.attendees if a.member_id},
        guests=[a for a in meeting.attendees if a.member_id is None],
    )


@bp.post("/workgroup/meetings/<int:meeting_id>")
@require_role(*EDIT_ROLES)
@audited("admin.wg_meeting")
def wg_meeting_update(meeting_id: int):
    """Change a meeting's date, kind, status, place, agenda and whether it exchanged network information."""
    sql = db()
    fields, warnings = _meeting_fields(), []
    committee_id = optional_int("committee_id")
    meeting = update_meeting(sql, meeting_id, warn=warnings.append, **fields)
    if committee_id:
        meeting.committee_id = get_committee(sql, committee_id).id
    return _saved("บันทึกการแก้ไขแล้ว", warnings, audit("workgroup.meeting_update", "meeting", meeting_id))


@bp.post("/workgroup/meetings/<int:meeting_id>/attendees")
@require_role(*EDIT_ROLES)
@audited("admin.wg_meeting#attendees")
def wg_meeting_attendees(meeting_id: int):
    """Who attended: committee members ticked, and others typed one per line ('ชื่อ' or 'ชื่อ | หน่วยงาน')."""
    others = []
    for line in (request.form.get("others") or "").splitlines():
        name, _, agency = (part.strip() for part in line.partition("|"))
        if name:
            others.append((None, f"{name} ({agency})" if agency else name))
    set_attendees(db(), meeting_id, member_ids=ids("member_id"), others=others)
    return Done("บันทึกผู้เข้าประชุมแล้ว", audit("workgroup.meeting_attendees", "meeting", meeting_id))


@bp.post("/workgroup/meetings/<int:meeting_id>/reports")
@require_role(*EDIT_ROLES)
@audited("admin.wg_meeting#reports")
def wg_meeting_reports(meeting_id: int):
    """Put the reports ticked before the meeting."""
    added = link_reports(db(), meeting_id, ids("report_id"))
    entry = audit("workgroup.meeting_reports", "meeting", meeting_id, added=added)
    return Done(f"บรรจุข่าวเข้าวาระ {added} เรื่อง", entry)


@bp.post("/workgroup/meetings/<int:meeting_id>/reports/<int:report_id>/remove")
@require_role(*EDIT_ROLES)
@audited("admin.wg_meeting#reports")
def wg_meeting_report_remove(meeting_id: int, report_id: int):
    """Take a report off the meeting's agenda."""
    unlink_report(db(), meeting_id, report_id)
    return Done("นำข่าวออกจากวาระแล้ว", audit("workgroup.meeting_report_remove", "meeting", meeting_id))


@bp.post("/workgroup/meetings/<int:meeting_id>/minutes")
@require_role(*EDIT_ROLES)
@audited("admin.wg_meeting#minutes")
def wg_meeting_minutes(meeting_id: int):
    """Save the minutes' text and, if chosen, the minutes document."""
    sql, warnings = db(), []
    minutes = (request.form.get("minutes_text") or "").strip() or None
    meeting = update_meeting(sql, meeting_id, warn=warnings.append, minutes_text=minutes)
    upload = uploaded("file")
    if upload is not None:
        stored = store_file(sql, media_dir(), upload[0], upload[1], purpose="minutes", by=actor())
        attach_minutes(sql, meeting.id, stored)
        record_request(sql, "workgroup.file_upload", object_type="wg_file", object_id=stored.id, purpose="minutes")
    return _saved("บันทึกรายงานการประชุมแล้ว", warnings, audit("workgroup.meeting_minutes", "meeting", meeting_id))


@bp.post("/workgroup/meetings/<int:meeting_id>/items")
@require_role(*EDIT_ROLES)
@audited("admin.wg_meeting#items")
def wg_meeting_item(meeting_id: int):
    """Add a decision, or a task with the agency responsible and its due date."""
    form = request.form
    item = add_action_item(
        db(),
        meeting_id,
        text=form.get("text") or "",
        is_decision=form.get("is_decision") == "1",
        agency_id=optional_int("agency_id"),
        due_on=parse_date(form.get("due_on"), required=False, label="วันครบกำหนด"),
    )
    return Done("บันทึกแล้ว", audit("workgroup.meeting_item", "action_item", item.id))


@bp.post("/workgroup/meetings/<int:meeting_id>/items/<int:item_id>/done")
@require_role(*EDIT_ROLES)
@audited("admin.wg_meeting#items")
def wg_meeting_item_done(meeting_id: int, item_id: int):
    """Mark a task done (no more reminders)."""
    complete_action_item(db(), item_id, utcnow())
    return Done("บันทึกว่างานเสร็จแล้ว", audit("workgroup.meeting_item_done", "action_item", item_id))


@bp.post("/workgroup/meetings/<int:meeting_id>/districts")
@require_role(*EDIT_ROLES)
@audited("admin.wg_meeting#districts")
def wg_meeting_districts(meeting_id: int):
    """The target districts where the meeting decided something."""
    set_target_districts(db(), meeting_id, request.form.getlist("district"))
    return Done("บันทึกพื้นที่เป้าหมายแล้ว", audit("workgroup.meeting_districts", "meeting", meeting_id))


@bp.post("/workgroup/meetings/<int:meeting_id>/forward")
@require_role(*EDIT_ROLES)
@audited("admin.wg_meeting#forward")
def wg_meeting_forward(meeting_id: int):
    """Send the meeting's results to the agencies ticked, by LINE and/or letter."""
    if letters_refused():
        abort(403)
    sql = db()
    subject = (request.form.get("subject") or "").strip() or None
    return forwarded(forward_meeting(sql, meeting_id=meeting_id, subject=subject, **forward_options(sql)))
