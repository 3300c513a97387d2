"""GET /api/v1/workgroup/...: agencies, committees, meetings (with the reports to consider), forwards,
measures and the network KPI with its evidence. Read-only, like the rest of the API; no informant's
identity is ever included (reports appear by reference number, category and district)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from functools import wraps

from flask import abort, request
from sqlalchemy import select

from bot.admin.workgroup_support import READ_ROLES
from bot.api.access import api_user, require_api_permission
from bot.api.blueprint import bp
from bot.api.pagination import page_args, paginate
from bot.api.responses import api_error, iso, item_response, list_response
from bot.auth import Permission, has_role
from bot.request_session import db
from models import NewsReport, Role
from models.periods import Period
from models.timeutil import fiscal_year, utcnow
from models.workgroup import Agency, Committee, Forward, Measure, Meeting
from reports.network_kpi import evidence_checklist, kpi_by_quarter, meeting_verdict, network_kpi
from services.workgroup.acknowledgements import unacknowledged
from services.workgroup.forwards import forwards_statement
from services.workgroup.meetings import bangkok_day, waiting_reports_statement


def require_api_roles(*roles: Role) -> Callable:
    """Decorate an API view: one of the roles, else a JSON 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not has_role(api_user(), *roles):
                return api_error(403, "forbidden", "บทบาทของผู้ใช้นี้ไม่มีสิทธิ์เข้าถึงข้อมูลนี้")
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _year() -> int:
    return request.args.get("fy", type=int) or fiscal_year(bangkok_day(utcnow()))


def serialize_agency(agency: Agency) -> dict:
    """An agency of the configurable list."""
    return {
        "id": agency.id,
        "code": agency.code,
        "name": agency.name,
        "short_name": agency.short_name,
        "kind": agency.kind.value,
        "immigration_authority": agency.immigration_authority,
        "district": agency.district,
        "has_line_group": agency.chat_id is not None,
        "is_active": agency.is_active,
    }


def serialize_committee(committee: Committee, *, detail: bool = False) -> dict:
    """A committee, its order and validity; with its members and history when asked for one."""
    item = {
        "id": committee.id,
        "name": committee.name,
        "order_no": committee.order_no,
        "order_issuer": committee.order_issuer,
        "order_date": _day(committee.order_date),
        "valid_from": _day(committee.valid_from),
        "valid_until": _day(committee.valid_until),
        "has_order_file": committee.order_file_id is not None,
        "draft": not committee.members,  # an order without members: saved, but no level 3 until members are added
    }
    if detail:
        item["members"] = [
            {
                "id": member.id,
                "role": member.role.value,
                "agency": serialize_agency(member.agency),
                "position": member.position,
                "full_name": member.full_name,
                "contact": member.contact,
                "joined_on": _day(member.joined_on),
                "left_on": _day(member.left_on),
            }
            for member in committee.members
        ]
        item["changes"] = [
            {"at": iso(change.at), "action": change.action, "by": change.by, "detail": change.detail}
            for change in committee.changes
        ]
    return item


def _report(report: NewsReport) -> dict:
    return {
        "id": report.id,
        "ref_no": report.ref_no,
        "started_at": iso(report.started_at),
        "category": report.category_code,
        "district": report.district,
        "status": report.status.value,
    }


def serialize_meeting(meeting: Meeting, *, detail: bool = False) -> dict:
    """A meeting and whether it counts toward level 4; with its reports, attendees and items when asked."""
    item = {
        "id": meeting.id,
        "committee_id": meeting.committee_id,
        "kind": meeting.kind.value,
        "status": meeting.status.value,
        "title": meeting.title,
        "starts_at": iso(meeting.starts_at),
        "place": meeting.place,
        "exchanged_information": meeting.exchanged_information,
        "reports_considered": len(meeting.report_links),
        "has_minutes": bool(meeting.minutes_file_id or meeting.minutes_text),
        "target_districts": list(meeting.target_districts or []),
        "counts_for_level_4": meeting_verdict(meeting) is None,
        "why_not_counted": meeting_verdict(meeting),
    }
    if detail:
        item["agenda"] = meeting.agenda
        item["minutes_text"] = meeting.minutes_text
        item["attendees"] = [
            {"member_id": a.member_id, "agency_id": a.agency_id, "name": a.name} for a in meeting.attendees
        ]
        item["items"] = [
            {
                "id": action.id,
                "is_decision": action.is_decision,
                "text": action.text,
                "agency_id": action.agency_id,
                "due_on": _day(action.due_on),
                "done_at": iso(action.done_at),
            }
            for action in meeting.items
        ]
    return item


def serialize_forward(forward: Forward, *, detail: bool = False) -> dict:
    """A forward with its recipients' acknowledgements; with its summary and measures when asked."""
    item = {
        "id": forward.id,
        "ref_no": forward.ref_no,
        "fiscal_year": forward.fiscal_year,
        "kind": forward.kind.value,
        "meeting_id": forward.meeting_id,
        "subject": forward.subject,
        "via_line": forward.via_line,
        "via_letter": forward.via_letter,
        "sent_at": iso(forward.sent_at),
        "report_ids": [link.report_id for link in forward.report_links],
        "recipients": [
            {
                "id": r.id,
                "agency_id": r.agency_id,
                "agency": r.agency.name,
                "letter_no": r.letter_no,
                "line_cost": r.line_cost,
                "acknowledged_at": iso(r.acknowledged_at),
                "reminded_at": iso(r.reminded_at),
            }
            for r in forward.recipients
        ],
    }
    if detail:
        item["summary"] = forward.summary
        item["measures"] = [serialize_measure(measure) for measure in forward.measures]
    return item


