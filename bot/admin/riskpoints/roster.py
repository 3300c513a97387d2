"""A unit's roster in the admin web: who belongs to it, inviting a friend of the bot (accepted in LINE), removing.

Admin and secretariat (MANAGE_RISK_UNITS). Inviting and removing are audited; the invitation is pushed to the
person's LINE chat through the outbox, and the worker is woken to send it at once.
"""

from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for
from flask_login import current_user

from bot.admin.actions import Done, audit, audited
from bot.admin.blueprint import bp
from bot.auth import Permission, require_permission
from bot.request_session import db
from models import Member, RiskUnit, RosterStatus, UnitMembership
from models.timeutil import utcnow
from runtime.delivery import notifier
from services.riskpoints.roster import candidates, invite, name_of, remove, roster_of

STATUS_LABELS = {
    RosterStatus.INVITED: "รอตอบรับ",
    RosterStatus.ACTIVE: "เป็นสมาชิก",
    RosterStatus.DECLINED: "ปฏิเสธ",
    RosterStatus.REMOVED: "นำออกแล้ว",
}


def _unit_or_404(unit_id: int) -> RiskUnit:
    unit = db().get(RiskUnit, unit_id)
    if unit is None:
        abort(404)
    return unit


@bp.get("/riskpoints/units/<int:unit_id>/roster")
@require_permission(Permission.MANAGE_RISK_UNITS)
def riskpoint_roster(unit_id: int):
    """A unit's roster (status, invited and answered dates) and the search for friends of the bot to invite."""
    sql = db()
    unit = _unit_or_404(unit_id)
    roster = roster_of(sql, unit)
    query = (request.args.get("q") or "").strip()
    listed = {member.id: membership.status for membership, member in roster}
    found = [m for m in candidates(sql, query) if listed.get(m.id) not in (RosterStatus.ACTIVE, RosterStatus.INVITED)]
    return render_template(
        "admin/riskpoints/roster.html",
        unit=unit,
        roster=roster,
        query=query,
        found=found if query else [],
        name_of=name_of,
        status_labels=STATUS_LABELS,
        RosterStatus=RosterStatus,
    )


@bp.post("/riskpoints/units/<int:unit_id>/roster/invite")
@require_permission(Permission.MANAGE_RISK_UNITS)
@audited("admin.riskpoint_roster")
def riskpoint_roster_invite(unit_id: int):
    """Invite a friend of the bot onto the unit's roster: the invitation goes to their LINE chat."""
    sql = db()
    unit = _unit_or_404(unit_id)
    member = sql.get(Member, int(request.form.get("member_id") or 0))
    if member is None:
        abort(404)
    membership = invite(
        sql, unit, member, by=current_user.username, now=utcnow(), notify=notifier(sql, "riskpoints:roster")
    )
    entry = audit("riskpoint.roster_invite", "unit_membership", membership.id, unit=unit.code)
    wake = current_app.extensions["fieldline"].worker.wake
    return Done(f"ส่งคำเชิญเข้าร่วม{unit.name}ถึง {name_of(member)} ทาง LINE แล้ว รอการตอบรับ", entry, after=wake)


@bp.post("/riskpoints/units/<int:unit_id>/roster/<int:membership_id>/remove")
@require_permission(Permission.MANAGE_RISK_UNITS)
@audited("admin.riskpoint_roster")
def riskpoint_roster_remove(unit_id: int, membership_id: int):
    """Take someone off the unit's roster (or withdraw their open invitation)."""
    sql = db()
    unit = _unit_or_404(unit_id)
    membership = sql.get(UnitMembership, membership_id)
    if membership is None or membership.unit_id != unit.id:
        abort(404)
    remove(sql, membership, by=current_user.username, now=utcnow())
    entry = audit("riskpoint.roster_remove", "unit_membership", membership.id, unit=unit.code)
    name = name_of(sql.get(Member, membership.member_id))
    return Done(f"นำ {name} ออกจากรายชื่อของ{unit.name}แล้ว", entry, to=url_for("admin.riskpoint_roster", unit_id=unit.id))
