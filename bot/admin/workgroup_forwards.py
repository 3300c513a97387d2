"""Forwards in the admin web: send reports to agencies, follow acknowledgements, record measures, letters."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.admin.actions import Done, audit, audited
from bot.admin.blueprint import bp
from bot.admin.workgroup_support import (
    EDIT_ROLES,
    LETTER_ROLES,
    READ_ROLES,
    actor,
    asked_fiscal_year,
    forward_options,
    forwarded,
    ids,
    letters_refused,
    media_dir,
    optional_int,
    parse_date,
    uploaded,
)
from bot.api.pagination import page_args, paginate
from bot.audit import record_request
from bot.auth import require_role
from bot.request_session import db
from models import Chat, NewsReport, ReportCategory, ReportStatus
from models.districts import DISTRICTS
from models.periods import Period
from models.timeutil import utcnow
from models.workgroup import Forward, ForwardRecipient, MeasureKind
from reports.documents import forward_letter
from reports.documents.pdf import PdfUnavailable
from reports.network_kpi import MEASURE_KINDS
from reports.work_today import awaiting_ack_clause
from runtime.delivery import notifier
from services.workgroup.acknowledgements import acknowledge_by_staff, remind_unacknowledged, unacknowledged
from services.workgroup.agencies import active_agencies
from services.workgroup.files import store_file
from services.workgroup.forwards import agency_group, forward_reports, forwards_statement
from services.workgroup.measures import record_measure

CHOOSABLE = (ReportStatus.NEW, ReportStatus.RECEIVED, ReportStatus.FORWARDED)
REPORTS_SHOWN = 200
PDF_UNAVAILABLE = "เครื่องนี้ยังสร้างไฟล์ PDF ไม่ได้ กรุณาดาวน์โหลดไฟล์ Word (DOCX) ของหนังสือฉบับนี้แทน"


@bp.get("/workgroup/forwards")
@require_role(*READ_ROLES)
def wg_forwards():
    """Forwards of a fiscal year, the agencies that have not acknowledged, and the form to forward reports."""
    sql = db()
    year, picker = asked_fiscal_year()
    awaiting = request.args.get("awaiting") == "1"  # forwards some agency has not acknowledged, of every year
    statement = forwards_statement(None if awaiting else year)
    if awaiting:
        statement = statement.where(awaiting_ack_clause())
    page, per_page = page_args(request.args)
    result = paginate(
        sql,
        statement.options(selectinload(Forward.recipients), selectinload(Forward.measures)),
        page,
        per_page,
    )
    period = Period.of_fiscal_year(year)
    reports = list(
        sql.scalars(
            select(NewsReport)
            .where(NewsReport.ref_no.is_not(None), NewsReport.status.in_(CHOOSABLE))
            .where(NewsReport.started_at >= period.starts, NewsReport.started_at < period.ends)
            .order_by(NewsReport.started_at.desc())
            .limit(REPORTS_SHOWN)
        )
    )
    agencies = active_agencies(sql)
    groups = {chat.id: chat for chat in sql.scalars(select(Chat).where(Chat.purpose == "agency"))}
    return render_template(
        "admin/workgroup/forwards.html",
        year=year,
        **picker,
        awaiting=awaiting,
        page=result,
        pending=unacknowledged(sql),
        reports=reports,
        chosen=set(ids_from_args("report")),
        categories=dict(sql.execute(select(ReportCategory.code, ReportCategory.name)).all()),
        agencies=agencies,
        reachable={a.id: agency_group(sql, a) for a in agencies},
        groups=groups,
    )


def ids_from_args(name: str) -> list[int]:
    """Integer ids given in the query string (?report=1&report=2)."""
    return [int(value) for value in request.args.getlist(name) if value.isdigit()]


@bp.post("/workgroup/forwards")
@require_role(*EDIT_ROLES)
@audited("admin.wg_forwards")
def wg_forward_create():
    """Forward the reports ticked to the agencies ticked: one LINE message per agency group, and/or letters."""
    if letters_refused():
        abort(403)
    sql = db()
    subject = request.form.get("subject") or ""
    return forwarded(forward_reports(sql, report_ids=ids("report_id"), subject=subject, **forward_options(sql)))


@bp.get("/workgroup/forwards/<int:forward_id>")
@require_role(*READ_ROLES)
def wg_forward(forward_id: int):
    """One forward: what was sent, each agency's acknowledgement and letter, and the measures reported."""
    sql = db()
    forward = sql.get(Forward, forward_id) or abort(404)
    reports = list(
        sql.scalars(
            select(NewsReport)
            .where(NewsReport.id.in_([link.report_id for link in forward.report_links]))
            .order_by(NewsReport.started_at)
        )
    )
    return render_template(
        "admin/workgroup/forward.html",
        forward=forward,
        reports=reports,
        measure_kinds=MEASURE_KINDS,
        kinds=list(MeasureKind),
        districts=DISTRICTS,
    )


