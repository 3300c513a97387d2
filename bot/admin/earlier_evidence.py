"""บันทึกหลักฐานย้อนหลัง: the admin page where the secretariat enters what happened before FieldLine.

Three forms (a LINE group, a report received, a forward with its letters) and a workbook import with a preview,
all through services/earlier_evidence.py (which audits each record); every refusal is shown in Thai on the page.
"""

from __future__ import annotations

import base64
import binascii

from flask import Response, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from bot.admin.actions import Done, finish
from bot.admin.blueprint import bp
from bot.admin.network_queries import categories, occupations
from bot.audit import client_ip
from bot.auth import Permission, require_permission
from bot.request_session import db
from line.workgroup_cards import forward_summary
from models import NewsReport
from models.districts import DISTRICTS
from models.timeutil import thai_date
from models.workgroup import Meeting
from services.earlier_evidence import (
    moment,
    network_groups,
    parse_be_date,
    parse_letter_number,
    parse_time,
    record_forward,
    record_group,
    record_report,
    recorder,
)
from services.earlier_evidence_import import FORWARD, GROUP, REPORT, import_evidence, template_workbook
from services.workgroup.agencies import active_agencies
from texts import earlier_evidence as t
from texts import network as nt

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT = 100  # reports recorded later offered to tick in the forward form
PERMISSIONS = (Permission.MANAGE_NETWORK, Permission.MANAGE_WORKGROUP)  # admin and secretariat


def _who():
    return recorder(current_user.username, via="web", ip=client_ip())


def _page(*, errors: dict[str, str] | None = None, which: str | None = None, outcome=None, data: str = ""):
    """The page, with one form's error and its values kept (status 200: the answer is on the page)."""
    sql = db()
    recent = sql.scalars(
        select(NewsReport)
        .where(NewsReport.recorded_later.is_(True))
        .order_by(NewsReport.started_at.desc())
        .limit(RECENT)
    )
    meetings = sql.scalars(select(Meeting).order_by(Meeting.starts_at.desc()).limit(RECENT))
    return render_template(
        "admin/workgroup/earlier.html",
        errors=errors or {},
        values=request.form if which else {},
        which=which,
        groups=network_groups(sql),
        occupations=[o for o in occupations(sql) if o.is_active],
        categories=[c for c in categories(sql) if c.is_active],
        districts=DISTRICTS,
        purposes=nt.GROUP_PURPOSES,
        agencies=active_agencies(sql),
        recent=list(recent),
        meetings=list(meetings),
        outcome=outcome,
        data=data,
        kinds=t.KIND_NAMES,
        t=t,
    )


def _refused(which: str, error: ValueError):
    db().rollback()
    return _page(errors={which: str(error)}, which=which)


def _saved(message: str, created: bool, anchor: str):
    if not created:
        return finish(Done(t.ALREADY, category="warning"), url_for("admin.wg_earlier", _anchor=anchor))
    return finish(Done(message), url_for("admin.wg_earlier", _anchor=anchor))


@bp.get("/workgroup/earlier")
@require_permission(*PERMISSIONS)
def wg_earlier():
    """The forms and the import of evidence recorded later."""
    return _page()


@bp.post("/workgroup/earlier/group")
@require_permission(*PERMISSIONS)
def wg_earlier_group():
    """Record a LINE group with its members, occupation and real start (never sent to)."""
    form = request.form
    try:
        done = record_group(
            db(),
            _who(),
            name=form.get("name") or "",
            members=form.get("members"),
            started_on=parse_be_date(form.get("started_on"), label="วันที่เริ่มกลุ่ม"),
            occupation=form.get("occupation") or None,
            purpose=form.get("purpose") or "network",
        )
    except ValueError as error:
        return _refused(GROUP, error)
    chat = done.row
    day = thai_date(chat.registered_at)
    return _saved(t.GROUP_SAVED.format(name=chat.name, day=day, members=chat.member_count), done.created, "group")


