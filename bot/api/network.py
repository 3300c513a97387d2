"""GET /api/v1/groups, /api/v1/reports, /api/v1/reports/<ref or id> and /api/v1/media/<id>: the network.

Lists carry reference numbers, categories, districts and reporter codes only. A report's items (its
messages, places and media links) need VIEW_REPORT_CONTENT and are audited; media bytes are never in the
JSON, only URLs to the authorised routes (the web's for signed-in staff, /api/v1/media/<id> for tokens).
"""

from __future__ import annotations

from flask import abort, request, url_for

from bot.admin.network_filters import ReportFilters
from bot.admin.network_media import find_report_media, send_report_media
from bot.admin.network_queries import (
    category_names,
    find_report,
    linked_reports,
    registered_groups_statement,
    reports_statement,
    unregistered_chats_statement,
)
from bot.admin.network_support import audit_identities, may_see_district
from bot.api.access import api_user, require_api_permission
from bot.api.blueprint import bp
from bot.api.pagination import page_args, paginate
from bot.api.responses import api_error, included, iso, item_response, list_response
from bot.audit import record_request
from bot.auth import Permission, can
from bot.request_session import db
from models import Chat, Member, NewsReport, ReportItem
from services.audit import Action

OSM = "https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=17/{lat:.6f}/{lon:.6f}"


def serialize_group(chat: Chat) -> dict:
    """A registered group: name, purpose, occupation, head count, registration and whether the bot is in it."""
    return {
        "id": chat.id,
        "name": chat.name,
        "chat_type": chat.chat_type,
        "purpose": chat.purpose,
        "occupation": chat.occupation_code,
        "member_count": chat.member_count,
        "registered_at": iso(chat.registered_at),
        "bot_is_member": chat.is_member,
        "left_at": iso(chat.left_at),
    }


def serialize_unregistered(chat: Chat) -> dict:
    """A chat the bot is in that nobody registered: no name, no content."""
    return {
        "id": chat.id,
        "chat_type": chat.chat_type,
        "joined_at": iso(chat.joined_at),
        "member_count": chat.member_count,
    }


@bp.get("/groups")
@require_api_permission(Permission.VIEW_NETWORK)
def groups_list():
    """Registered groups; ?registered=false for the unregistered chats the bot is in (admin and secretariat)."""
    sql = db()
    page, per_page = page_args(request.args)
    if request.args.get("registered", "true").lower() in ("false", "0", "no"):
        if not can(api_user(), Permission.MANAGE_NETWORK):
            return api_error(403, "forbidden", "บทบาทของผู้ใช้นี้ไม่มีสิทธิ์ดูกลุ่มที่ยังไม่ลงทะเบียน")
        return list_response(paginate(sql, unregistered_chats_statement(), page, per_page), serialize_unregistered)
    return list_response(paginate(sql, registered_groups_statement(), page, per_page), serialize_group)


def _location(latitude: float | None, longitude: float | None, place: str | None) -> dict | None:
    if latitude is None or longitude is None:
        return None
    return {
        "latitude": latitude,
        "longitude": longitude,
        "place": place,
        "map_url": OSM.format(lat=latitude, lon=longitude),
    }


def serialize_report(report: NewsReport, counts: dict, names: dict[str, str], *, content: bool = False) -> dict:
    """A report's metadata (never the reporter's identity); its place only with content permission."""
    return {
        "id": report.id,
        "ref_no": report.ref_no,
        "status": report.status.value,
        "channel": report.channel,
        "group": {"id": report.chat_id, "name": counts.get("chat_name")} if report.chat_id else None,
        "category": report.category_code,
        "category_name": names.get(report.category_code),
        "suggested_category": report.suggested_category,
        "category_set_by": report.category_set_by,
        "district": report.district,
        "reporter_code": counts.get("reporter_code"),
        "started_at": iso(report.started_at),
        "last_item_at": iso(report.last_item_at),
        "item_count": counts.get("item_count", 0),
        "unsent_count": counts.get("unsent_count", 0),
        "possible_duplicate": bool(counts.get("duplicate_count")),
        "location": _location(report.latitude, report.longitude, report.place) if content else None,
        "url": url_for("admin.network_report", report_id=report.id, _external=True),
    }


