"""The clock in the admin web: this month's push quota and its use by job, the runs, the frozen reports.

For admin and the secretariat only. Numbers and run keys only: no message bodies, no LINE ids.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from sqlalchemy import select

from bot.admin.blueprint import bp
from bot.admin.outbox_texts import purpose_label
from bot.admin.periods_form import key_label
from bot.admin.scheduler_month import month_report_page
from bot.auth import Permission, require_permission
from bot.request_session import db
from models import JobRun, ReportVersion
from models.periods import Period
from models.timeutil import thai_datetime, utcnow
from reports.documents.month_report import actor_name
from reports.kpi_reports.summary import summary_view
from reports.riskpoint_month import compile_month
from runtime import quota
from scheduler import triggers
from scheduler.jobs.network_jobs import kpi_summary
from scheduler.jobs.registry import JOBS
from scheduler.policy import Policy
from scheduler.versions import MONTH_REPORT, digest, json_ready, latest
from services.kpi_reports import kpi_of
from texts import kpi_reports as kt
from texts import scheduler as t

RECENT_RUNS = 50
STATUS_LABELS = {"running": "กำลังทำ", "done": "เสร็จแล้ว", "failed": "ล้มเหลว (จะทำต่อ)"}
KIND_LABELS = {
    MONTH_REPORT: "รายงานจุดเสี่ยงภัยประจำเดือน",
    "quarterly": "สรุปตัวชี้วัดรายไตรมาส",
    "year-end": "สรุปผลการดำเนินงานปลายปีงบประมาณ",
    "kpi-network": "รายงานตัวชี้วัดเครือข่ายข่าว (ยืนยันแล้ว)",
    "kpi-riskpoints": "รายงานตัวชี้วัดพื้นที่เสี่ยงภัย (ยืนยันแล้ว)",
}


@bp.get("/scheduler/")
@require_permission(Permission.VIEW_SCHEDULER)
def scheduler_overview():
    """The month's quota and usage by job, the next runs, recent runs and the frozen reports."""
    session = db()
    now = utcnow()
    month = quota.quota_month(now)
    state = quota.current_state(session, now)
    usage = quota.usage_by_purpose(session, month)
    policy = Policy.load(session)
    upcoming = [
        (job, t.JOB_TITLES.get(job, t.OTHER_JOB), triggers.upcoming(job, policy, now, 1))
        for job, spec in JOBS.items()
        if spec.scheduled
    ]
    runs = session.scalars(select(JobRun).order_by(JobRun.claimed_at.desc()).limit(RECENT_RUNS)).all()
    versions = session.scalars(select(ReportVersion).order_by(ReportVersion.created_at.desc()).limit(24)).all()
    return render_template(
        "admin/scheduler/index.html",
        month_label=Period.month_of(now).label(),
        state=state,
        percent=None if state.ratio is None else round(100 * state.ratio, 1),
        usage=[(purpose, purpose_label(purpose), used) for purpose, used in usage.items()],
        waiting=quota.waiting_for_quota(session),
        upcoming=upcoming,
        runs=runs,
        versions=versions,
        status_labels=STATUS_LABELS,
        kind_labels=KIND_LABELS,
        thai_datetime=thai_datetime,
        period_label=_period_label,
        key_label=key_label,
        job_names=t.JOB_NAMES,
        other_job=t.OTHER_JOB,
    )


def _period_label(key: str) -> str:
    """A frozen report's period in Thai: 'พฤศจิกายน 2569', 'ปีงบประมาณ 2569 ไตรมาสที่ 1', 'ปีงบประมาณ 2569'."""
    try:
        if "-Q" in key:
            return Period.parse_quarter(key).label()
        if "-" in key:
            return Period.parse_month(key).label()
        return Period.of_fiscal_year(int(key)).label()
    except ValueError:
        return key_label(key)


@bp.get("/scheduler/reports/<int:version_id>")
@require_permission(Permission.VIEW_SCHEDULER)
def scheduler_report(version_id: int):
    """One frozen report version, and whether the figures have changed since it was frozen."""
    session = db()
    version = session.get(ReportVersion, version_id)
    if version is None:
        abort(404)
    kpi = kpi_of(version)
    if kpi is not None:  # a finalised quarterly KPI report has its own page
        year, quarter = (int(part) for part in version.period.split("-Q"))
        return redirect(url_for("admin.kpi_report", kpi=kpi, year=year, quarter=quarter))
    newest = latest(session, version.kind, version.period)
    changed = None
    if version.kind == MONTH_REPORT:
        month = Period.parse_month(version.period)
        current = json_ready(compile_month(session, month.year, month.month))
        changed = digest(current) != version.digest
    others = session.scalars(
        select(ReportVersion)
        .where(ReportVersion.kind == version.kind, ReportVersion.period == version.period)
        .order_by(ReportVersion.version)
    ).all()
    is_newest = newest is not None and newest.id == version.id
    if version.kind == MONTH_REPORT:
        return month_report_page(session, version, is_newest=is_newest, changed=changed, others=others)
    return kpi_summary_page(session, version, is_newest=is_newest, others=others)


def kpi_summary_page(session, version: ReportVersion, *, is_newest: bool, others) -> str:
    """A frozen quarterly or year-end summary in Thai sentences and tables, linking to that quarter's KPI reports."""
    summary = summary_view(version.kind, version.period, version.data or {})
    quarter = summary.quarter or 4
    span = (
        Period.of_fiscal_year(summary.fiscal_year)
        if summary.quarter is None
        else Period.of_quarter(summary.fiscal_year, quarter)
    )
    changed = digest(json_ready(kpi_summary(session, span))) != version.digest
    heading = f"{summary.title} {summary.period}"
    return render_template(
        "admin/scheduler/report.html",
        version=version,
        heading=heading,
        summary=summary,
        is_newest=is_newest,
        changed=changed,
        others=others,
        actor=actor_name(session, version.created_by),
        kpi_links=[
            (kt.SHORT_NAMES[kpi], url_for("admin.kpi_report", kpi=kpi, year=summary.fiscal_year, quarter=quarter))
            for kpi in kt.KPIS
        ],
        kt=kt,
    )