def serialize_measure(measure: Measure) -> dict:
    """A measure, policy or plan reported back on a forward."""
    return {
        "id": measure.id,
        "forward_id": measure.forward_id,
        "agency_id": measure.agency_id,
        "agency": measure.agency.name,
        "kind": measure.kind.value,
        "title": measure.title,
        "detail": measure.detail,
        "district": measure.district,
        "reported_on": _day(measure.reported_on),
        "has_file": measure.file_id is not None,
        "source": measure.source,
    }


@bp.get("/workgroup/agencies")
@require_api_roles(*READ_ROLES)
def wg_agencies_list():
    """The agencies in their configured order."""
    sql = db()
    page, per_page = page_args(request.args)
    return list_response(
        paginate(sql, select(Agency).order_by(Agency.sort_order, Agency.id), page, per_page), serialize_agency
    )


@bp.get("/workgroup/committees")
@require_api_roles(*READ_ROLES)
def wg_committees_list():
    """Committees, newest order first."""
    sql = db()
    page, per_page = page_args(request.args)
    statement = select(Committee).order_by(Committee.valid_from.desc(), Committee.id.desc())
    return list_response(paginate(sql, statement, page, per_page), serialize_committee)


@bp.get("/workgroup/committees/<int:committee_id>")
@require_api_roles(*READ_ROLES)
def wg_committee_item(committee_id: int):
    """One committee with its members and history of changes."""
    committee = db().get(Committee, committee_id) or abort(404)
    return item_response(serialize_committee(committee, detail=True))


@bp.get("/workgroup/meetings")
@require_api_roles(*READ_ROLES)
def wg_meetings_list():
    """The meetings of a fiscal year (?fy=2564), oldest first, and the reports waiting to be considered."""
    sql = db()
    year = _year()
    period = Period.of_fiscal_year(year)
    page, per_page = page_args(request.args)
    statement = (
        select(Meeting)
        .where(Meeting.starts_at >= period.starts, Meeting.starts_at < period.ends)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    waiting = [_report(report) for report in sql.scalars(waiting_reports_statement().limit(200))]
    return list_response(
        paginate(sql, statement, page, per_page), serialize_meeting, fiscal_year=year, reports_to_consider=waiting
    )


@bp.get("/workgroup/meetings/<int:meeting_id>")
@require_api_roles(*READ_ROLES)
def wg_meeting_item(meeting_id: int):
    """One meeting with its reports, attendees, decisions and action items."""
    sql = db()
    meeting = sql.get(Meeting, meeting_id) or abort(404)
    item = serialize_meeting(meeting, detail=True)
    ids = [link.report_id for link in meeting.report_links]
    item["reports"] = [_report(r) for r in sql.scalars(select(NewsReport).where(NewsReport.id.in_(ids)))]
    return item_response(item)


@bp.get("/workgroup/forwards")
@require_api_roles(*READ_ROLES)
def wg_forwards_list():
    """Forwards of a fiscal year (?fy=), newest first; ?pending=1 for those an agency has not acknowledged."""
    sql = db()
    year = _year()
    page, per_page = page_args(request.args)
    statement = forwards_statement(year)
    if request.args.get("pending") == "1":
        pending = {r.forward_id for r in unacknowledged(sql)}
        statement = statement.where(Forward.id.in_(pending))
    return list_response(paginate(sql, statement, page, per_page), serialize_forward, fiscal_year=year)


@bp.get("/workgroup/forwards/<int:forward_id>")
@require_api_roles(*READ_ROLES)
def wg_forward_item(forward_id: int):
    """One forward with the text the agencies received and the measures they reported."""
    forward = db().get(Forward, forward_id) or abort(404)
    return item_response(serialize_forward(forward, detail=True))


@bp.get("/workgroup/measures")
@require_api_roles(*READ_ROLES)
def wg_measures_list():
    """Measures and policies reported on the forwards of a fiscal year (?fy=)."""
    sql = db()
    year = _year()
    page, per_page = page_args(request.args)
    statement = (
        select(Measure)
        .join(Forward, Forward.id == Measure.forward_id)
        .where(Forward.fiscal_year == year)
        .order_by(Measure.reported_on, Measure.id)
    )
    return list_response(paginate(sql, statement, page, per_page), serialize_measure, fiscal_year=year)


def _kpi(kpi) -> dict:
    return {
        "period": kpi.period.label(),
        "level": kpi.level,
        "target": kpi.target,
        "target_met": kpi.target_met,
        "levels": [asdict(result) for result in kpi.levels],
    }


@bp.get("/workgroup/kpi")
@require_api_permission(Permission.VIEW_KPI)
def wg_kpi_item():
    """The network KPI of a fiscal year (?fy=): levels 1-5 with evidence, by quarter's end, and the checklist."""
    sql = db()
    year = _year()
    kpi = network_kpi(sql, Period.of_fiscal_year(year))
    item = _kpi(kpi)
    item["fiscal_year"] = year
    item["by_quarter_end"] = [{"quarter": q.period.quarter, "level": q.level} for q in kpi_by_quarter(sql, year)]
    item["evidence_checklist"] = [asdict(entry) for entry in evidence_checklist(kpi)]
    return item_response(item)