def serialize_item(item: ReportItem, *, originals: bool) -> dict:
    """One message of a report; unsent ones keep only their kind and times."""
    body = {
        "id": item.id,
        "kind": item.kind,
        "sent_at": iso(item.sent_at),
        "edited_at": iso(item.edited_at),
        "unsent": item.unsent_at is not None,
    }
    if item.unsent_at is not None:
        return body
    body["text"] = item.text
    body["location"] = _location(item.latitude, item.longitude, item.address)
    media = item.media
    if media is not None:
        stored = media.status.value == "stored"
        body["media"] = {
            "id": media.id,
            "status": media.status.value,
            "content_type": media.content_type,
            "size": media.size,
            "file_name": media.file_name,
            "url": url_for("admin.network_media", media_id=media.id, _external=True)
            if stored and media.shown_path
            else None,
            "api_url": url_for("api.media_item", media_id=media.id, _external=True)
            if stored and media.shown_path
            else None,
            "original_url": url_for("api.media_item", media_id=media.id, original=1, _external=True)
            if stored and originals
            else None,
        }
        body["image_set"] = item.image_set
    return body


@bp.get("/reports")
@require_api_permission(Permission.VIEW_NETWORK)
def reports_list():
    """Reports, newest first: ?from=&to= (Bangkok dates, BE or CE), ?district=&category=&group=&status=&ref=."""
    filters = ReportFilters.from_args(request.args)
    if filters.errors:
        return api_error(400, "bad_request", " ".join(filters.errors))
    sql = db()
    page, per_page = page_args(request.args)
    result = paginate(sql, reports_statement(api_user(), filters), page, per_page, scalars=False)
    names = category_names(sql)

    def serialize(row) -> dict:
        return serialize_report(row[0], row._mapping, names)

    return list_response(result, serialize)


@bp.get("/reports/<key>")
@require_api_permission(Permission.VIEW_NETWORK)
def reports_item(key: str):
    """One report by id or reference number, with its items when allowed (audited); ?include=identity."""
    sql = db()
    report = find_report(sql, key)
    if report is None or not may_see_district(report.district, api_user()):
        abort(404)
    identity = included("identity")
    if identity and not can(api_user(), Permission.VIEW_IDENTITIES):
        return api_error(403, "forbidden", "บทบาทของผู้ใช้นี้ไม่มีสิทธิ์ดูชื่อและเบอร์โทรของผู้แจ้งข่าว")
    content = can(api_user(), Permission.VIEW_REPORT_CONTENT)
    [row] = sql.execute(
        reports_statement(api_user(), ReportFilters(status="all")).where(NewsReport.id == report.id)
    ).all()
    item = serialize_report(report, row._mapping, category_names(sql), content=content)
    item["possible_duplicates"] = [
        {
            "id": one.report.id,
            "ref_no": one.report.ref_no,
            "distance_m": one.distance_m,
            "minutes_apart": one.minutes_apart,
        }
        for one in linked_reports(sql, report.id)
        if may_see_district(one.report.district, api_user())
    ]
    if content:
        originals = can(api_user(), Permission.VIEW_ORIGINAL_MEDIA)
        item["items"] = [serialize_item(one, originals=originals) for one in report.items]
        record_request(sql, Action.VIEW_REPORT, object_type="news_report", object_id=report.id)
    reporter = sql.get(Member, report.reporter_id) if report.reporter_id else None
    if identity and reporter is not None:
        item["reporter_identity"] = {
            "full_name": reporter.full_name,
            "phone": reporter.phone,
            "display_name": reporter.display_name,
        }
        audit_identities(sql, [reporter.id], report_id=report.id)
    response = item_response(item)
    sql.commit()
    return response


@bp.get("/media/<int:media_id>")
@require_api_permission(Permission.VIEW_REPORT_CONTENT)
def media_item(media_id: int):
    """A report's photo (metadata-free copy) or, with ?original=1, the original (admin); audited."""
    original = request.args.get("original") == "1"
    if original and not can(api_user(), Permission.VIEW_ORIGINAL_MEDIA):
        return api_error(403, "forbidden", "บทบาทของผู้ใช้นี้ไม่มีสิทธิ์ดาวน์โหลดไฟล์ต้นฉบับ")
    sql = db()
    found = find_report_media(sql, api_user(), media_id, original=original)
    if found is None:
        abort(404)
    return send_report_media(sql, found)
