"""Bulk actions on the reports inbox: the reports ticked on one page categorised, linked as the same news,
forwarded to agencies together, or put before a meeting, each through the rule its single action uses.

Each action needs the permission its single action needs and acts only on reports of the user's districts
(the others are left alone and the message says how many and why). Everything happens in one transaction
with one audit entry per report: a refusal by a rule rolls the whole batch back, nothing is half done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask import abort, current_app, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.admin.actions import Done, Refused, audit, audited, next_or
from bot.admin.blueprint import bp
from bot.admin.network_queries import category_names
from bot.admin.network_support import actor
from bot.admin.workgroup_support import forward_options, letters_refused
from bot.api.pagination import MAX_PER_PAGE
from bot.auth import Permission, can, may_act_in, require_permission
from bot.request_session import db
from models import NewsReport
from models.timeutil import utcnow
from models.workgroup import Meeting, MeetingStatus
from services.audit import Action
from services.network.news_reports import link_as_duplicates, set_category
from services.workgroup.agencies import active_agencies
from services.workgroup.forwards import forward_reports
from services.workgroup.meetings import link_reports

# action -> the permissions its single action needs (bot/auth.py), for every report it touches
BULK_PERMISSIONS: dict[str, tuple[Permission, ...]] = {
    "category": (Permission.MANAGE_NETWORK,),  # as /network/reports/<id>/category
    "duplicates": (Permission.MANAGE_NETWORK,),
    "forward": (Permission.VIEW_WORKGROUP, Permission.MANAGE_WORKGROUP),  # as /workgroup/forwards
    "meeting": (Permission.VIEW_WORKGROUP, Permission.MANAGE_WORKGROUP),  # as /workgroup/meetings/<id>/reports
}
AUDIT_DUPLICATES = "report.duplicates"
AUDIT_FORWARD = "report.forward"
AUDIT_MEETING = "report.meeting"
MEETINGS_OFFERED = 20  # the meetings offered: not called off, newest first, from half a year back on
DEFAULT_SUBJECT = "ส่งต่อข่าวจากเครือข่ายข่าวความมั่นคง"

CHOOSE_ACTION = "กรุณาเลือกสิ่งที่จะทำกับข่าวที่เลือก"
CHOOSE_REPORTS = "กรุณาเลือกข่าวอย่างน้อย 1 ข่าว (ติ๊กช่องหน้าข่าว หรือ “เลือกทั้งหมดในหน้านี้”)"
TOO_MANY = "เลือกได้ครั้งละไม่เกิน {most} ข่าว"
NOTHING_DONE = "ไม่ได้ดำเนินการกับข่าวใดเลย: {why}"
SKIPPED = "ไม่ได้ดำเนินการ {count} ข่าว: {why}"
OUTSIDE = "{count} ข่าวอยู่นอกเขตที่ท่านรับผิดชอบ"
MISSING = "{count} ข่าวไม่พบแล้ว"
UNCONFIRMED = "{refs} ยังไม่ได้ยืนยันหรือผู้แจ้งยกเลิกแล้ว"
CATEGORISED = "จัดหมวด “{name}” {count} ข่าวแล้ว"
NO_CATEGORY = "กรุณาเลือกหมวดหมู่"
LINKED = "เชื่อม {count} ข่าวเป็นข่าวเดียวกันแล้ว โดยยึด {first} เป็นข่าวแรก (เพิ่มการเชื่อม {added} รายการ)"
FORWARDED = "ส่งต่อ {count} ข่าวรวมเป็นเรื่องเดียว {ref} ถึง {agencies} แล้ว (ใช้โควตาข้อความ LINE ประมาณ {cost} ข้อความ)"
NO_MEETING = "กรุณาเลือกการประชุม"
MEETING_CANCELLED = "การประชุม “{title}” ยกเลิกแล้ว บรรจุข่าวเข้าวาระไม่ได้"
PUT_BEFORE_MEETING = "บรรจุ {added} ข่าวเข้าวาระ “{title}” แล้ว"
ALREADY_ON_AGENDA = " (อีก {count} ข่าวอยู่ในวาระแล้ว)"
CONSIDERED = " นับว่าคณะทำงานพิจารณาแล้ว เพราะการประชุมจัดขึ้นแล้ว"
CONSIDERED_WHEN_HELD = " จะนับว่าพิจารณาแล้วเมื่อการประชุมจัดขึ้น"


@dataclass
class Selection:
    """The reports ticked: those the user may act on, and why the others are left alone."""

    acting: list[NewsReport] = field(default_factory=list)
    outside: int = 0  # of districts the user does not hold the permissions in (never named)
    missing: int = 0
    unconfirmed: list[NewsReport] = field(default_factory=list)

    def reasons(self) -> list[str]:
        """The Thai reasons for the reports left alone."""
        found = []
        if self.outside:
            found.append(OUTSIDE.format(count=self.outside))
        if self.missing:
            found.append(MISSING.format(count=self.missing))
        if self.unconfirmed:
            refs = ", ".join(f"ร่าง #{report.id}" for report in self.unconfirmed[:5])
            more = f" และอีก {len(self.unconfirmed) - 5} ข่าว" if len(self.unconfirmed) > 5 else ""
            found.append(UNCONFIRMED.format(refs=refs + more))
        return found

    @property
    def skipped(self) -> int:
        """How many reports ticked are left alone."""
        return self.outside + self.missing + len(self.unconfirmed)


def chosen_ids() -> list[int]:
    """The report ids ticked (or every report of the page with "select all on this page"), in order, once."""
    name = "page_id" if request.form.get("all_on_page") == "1" else "report_id"
    found = [int(value) for value in request.form.getlist(name) if value.strip().isdigit()]
    return list(dict.fromkeys(found))


def select_reports(
    session: Session, ids: list[int], permissions: tuple[Permission, ...], *, confirmed: bool
) -> Selection:
    """Load the ticked reports in one query and sort them into those to act on and those left alone."""
    found = {report.id: report for report in session.scalars(select(NewsReport).where(NewsReport.id.in_(ids)))}
    selection = Selection()
    for report_id in ids:
        report = found.get(report_id)
        if report is None:
            selection.missing += 1
        elif not all(may_act_in(current_user, permission, report.district) for permission in permissions):
            selection.outside += 1
        elif confirmed and report.ref_no is None:
            selection.unconfirmed.append(report)
        else:
            selection.acting.append(report)
    return selection


def ref(report: NewsReport) -> str:
    """A report as a message names it."""
    return report.ref_no or f"ร่าง #{report.id}"


@bp.post("/network/reports/bulk")
@require_permission(Permission.VIEW_NETWORK)
@audited(lambda: next_or(url_for("admin.network_reports")))
def network_reports_bulk():
    """Act on the reports ticked on one page of the inbox: categorise, link, forward or put before a meeting."""
    action = request.form.get("action", "")
    if action not in BULK_PERMISSIONS:
        raise Refused(CHOOSE_ACTION)
    permissions = BULK_PERMISSIONS[action]
    if not all(can(current_user, permission) for permission in permissions):
        abort(403)
    ids = chosen_ids()
    if not ids:
        raise Refused(CHOOSE_REPORTS)
    if len(ids) > MAX_PER_PAGE:
        raise Refused(TOO_MANY.format(most=MAX_PER_PAGE))
    sql = db()
    selection = select_reports(sql, ids, permissions, confirmed=action != "category")
    if not selection.acting:
        raise Refused(NOTHING_DONE.format(why="; ".join(selection.reasons())))
    done = ACTIONS[action](sql, selection.acting)
    if not selection.skipped:
        return done
    note = SKIPPED.format(count=selection.skipped, why="; ".join(selection.reasons()))
    return Done(f"{done.message} · {note}", done.audit, done.to, "warning", done.after)


def _categorise(sql: Session, reports: list[NewsReport]) -> Done:
    code = request.form.get("category", "").strip()
    if not code:
        raise Refused(NO_CATEGORY)
    for report in reports:
        set_category(sql, report.id, code, by=actor())
        audit(Action.REPORT_CATEGORY, "news_report", report.id, category=code, bulk=len(reports)).record()
    name = category_names(sql).get(code, code)
    return Done(CATEGORISED.format(name=name, count=len(reports)))


def _link(sql: Session, reports: list[NewsReport]) -> Done:
    first, added = link_as_duplicates(sql, [report.id for report in reports])
    for report in reports:
        audit(AUDIT_DUPLICATES, "news_report", report.id, first=first.id, bulk=len(reports)).record()
    return Done(LINKED.format(count=len(reports), first=ref(first), added=added))


def _forward(sql: Session, reports: list[NewsReport]) -> Done:
    if letters_refused():
        abort(403)
    subject = (request.form.get("subject") or "").strip() or DEFAULT_SUBJECT
    forward = forward_reports(
        sql, report_ids=[report.id for report in reports], subject=subject, **forward_options(sql)
    )
    audit("workgroup.forward", "forward", forward.id, reports=len(reports), bulk=True).record()
    for report in reports:
        audit(AUDIT_FORWARD, "news_report", report.id, forward_id=forward.id, bulk=len(reports)).record()
    agencies = ", ".join(recipient.agency.name for recipient in forward.recipients)
    cost = sum(recipient.line_cost or 0 for recipient in forward.recipients)
    message = FORWARDED.format(count=len(reports), ref=forward.ref_no, agencies=agencies, cost=cost)
    return Done(message, after=current_app.extensions["fieldline"].worker.wake)


def _put_before_meeting(sql: Session, reports: list[NewsReport]) -> Done:
    value = (request.form.get("meeting_id") or "").strip()
    meeting = sql.get(Meeting, int(value)) if value.isdigit() else None
    if meeting is None:
        raise Refused(NO_MEETING)
    if meeting.status == MeetingStatus.CANCELLED:
        raise Refused(MEETING_CANCELLED.format(title=meeting.title))
    added = link_reports(sql, meeting.id, [report.id for report in reports])
    for report in reports:
        audit(AUDIT_MEETING, "news_report", report.id, meeting_id=meeting.id, bulk=len(reports)).record()
    message = PUT_BEFORE_MEETING.format(added=added, title=meeting.title)
    if added < len(reports):
        message += ALREADY_ON_AGENDA.format(count=len(reports) - added)
    message += CONSIDERED if meeting.status == MeetingStatus.HELD else CONSIDERED_WHEN_HELD
    return Done(message)


ACTIONS = {"category": _categorise, "duplicates": _link, "forward": _forward, "meeting": _put_before_meeting}


@dataclass(frozen=True)
class BulkChoices:
    """What the inbox's bulk form offers this user: the actions allowed and their choices."""

    actions: frozenset[str]
    agencies: list = field(default_factory=list)
    meetings: list = field(default_factory=list)


def bulk_choices(session: Session) -> BulkChoices:
    """The bulk actions the signed-in user may take, with the agencies and meetings to choose from."""
    allowed = frozenset(
        action
        for action, permissions in BULK_PERMISSIONS.items()
        if all(can(current_user, permission) for permission in permissions)
    )
    if not allowed & {"forward", "meeting"}:
        return BulkChoices(allowed)
    since = utcnow() - timedelta(days=183)
    meetings = session.scalars(
        select(Meeting)
        .where(Meeting.status != MeetingStatus.CANCELLED, Meeting.starts_at >= since)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        .limit(MEETINGS_OFFERED)
    )
    return BulkChoices(allowed, active_agencies(session), list(meetings))
