"""The quarterly KPI reports in the admin web (/admin/kpi-reports/): list, preview, edit, finalise, download.

For admin and the secretariat (the clock's permission). The list shows each KPI for each quarter of a fiscal
year with its status (a draft, or sent as version n); a report's page previews the draft as page images (or
as HTML with a note where no PDF can be made), edits its narrative sections, finalises it as the next
numbered version (audited; the secretariat's linked LINE accounts get a card with signed download links) and
downloads the draft or any finalised version as DOCX, PDF or XLSX (audited).
"""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from bot import downloads
from bot.admin import kpi_report_files as files
from bot.admin import periods_form as pf
from bot.admin.actions import Done, audit, audited
from bot.admin.blueprint import bp
from bot.audit import record_request
from bot.auth import Permission, require_permission
from bot.request_session import db
from models import ReportVersion
from models.periods import Period
from models.timeutil import fiscal_quarter, fiscal_year, to_bangkok, utcnow
from reports.documents import pdf as pdf_engine
from reports.kpi_reports import pdf as kpdf
from reports.kpi_reports.view import report_doc
from runtime.delivery import notifier
from services import kpi_reports as reports
from services.audit import Action
from texts import kpi_reports as t

YEARS_BACK = 8
QUARTERS = ((1, "ไตรมาสที่ 1 (ต.ค.–ธ.ค.)"), (2, "ไตรมาสที่ 2 (ม.ค.–มี.ค.)"), (3, "ไตรมาสที่ 3 (เม.ย.–มิ.ย.)"))
QUARTERS += ((4, "ไตรมาสที่ 4 (ก.ค.–ก.ย.)"),)


def _today_quarter() -> tuple[int, int]:
    today = to_bangkok(utcnow()).date()
    return fiscal_year(today), fiscal_quarter(today)


def _years(session) -> list[int]:
    current, _ = _today_quarter()
    kinds = list(reports.KINDS.values())
    stored = {
        int(p.split("-Q")[0])
        for p in session.scalars(select(ReportVersion.period).where(ReportVersion.kind.in_(kinds)))
    }
    return sorted({*range(current, current - YEARS_BACK, -1), *stored}, reverse=True)


def _checked(kpi: str, year: int, quarter: int) -> None:
    try:
        reports.check(kpi, year, quarter)
    except reports.KpiReportError:
        abort(404)


@bp.get("/kpi-reports/")
@require_permission(Permission.VIEW_SCHEDULER)
def kpi_reports():
    """Every KPI report of a fiscal year, quarter by quarter, with its status; a picker for the year and quarter."""
    session = db()
    current_year, current_quarter = _today_quarter()
    choice = _quarter_asked(current_year, current_quarter)
    year, quarter = choice.period.fiscal_year, choice.period.quarter
    rows = [(number, kpi, reports.status(session, kpi, year, number)) for number in (1, 2, 3, 4) for kpi in t.KPIS]
    return render_template(
        "admin/kpi_reports/index.html",
        years=_years(session),
        year=year,
        quarter=quarter,
        quarters=QUARTERS,
        rows=rows,
        error=choice.error,
        t=t,
    ), (422 if choice.error else 200)


def _quarter_asked(current_year: int, current_quarter: int) -> pf.PeriodChoice:
    """?fy=2569&quarter=2 (a year alone: its 4th quarter, or this quarter for this year); this quarter by default."""
    default = Period.of_quarter(current_year, current_quarter)
    year, quarter = (request.args.get("fy") or "").strip(), (request.args.get("quarter") or "").strip()
    if not year and not quarter:
        return pf.PeriodChoice(default)
    if year and not quarter:
        chosen = pf.fiscal_year_from(request.args, default)
        if chosen.error:
            return chosen
        fy = chosen.period.fiscal_year
        return pf.PeriodChoice(Period.of_quarter(fy, current_quarter if fy == current_year else 4))
    return pf.quarter_from({"quarter": quarter, "quarter_year": year or str(current_year)}, default)


@bp.get("/kpi-reports/<kpi>/<int:year>/<int:quarter>")
@require_permission(Permission.VIEW_SCHEDULER)
def kpi_report(kpi: str, year: int, quarter: int):
    """One report: its status against the live draft, page images, the narrative form, finalise and downloads."""
    _checked(kpi, year, quarter)
    session = db()
    live = reports.snapshot(session, kpi, year, quarter)
    state = reports.status(session, kpi, year, quarter, live=live)
    pages, preview_html = 0, None
    if pdf_engine.available():
        try:
            pages = pdf_engine.page_count(files.draft_document(session, live, "pdf").content)
        except pdf_engine.PdfUnavailable:
            pages = 0
    if not pages:
        doc = report_doc(live.content, live.narrative, status=reports.status_line(live.content, None))
        preview_html = Markup(kpdf.body_html(doc))  # noqa: S704 - our own template, autoescaped
    labels = {key: (section, label) for key, section, label in t.FIELDS}
    fields = [key for key in t.FIELD_KEYS if _field_shown(key, quarter)]
    return render_template(
        "admin/kpi_reports/report.html",
        kpi=kpi,
        year=year,
        quarter=quarter,
        name=t.SHORT_NAMES[kpi],
        period=t.PERIOD.format(year=year, quarter=quarter),
        live=live,
        state=state,
        versions=reports.versions(session, kpi, year, quarter),
        person=lambda username: reports.person(session, username),
        pages=pages,
        digest=live.digest,
        preview_html=preview_html,
        fields=fields,
        labels=labels,
        narrative=live.narrative,
        pdf_available=pdf_engine.available(),
        t=t,
    )