@bp.post("/workgroup/forwards/<int:forward_id>/remind")
@require_role(*EDIT_ROLES)
@audited("admin.wg_forward")
def wg_forward_remind(forward_id: int):
    """Remind now, once, the agency groups of this forward that have not acknowledged."""
    sql = db()
    forward = sql.get(Forward, forward_id) or abort(404)
    due = [r for r in forward.recipients if r.acknowledged_at is None and r.reminded_at is None and r.line_chat_id]
    if not due:
        return Done("ไม่มีหน่วยงานที่เตือนทาง LINE ได้อีก (เตือนได้ครั้งเดียว)", category="warning")
    remind_unacknowledged(
        sql, utcnow(), notifier(sql, "forward-reminder", urgent=False), after_days=0, forward_id=forward_id
    )
    return Done(f"ส่งข้อความเตือน {len(due)} หน่วยงานแล้ว", audit("workgroup.forward_remind", "forward", forward_id))


@bp.post("/workgroup/forwards/<int:forward_id>/recipients/<int:recipient_id>/ack")
@require_role(*EDIT_ROLES)
@audited("admin.wg_forward")
def wg_forward_ack(forward_id: int, recipient_id: int):
    """Record an acknowledgement that came another way (a letter back, a phone call)."""
    sql = db()
    recipient = sql.get(ForwardRecipient, recipient_id)
    if recipient is None or recipient.forward_id != forward_id:
        abort(404)
    acknowledge_by_staff(sql, recipient_id, by=actor(), now=utcnow())
    entry = audit("workgroup.forward_ack", "forward_recipient", recipient_id)
    return Done(f"บันทึกการตอบรับของ{recipient.agency.name}แล้ว", entry)


@bp.post("/workgroup/forwards/<int:forward_id>/measures")
@require_role(*EDIT_ROLES)
@audited("admin.wg_forward#measures")
def wg_forward_measure(forward_id: int):
    """Record a measure, policy or plan an agency reported back on this forward, with its document."""
    sql = db()
    form = request.form
    stored = None
    upload = uploaded("file")
    if upload is not None:
        stored = store_file(sql, media_dir(), upload[0], upload[1], purpose="measure", by=actor())
    measure = record_measure(
        sql,
        forward_id=forward_id,
        agency_id=optional_int("agency_id") or 0,
        kind=form.get("kind") or MeasureKind.MEASURE.value,
        title=form.get("title") or "",
        detail=form.get("detail"),
        district=(form.get("district") or "").strip() or None,
        reported_on=parse_date(form.get("reported_on"), label="วันที่หน่วยงานแจ้ง"),
        stored=stored,
        by=actor(),
        now=utcnow(),
    )
    return Done("บันทึกมาตรการ/นโยบายแล้ว", audit("workgroup.measure", "measure", measure.id))


def _letter_recipient_or_404(sql, forward_id: int, recipient_id: int) -> ForwardRecipient:
    """The recipient of a forward that was sent a letter, or 404."""
    recipient = sql.get(ForwardRecipient, recipient_id)
    if recipient is None or recipient.forward_id != forward_id or recipient.letter_id is None:
        abort(404)
    return recipient


@bp.get("/workgroup/forwards/<int:forward_id>/letters/<int:recipient_id>.pdf")
@require_role(*LETTER_ROLES)
def wg_forward_letter_pdf(forward_id: int, recipient_id: int):
    """The PDF of the letter to one agency, the same letter as its DOCX (authorised staff, audited)."""
    sql = db()
    recipient = _letter_recipient_or_404(sql, forward_id, recipient_id)
    try:
        data = forward_letter.render_forward_pdf(sql, recipient)
    except PdfUnavailable:
        flash(PDF_UNAVAILABLE, "error")
        return redirect(url_for("admin.wg_forward", forward_id=forward_id))
    record_request(sql, "view.forward_letter", object_type="forward_recipient", object_id=recipient_id, format="pdf")
    sql.commit()
    return send_file(
        io.BytesIO(data),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=forward_letter.filename(recipient.forward, recipient, "pdf"),
    )


@bp.get("/workgroup/forwards/<int:forward_id>/letters/<int:recipient_id>.docx")
@require_role(*LETTER_ROLES)
def wg_forward_letter(forward_id: int, recipient_id: int):
    """The DOCX letter to one agency (it holds reports' contents: authorised staff, audited)."""
    sql = db()
    recipient = _letter_recipient_or_404(sql, forward_id, recipient_id)
    data = forward_letter.render_forward_letter(sql, recipient)
    record_request(sql, "view.forward_letter", object_type="forward_recipient", object_id=recipient_id)
    sql.commit()
    return send_file(
        io.BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        as_attachment=True,
        download_name=forward_letter.filename(recipient.forward, recipient),
    )
