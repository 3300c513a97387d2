"""GET /api/v1/members and /api/v1/members/<id>: network members by reporter code, within the caller's districts.

Every read is audited. Names, phones, LINE names and ids only with ?include=identity, for roles with
VIEW_IDENTITIES; those reads are audited again with the members' ids.
"""

from __future__ import annotations

from flask import abort, request

from bot.admin.network_filters import MemberFilters
from bot.admin.network_queries import network_members_statement, occupation_names
from bot.admin.network_support import audit_identities, may_see_district
from bot.api.access import api_user, require_api_permission
from bot.api.blueprint import bp
from bot.api.pagination import page_args, paginate
from bot.api.responses import api_error, included, iso, item_response, list_response
from bot.audit import record_request
from bot.auth import Permission, can
from bot.request_session import db
from models import Member
from services.audit import Action

IDENTITY_FORBIDDEN = "บทบาทของผู้ใช้นี้ไม่มีสิทธิ์ดูชื่อและเบอร์โทรของผู้แจ้งข่าว"


def serialize_member(member: Member, *, names: dict[str, str] | None = None, identity: bool = False) -> dict:
    """A member by reporter code: status, occupation, district, dates; the identity only when asked and allowed."""
    item = {
        "id": member.id,
        "reporter_code": member.reporter_code,
        "status": member.status.value,
        "occupation": member.occupation_code,
        "occupation_name": (names or {}).get(member.occupation_code),
        "district": member.district,
        "is_friend": member.is_friend,
        "registered_at": iso(member.registered_at),
        "decided_at": iso(member.decided_at),
        "first_seen_at": iso(member.first_seen_at),
    }
    if identity:
        item["identity"] = {
            "full_name": member.full_name,
            "phone": member.phone,
            "display_name": member.display_name,
            "line_user_id": member.line_user_id,
        }
    return item


@bp.get("/members")
@require_api_permission(Permission.VIEW_MEMBERS)
def members_list():
    """A page of members, newest first; ?status=&occupation=&district=&group=&include=identity; audited."""
    identity = included("identity")
    if identity and not can(api_user(), Permission.VIEW_IDENTITIES):
        return api_error(403, "forbidden", IDENTITY_FORBIDDEN)
    sql = db()
    filters = MemberFilters.from_args(request.args)
    page, per_page = page_args(request.args)
    result = paginate(sql, network_members_statement(api_user(), filters), page, per_page)
    record_request(sql, Action.VIEW_MEMBERS, object_type="member", page=result.page, count=len(result.items))
    if identity:
        audit_identities(sql, [member.id for member in result.items])
    names = occupation_names(sql)
    response = list_response(result, lambda member: serialize_member(member, names=names, identity=identity))
    sql.commit()
    return response


@bp.get("/members/<int:member_id>")
@require_api_permission(Permission.VIEW_MEMBERS)
def members_item(member_id: int):
    """One member (?include=identity for allowed roles); audited."""
    identity = included("identity")
    if identity and not can(api_user(), Permission.VIEW_IDENTITIES):
        return api_error(403, "forbidden", IDENTITY_FORBIDDEN)
    sql = db()
    member = sql.get(Member, member_id)
    if member is None or not may_see_district(member.district, api_user()):
        abort(404)
    record_request(sql, Action.VIEW_MEMBER, object_type="member", object_id=member.id)
    if identity:
        audit_identities(sql, [member.id])
    response = item_response(serialize_member(member, names=occupation_names(sql), identity=identity))
    sql.commit()
    return response