@bp.post("/workgroup/earlier/report")
@require_permission(*PERMISSIONS)
def wg_earlier_report():
    """Record a report received through a group, with the day (and hour) it came in."""
    form = request.form
    who = _who()
    try:
        day = parse_be_date(form.get("received_on"), label="วันที่ได้รับข่าว")
        done = record_report(
            db(),
            who,
            chat_id=form.get("chat_id"),
            received_at=moment(day, parse_time(form.get("time")), who.now),
            text=form.get("text") or "",
            category=form.get("category") or None,
            district=form.get("district") or None,
        )
    except ValueError as error:
        return _refused(REPORT, error)
    report = done.row
    return _saved(t.REPORT_SAVED.format(ref=report.ref_no, day=thai_date(report.started_at)), done.created, "report")


@bp.post("/workgroup/earlier/forward")
@require_permission(*PERMISSIONS)
def wg_earlier_forward():
    """Record a forward by letter to the agencies ticked, each with its letter number if known."""
    form = request.form
    who = _who()
    sql = db()
    try:
        day = parse_be_date(form.get("sent_on"), label="วันที่ส่ง")
        agencies = [int(value) for value in form.getlist("agency_id") if value.isdigit()]
        numbers = {agency: parse_letter_number(form.get(f"letter_{agency}")) for agency in agencies}
        reports = [int(value) for value in form.getlist("report_id") if value.isdigit()]
        for ref in (form.get("refs") or "").replace(";", ",").split(","):
            if ref.strip():
                report_id = sql.scalar(select(NewsReport.id).where(NewsReport.ref_no == ref.strip().upper()))
                if report_id is None:
                    raise ValueError(t.REPORT_UNKNOWN.format(value=ref.strip()))
                reports.append(report_id)
        meeting = form.get("meeting_id") or ""
        done = record_forward(
            sql,
            who,
            sent_at=moment(day, parse_time(form.get("time")), who.now),
            agency_ids=agencies,
            summarise=forward_summary,
            subject=form.get("subject"),
            report_ids=reports,
            meeting_id=int(meeting) if meeting.isdigit() else None,
            letter_numbers=numbers,
            note=form.get("note"),
        )
    except ValueError as error:
        return _refused(FORWARD, error)
    forward = done.row
    message = t.FORWARD_SAVED.format(
        ref=forward.ref_no, day=thai_date(forward.sent_at), agencies=len(forward.recipients)
    )
    return _saved(message, done.created, "forward")


@bp.post("/workgroup/earlier/import")
@require_permission(*PERMISSIONS)
def wg_earlier_import():
    """Check a workbook (a preview listing every row's result) or, once it is all valid, import it."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        data = upload.read()
    else:
        try:
            data = base64.b64decode(request.form.get("data") or "", validate=True)
        except (binascii.Error, ValueError):
            data = b""
    if not data:
        return _page(errors={"import": "กรุณาเลือกไฟล์ Excel (.xlsx) ที่กรอกตามแบบฟอร์ม"}, which="import")
    sql = db()
    save = request.form.get("action") == "save"
    outcome = import_evidence(sql, data, _who(), forward_summary, save=save)
    if outcome.saved:
        counts = {kind: outcome.count(kind) for kind in (GROUP, REPORT, FORWARD)}
        back = url_for("admin.wg_earlier", _anchor="import")
        if not any(counts.values()):
            return finish(Done(t.IMPORT_NOTHING_NEW, category="warning"), back)
        message = t.IMPORT_DONE.format(
            groups=counts[GROUP], reports=counts[REPORT], forwards=counts[FORWARD], skipped=outcome.skipped
        )
        return finish(Done(message), back)
    sql.rollback()
    return _page(outcome=outcome, data=base64.b64encode(data).decode(), which="import")


@bp.get("/workgroup/earlier/template.xlsx")
@require_permission(*PERMISSIONS)
def wg_earlier_template():
    """The workbook to fill in: one sheet each for groups, reports and forwards, with Thai headers."""
    data = template_workbook(db())
    name = "evidence-recorded-later.xlsx"
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