def _field_shown(key: str, quarter: int) -> bool:
    """Notes of quarters not yet reported (and the year's, before quarter 4) are not asked for."""
    if key.startswith("note_q"):
        return int(key[-1]) <= quarter
    return key != "note_year" or quarter == 4


@bp.post("/kpi-reports/<kpi>/<int:year>/<int:quarter>/narrative")
@require_permission(Permission.VIEW_SCHEDULER)
@audited("admin.kpi_report", errors=(reports.KpiReportError,))
def kpi_report_narrative(kpi: str, year: int, quarter: int):
    """Store the edited narrative sections (audited: which sections, never their text)."""
    _checked(kpi, year, quarter)
    values = {key: request.form[key] for key in t.FIELD_KEYS if key in request.form}
    changed = reports.save_narrative(db(), kpi, year, quarter, values, current_user.username)
    if not changed:
        return Done(t.SAVED_NOTHING, category="message")
    entry = audit(
        Action.KPI_REPORT_NARRATIVE,
        "kpi-report",
        reports.period_key(year, quarter),
        kpi=kpi,
        sections=changed,
    )
    return Done(t.SAVED.format(count=len(changed)), entry)


@bp.post("/kpi-reports/<kpi>/<int:year>/<int:quarter>/finalise")
@require_permission(Permission.VIEW_SCHEDULER)
@audited("admin.kpi_report", errors=(reports.KpiReportError,))
def kpi_report_finalise(kpi: str, year: int, quarter: int):
    """Finalise the draft as the next numbered version (audited) and send the secretariat its signed links."""
    _checked(kpi, year, quarter)
    session = db()
    version, created = reports.finalise(session, kpi, year, quarter, by=current_user.username)
    if not created:
        return Done(t.ALREADY_FINAL.format(version=version.version), category="message")
    expires = utcnow() + files.LINK_TTL
    sent = reports.tell_secretariat(
        session, version, notifier(session, "kpi-report"), files.link_for, expires_at=expires
    )
    entry = audit(
        Action.KPI_REPORT_FINALISE,
        "report-version",
        version.id,
        kpi=kpi,
        period=version.period,
        version=version.version,
        digest=version.digest,
        line_cards=sent,
    )
    message = t.FINALISED.format(
        name=t.SHORT_NAMES[kpi], period=t.PERIOD.format(year=year, quarter=quarter), version=version.version
    )
    if sent:
        message += t.FINALISED_LINE.format(count=sent)
    return Done(message, entry, after=current_app.extensions["fieldline"].worker.wake)


def _download(file: downloads.File, fmt: str, *, kpi: str, period: str, version: int | None) -> Response:
    session = db()
    record_request(
        session,
        Action.KPI_REPORT_DOWNLOAD,
        object_type="kpi-report",
        object_id=period,
        kpi=kpi,
        fmt=fmt,
        version=version,
    )
    session.commit()
    return downloads.attachment(file, fmt)


@bp.get("/kpi-reports/<kpi>/<int:year>/<int:quarter>/draft.<fmt>")
@require_permission(Permission.VIEW_SCHEDULER)
def kpi_report_draft(kpi: str, year: int, quarter: int, fmt: str):
    """The draft as it stands, as DOCX, PDF or XLSX (audited)."""
    _checked(kpi, year, quarter)
    if fmt not in reports.FORMATS:
        abort(404)
    session = db()
    try:
        file = files.draft_document(session, reports.snapshot(session, kpi, year, quarter), fmt)
    except pdf_engine.PdfUnavailable:
        flash(t.PDF_UNAVAILABLE, "error")
        return redirect(url_for("admin.kpi_report", kpi=kpi, year=year, quarter=quarter))
    return _download(file, fmt, kpi=kpi, period=reports.period_key(year, quarter), version=None)


@bp.get("/kpi-reports/versions/<int:version_id>.<fmt>")
@require_permission(Permission.VIEW_SCHEDULER)
def kpi_report_version(version_id: int, fmt: str):
    """A finalised version as DOCX, PDF or XLSX, printed from its stored JSON (audited)."""
    session = db()
    version = session.get(ReportVersion, version_id)
    kpi = reports.kpi_of(version) if version is not None else None
    if kpi is None or fmt not in reports.FORMATS:
        abort(404)
    try:
        file = files.version_document(session, version, fmt)
    except pdf_engine.PdfUnavailable:
        flash(t.PDF_UNAVAILABLE, "error")
        year, quarter = (int(part) for part in version.period.split("-Q"))
        return redirect(url_for("admin.kpi_report", kpi=kpi, year=year, quarter=quarter))
    return _download(file, fmt, kpi=kpi, period=version.period, version=version.version)


@bp.get("/kpi-reports/<kpi>/<int:year>/<int:quarter>/page-<int:page>.png")
@require_permission(Permission.VIEW_SCHEDULER)
def kpi_report_page(kpi: str, year: int, quarter: int, page: int):
    """One page of the draft's PDF as a PNG (the page's preview)."""
    _checked(kpi, year, quarter)
    session = db()
    pdf = files.cached_draft_pdf(session, request.args.get("d", ""))  # the page's own draft, made for its count
    if pdf is None:
        try:
            pdf = files.draft_document(session, reports.snapshot(session, kpi, year, quarter), "pdf").content
        except pdf_engine.PdfUnavailable:
            abort(404)
    if not 1 <= page <= pdf_engine.page_count(pdf):
        abort(404)
    (image,) = files.page_images(pdf, page - 1)
    return Response(image, mimetype="image/png", headers={"Cache-Control": "no-store"})
