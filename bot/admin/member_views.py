"""Network members (and rejected webhook bodies): personal data, every view audited.

Lists and pages show the pseudonymous reporter code; names, phones and LINE names appear only to roles
with VIEW_IDENTITIES, on request, and each such view is written to the audit log with the members' ids.
"""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from bot.admin import network_texts as nt
from bot.admin.actions import Done, Refused, audit, audited, audited_page, finish, next_or
from bot.admin.blueprint import bp
from bot.admin.forms import MemberEditForm
from bot.admin.network_filters import MEMBER_STATUSES, MemberFilters
from bot.admin.network_queries import (
    count_pending,
    group_choices,
    member_groups,
    network_members_statement,
    occupation_names,
    occupations,
    report_counts,
)
from bot.admin.network_support import actor, audit_identities, visible_or_404, wants_identities
from bot.admin.queries import rejected_statement
from bot.api.pagination import page_args, paginate
from bot.audit import record_request
from bot.auth import Permission, require_permission, visible_districts
from bot.request_session import db
from models import Member, MemberStatus, NewsReport
from models.districts import DISTRICTS
from models.timeutil import fiscal_year, to_bangkok, utcnow
from runtime.delivery import notifier
from services.audit import Action
from services.network.errors import NetworkError
from services.network.members import decide_member, decisions_for, update_member

RECENT_REPORTS = 20


@bp.get("/members")
@require_permission(Permission.VIEW_MEMBERS)
def members():
    """List members by reporter code with filters; identities on request (allowed roles); audited."""
    sql = db()
    filters = MemberFilters.from_args(request.args)
    page, per_page = page_args(request.args)
    result = paginate(sql, network_members_statement(current_user, filters), page, per_page)
    identities = wants_identities()
    record_request(sql, Action.VIEW_MEMBERS, object_type="member", page=result.page, count=len(result.items))
    if identities:
        audit_identities(sql, [member.id for member in result.items], page="members")
    districts = visible_districts(current_user)
    current_year = fiscal_year(to_bangkok(utcnow()).date())
    html = render_template(
        "admin/members.html",
        page=result,
        districts=districts,
        district_choices=sorted(districts) if districts is not None else DISTRICTS,
        filters=filters,
        args=filters.query_args() | ({"identities": "1"} if identities else {}),
        statuses=MEMBER_STATUSES,
        occupations=occupations(sql),
        occupation_names=occupation_names(sql),
        groups=group_choices(sql),
        identities=identities,
        report_counts=report_counts(sql, [member.id for member in result.items]),
        pending=count_pending(sql, current_user),
        decisions={member.id: decisions_for(member) for member in result.items},
        years=list(range(current_year, current_year - 6, -1)),
    )
    sql.commit()
    return html


@bp.get("/members/<int:member_id>")
@require_permission(Permission.VIEW_MEMBERS)
def member(member_id: int):
    """One member: status, occupation, district, groups and reports; identity on request; audited."""
    sql = db()
    person = visible_or_404(Member, member_id)
    identity = wants_identities("identity")
    record_request(sql, Action.VIEW_MEMBER, object_type="member", object_id=person.id)
    if identity:
        audit_identities(sql, [person.id], page="member")
    reports = sql.scalars(
        select(NewsReport)
        .where(NewsReport.reporter_id == person.id)
        .order_by(NewsReport.started_at.desc())
        .limit(RECENT_REPORTS)
    ).all()
    html = render_template(
        "admin/network/member.html",
        member=person,
        identity=identity,
        occupation_names=occupation_names(sql),
        groups=member_groups(sql, person),
        reports=reports,
        decisions=decisions_for(person),
    )
    sql.commit()
    return html


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_NETWORK, Permission.VIEW_IDENTITIES)
def member_edit(member_id: int):
    """Correct a member's name, phone, occupational group or district (the form shows the identity: audited)."""
    sql = db()
    person = visible_or_404(Member, member_id)
    form = MemberEditForm(obj=person, data={"occupation": person.occupation_code or ""})
    form.occupation.choices = [("", "– ไม่ระบุ –")] + [
        (o.code, o.name + ("" if o.is_active else " (เลิกใช้)")) for o in occupations(sql)
    ]
    error = None
    if form.validate_on_submit():
        try:
            changed = update_member(
                sql,
                person.id,
                full_name=form.full_name.data,
                phone=form.phone.data,
                occupation=form.occupation.data,
                district=form.district.data,
            )
        except NetworkError as problem:
            error = str(problem)
        else:
            if changed:
                entry = audit(Action.MEMBER_UPDATE, "member", person.id, fields=changed)
                done = Done(nt.MEMBER_UPDATED.format(code=person.reporter_code), entry)
            else:
                done = Done(nt.MEMBER_UNCHANGED, category="message")
            return finish(done, url_for("admin.member", member_id=person.id))
    if request.method == "GET":
        audit_identities(sql, [person.id], page="member_edit")
    html = render_template("admin/network/member_edit.html", member=person, form=form, error=error)
    sql.commit()
    return html


@bp.post("/members/<int:member_id>/decide")
@require_permission(Permission.MANAGE_NETWORK)
@audited(lambda member_id: next_or(url_for("admin.member", member_id=member_id)))
def member_decide(member_id: int):
    """Approve, reject or suspend a registered member (services.network.members.decide_member); audited."""
    person = visible_or_404(Member, member_id)
    status = nt.MEMBER_DECISIONS.get(request.form.get("decision", ""))
    if status is None or MemberStatus(status) not in decisions_for(person):
        raise Refused("ทำรายการนี้กับสมาชิกในสถานะปัจจุบันไม่ได้")
    decide_member(db(), person.id, MemberStatus(status), by=actor(), notify=notifier(db(), "member-decision"))
    entry = audit(Action.MEMBER_DECIDE, "member", person.id, status=status)
    return Done(nt.MEMBER_DECIDED[status].format(code=person.reporter_code), entry)


@bp.get("/rejected")
@require_permission(Permission.VIEW_REJECTED)
def rejected():
    """List signed webhook bodies that could not be read (they may hold messages), and audit the view."""
    sql = db()
    page, per_page = page_args(request.args, default_per_page=20)
    result = paginate(sql, rejected_statement(), page, per_page)
    entry = audit(Action.VIEW_REJECTED, "rejected_body", page=result.page, count=len(result.items))
    return audited_page("admin/rejected.html", entry, page=result)
