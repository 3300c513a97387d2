"""The frozen month report in the admin web: its page (readable on a phone) and its DOCX, PDF and XLSX.

The day-7 card's link opens /admin/scheduler/reports/<id>; for a month report scheduler.scheduler_report
hands over to ``month_report_page``. Page and documents are built from the frozen version's stored data
(reports/documents/month_report.py), so they show what was sent, in Thai, Bangkok time and BE years,
naming who froze it. Same permission as the clock's pages; every download is audited.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, flash, redirect, render_template, url_for
from sqlalchemy.orm import Session

from bot.admin.blueprint import bp
from bot.audit import record_request
from bot.auth import Permission, require_permission
from bot.request_session import db
from models import ReportVersion
from models.office import office_profile
from reports.documents import month_report, pdf
from scheduler.versions import MONTH_REPORT
from texts import month_report as t

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DOWNLOAD_AUDIT = "scheduler.month_report_download"
LONG_TABLE = 15  # tables with more rows start folded on the page


def office_name(session: Session) -> str:
    """The office named on the report, from the office profile (e.g. สำนักงานเขตบางรัก)."""
    return office_profile(session).name


def view_of(session: Session, version: ReportVersion) -> month_report.MonthReport:
    """The Thai view of a frozen month report version."""
    return month_report.build(
        version.data,
        office=office_name(session),
        version=version.version,
        frozen_at=version.created_at,
        actor=month_report.actor_name(session, version.created_by),
        digest=version.digest,
    )


def month_report_page(session: Session, version: ReportVersion, *, is_newest: bool, changed, others) -> str:
    """The month report's page: heading, who froze it and when, downloads, the summary and every table."""
    return render_template(
        "admin/scheduler/month_report.html",
        version=version,
        report=view_of(session, version),
        is_newest=is_newest,
        changed=changed,
        others=others,
        pdf_available=pdf.available(),
        long_table=LONG_TABLE,
        t=t,
    )


@bp.get("/scheduler/reports/<int:version_id>/month.<fmt>")
@require_permission(Permission.VIEW_SCHEDULER)
def scheduler_month_document(version_id: int, fmt: str):
    """A frozen month report as DOCX, PDF or XLSX, named in Thai (filename*), audited."""
    session = db()
    version = session.get(ReportVersion, version_id)
    if version is None or version.kind != MONTH_REPORT or fmt not in FORMATS:
        abort(404)
    report = view_of(session, version)
    if fmt == "pdf":
        try:
            data = month_report.render_pdf(report)
        except pdf.PdfUnavailable:
            flash(t.PDF_UNAVAILABLE, "error")
            return redirect(url_for("admin.scheduler_report", version_id=version.id))
    elif fmt == "docx":
        from reports.documents.month_report_docx import render_docx

        data = render_docx(report)
    else:
        from reports.documents.month_report_xlsx import render_xlsx

        data = render_xlsx(version.data, report)
    record_request(
        session, "scheduler.month_report_download", object_type="report_version", object_id=version.id, format=fmt
    )
    session.commit()
    fallback = f"riskpoint-month-{version.period}-v{version.version}.{fmt}"
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(month_report.file_name(report, fmt))}"
    return Response(data, mimetype=FORMATS[fmt], headers={"Content-Disposition": disposition})
