"""The clock in the admin web: this month's push quota and its use by job, the runs, the frozen reports.

For admin and the secretariat only. Numbers and run keys only: no message bodies, no LINE ids.
"""

from __future__ import annotations

from flask import abort, render_template
from sqlalchemy import select

from bot.admin.blueprint import bp
from bot.auth import Permission, require_permission
from bot.request_session import db
from line.report_cards import month_rows, risk_line
from models import JobRun, ReportVersion
from models.periods import Period
from models.timeutil import thai_datetime, utcnow
from reports.riskpoint_month import compile_month
from runtime import quota
from scheduler import triggers
from scheduler.jobs.registry import JOBS
from scheduler.policy import Policy
from scheduler.versions import MONTH_REPORT, digest, json_ready, latest
from texts import scheduler as t

RECENT_RUNS = 50
STATUS_LABELS = {"running": "กำลังทำ", "done": "เสร็จแล้ว", "failed": "ล้มเหลว (จะทำต่อ)"}
KIND_LABELS = {
    MONTH_REPORT: "รายงานจุดเสี่ยงภัยประจำเดือน",
    "quarterly": "สรุปตัวชี้วัดรายไตรมาส",
    "year-end": "สรุปผลการดำเนินงานปลายปีงบประมาณ",
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
        (job, t.JOB_TITLES.get(job, job), triggers.upcoming(job, policy, now, 1))
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
        usage=[(purpose, t.JOB_TITLES.get(purpose, purpose), used) for purpose, used in usage.items()],
        waiting=quota.waiting_for_quota(session),
        upcoming=upcoming,
        runs=runs,
        versions=versions,
        status_labels=STATUS_LABELS,
        kind_labels=KIND_LABELS,
        thai_datetime=thai_datetime,
    )


@bp.get("/scheduler/reports/<int:version_id>")
@require_permission(Permission.VIEW_SCHEDULER)
def scheduler_report(version_id: int):
    """One frozen report version, and whether the figures have changed since it was frozen."""
    session = db()
    version = session.get(ReportVersion, version_id)
    if version is None:
        abort(404)
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
    return render_template(
        "admin/scheduler/report.html",
        version=version,
        kind_label=KIND_LABELS.get(version.kind, version.kind),
        is_newest=newest is not None and newest.id == version.id,
        changed=changed,
        others=others,
        rows=month_rows(version.data) if version.kind == MONTH_REPORT else [],
        risk_line=risk_line(version.data.get("risk")) if version.kind != MONTH_REPORT else None,
        figure_labels=t.FIGURE_LABELS,
        thai_datetime=thai_datetime,
    )
