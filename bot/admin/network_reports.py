"""The news reports inbox, a report's page, its category and the status updates sent to its reporter.

Lists show reference numbers, categories, districts and reporter codes only. A report's messages, photos
and places are personal data: opening them is audited (VIEW_REPORT_CONTENT, within the user's districts).
"""

from __future__ import annotations

from flask import current_app, render_template, request, url_for
from flask_login import current_user

from bot.admin import network_texts as nt
from bot.admin.actions import Done, Refused, audit, audited, next_or
from bot.admin.blueprint import bp
from bot.admin.network_bulk import bulk_choices
from bot.admin.network_filters import STATUS_ALL, ReportFilters
from bot.admin.network_queries import (
    categories,
    category_names,
    group_choices,
    linked_reports,
    occupation_names,
    reports_statement,
    status_update_history,
)
from bot.admin.network_support import (
    actor,
    audit_identities,
    may_see_district,
    report_url,
    visible_or_404,
    wants_identities,
)
from bot.api.pagination import page_args, paginate
from bot.audit import record_request
from bot.auth import Permission, can, require_permission, visible_districts
from bot.request_session import db
from models import Chat, Member, NewsReport, ReportStatus
from models.districts import DISTRICTS
from runtime import quota
from runtime.delivery import notifier
from services.audit import Action
from services.network.news_reports import send_status_update, set_category

CLOSED_TO_UPDATES = (ReportStatus.DRAFT, ReportStatus.WITHDRAWN)


@bp.get("/network/reports")
@require_permission(Permission.VIEW_NETWORK)
def network_reports():
    """The reports inbox: filters by Bangkok date (BE or CE input), the last N hours, district, category,
    group and status; the reports ticked on a page can be acted on together (bot/admin/network_bulk.py)."""
    sql = db()
    filters = ReportFilters.from_args(request.args)
    page, per_page = page_args(request.args)
    result = paginate(sql, reports_statement(current_user, filters), page, per_page, scalars=False)
    districts = visible_districts(current_user)
    args = filters.query_args()
    return render_template(
        "admin/network/reports.html",
        page=result,
        filters=filters,
        args=args,
        chips=filter_chips(filters, args),
        bulk=bulk_choices(sql),
        inbox_url=url_for("admin.network_reports", page=result.page, **args),
        statuses=[status.value for status in ReportStatus],
        status_all=STATUS_ALL,
        categories=categories(sql),
        category_names=category_names(sql),
        groups=group_choices(sql),
        districts=districts,
        district_choices=sorted(districts) if districts is not None else DISTRICTS,
    )


def filter_chips(filters: ReportFilters, args: dict[str, str]) -> list[tuple[str, str]]:
    """The filters shown as removable chips: (Thai label, the inbox's URL without that filter)."""
    chips = []
    if filters.hours:
        rest = {key: value for key, value in args.items() if key != "hours"}
        chips.append((nt.HOURS_CHIP.format(hours=filters.hours), url_for("admin.network_reports", **rest)))
    return chips


@bp.get("/network/reports/<int:report_id>")
@require_permission(Permission.VIEW_NETWORK)
def network_report(report_id: int):
    """One report: its messages in order, photos, places and possible duplicates (audited), and actions."""
    sql = db()
    report = visible_or_404(NewsReport, report_id)
    content = can(current_user, Permission.VIEW_REPORT_CONTENT)
    reporter = sql.get(Member, report.reporter_id) if report.reporter_id else None
    identity = reporter is not None and wants_identities("identity")
    if content:
        record_request(sql, Action.VIEW_REPORT, object_type="news_report", object_id=report.id)
    if identity:
        audit_identities(sql, [reporter.id], report_id=report.id)
    linked = [one for one in linked_reports(sql, report.id) if may_see_district(one.report.district)]
    html = render_template(
        "admin/network/report.html",
        report=report,
        content=content,
        items=report.items if content else [],
        reporter=reporter,
        identity=identity,
        chat=sql.get(Chat, report.chat_id) if report.chat_id else None,
        category_names=category_names(sql),
        occupation_names=occupation_names(sql),
        categories=[c for c in categories(sql) if c.is_active or c.code == report.category_code],
        linked=linked,
        history=status_update_history(sql, report.id),
        quota=quota.current_state(sql),
        may_update=report.status not in CLOSED_TO_UPDATES,
    )
    sql.commit()
    return html


@bp.post("/network/reports/<int:report_id>/category")
@require_permission(Permission.MANAGE_NETWORK)
@audited(lambda report_id: next_or(report_url(report_id)))
def network_report_category(report_id: int):
    """Set the secretariat's category for a report (services.network.news_reports.set_category); audited."""
    sql = db()
    report = visible_or_404(NewsReport, report_id)
    code = request.form.get("category", "")
    set_category(sql, report.id, code, by=actor())
    name = category_names(sql).get(code, code)
    return Done(
        nt.CATEGORY_CHANGED.format(ref=report.ref_no or f"#{report.id}", name=name),
        audit(Action.REPORT_CATEGORY, "news_report", report.id, category=code),
    )


@bp.post("/network/reports/<int:report_id>/status-update")
@require_permission(Permission.MANAGE_NETWORK)
@audited(lambda report_id: next_or(report_url(report_id)))
def network_report_status(report_id: int):
    """Tell the reporter where the report stands, by push through the outbox (counts against the quota)."""
    sql = db()
    report = visible_or_404(NewsReport, report_id)
    key = request.form.get("update", "")
    if report.status in CLOSED_TO_UPDATES or key not in nt.STATUS_UPDATE_TEXTS:
        raise Refused("แจ้งสถานะข่าวนี้ไม่ได้ (ข่าวยังไม่ยืนยันหรือผู้แจ้งยกเลิกแล้ว)")
    delivered = send_status_update(sql, report.id, key, notifier(sql, "status-update"), by=actor())
    entry = audit(Action.REPORT_STATUS_UPDATE, "news_report", report.id, update=key, pushed=delivered)
    if not delivered:
        return Done(nt.STATUS_UPDATE_UNREACHABLE.format(ref=report.ref_no), entry, category="warning")
    wake = current_app.extensions["fieldline"].worker.wake
    return Done(nt.STATUS_UPDATE_SENT.format(ref=report.ref_no), entry, after=wake)
