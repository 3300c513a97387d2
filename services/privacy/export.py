"""The export: everything held about one person as a JSON document, in a ZIP with their files."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Chat, MediaFile, MediaStatus, Member, Occupation, RiskPoint
from models.admin import StaffUser
from models.timeutil import be_year, to_bangkok
from services.media_store import EXTENSIONS, MediaStore
from services.privacy.holdings import Holdings, audit_entries_about, gather

EXPORT_FORMAT = "fieldline.personal-data"
EXPORT_VERSION = 1
EXPORT_JSON = "personal-data.json"
EXPORT_README = "README-TH.txt"

README_TEXT = """ข้อมูลส่วนบุคคลที่ FieldLine เก็บไว้เกี่ยวกับผู้ใช้ LINE หนึ่งราย
(สิทธิในการเข้าถึงข้อมูลตาม พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562)

- personal-data.json: ข้อมูลทั้งหมดในรูปแบบ JSON (ชื่อฟิลด์เป็นภาษาอังกฤษ เวลาเป็นเวลากรุงเทพฯ แบบ ISO 8601)
  member = ข้อมูลสมาชิก, registration = คำตอบตอนลงทะเบียน, consent = ความยินยอม,
  news_reports = ข่าวที่แจ้งและข้อความแต่ละรายการ, patrol_checks / camera_checks / check_attempts = การตรวจจุดเสี่ยง,
  inbox_events = ข้อมูลดิบที่ LINE ส่งมาจากท่าน, outbox_messages = ข้อความที่บอทส่งถึงท่าน,
  audit_entries = บันทึกการเปิดดูหรือแก้ไขข้อมูลของท่านโดยเจ้าหน้าที่
- files/: รูปภาพและไฟล์ที่ท่านส่งมา (ต้นฉบับตามที่ได้รับจาก LINE)

ไฟล์นี้มีข้อมูลส่วนบุคคล โปรดเก็บรักษาอย่างปลอดภัย
"""


def _plain(value: Any) -> Any:
    """A JSON-ready value: Bangkok ISO times, ISO dates, enum values."""
    if isinstance(value, datetime):
        return to_bangkok(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _row(obj: object, *names: str) -> dict:
    """Some columns of a row as a JSON-ready dict."""
    return {name: _plain(getattr(obj, name)) for name in names}


def _payload(text: str) -> Any:
    """A raw payload as JSON (the text itself if it is not JSON)."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


def _file_name(media: MediaFile) -> str:
    """The name of a media file inside the ZIP, e.g. files/12-image.jpg."""
    suffix = Path(media.path or "").suffix or EXTENSIONS.get((media.content_type or "").split(";")[0], "")
    if media.kind == "file" and media.file_name and Path(media.file_name).suffix:
        suffix = Path(media.file_name).suffix[:10]
    return f"files/{media.id}-{media.kind}{suffix}"


@dataclass(frozen=True)
class ExportSummary:
    """What an export held (counts only, for the audit log)."""

    counts: dict[str, int]
    files: int
    missing_files: int


def export_document(
    session: Session, held: Holdings, now: datetime, store: MediaStore | None = None
) -> tuple[dict, list[tuple[str, Path]]]:
    """The export's JSON document and the (name in the ZIP, path on disk) of each file to include."""
    member = held.member
    occupation = session.get(Occupation, member.occupation_code) if member.occupation_code else None
    files: list[tuple[str, Path]] = []
    media_rows = {}
    for media in held.media:
        row = _row(media, "id", "kind", "file_name", "content_type", "size", "sha256", "status", "created_at")
        path = store.path(media.path) if store is not None and media.path else None
        if media.status == MediaStatus.STORED and path is not None and path.is_file():
            row["file"] = _file_name(media)
            files.append((row["file"], path))
        else:
            row["file"] = None
        media_rows[media.id] = row
    chats = (
        {
            chat.id: chat.name
            for chat in session.scalars(
                select(Chat).where(Chat.id.in_(sorted({report.chat_id for report in held.reports if report.chat_id})))
            )
        }
        if held.reports
        else {}
    )
    points = (
        {point.id: point.code for point in session.scalars(select(RiskPoint))}
        if (held.patrol_checks or held.camera_checks or held.check_attempts or held.defects)
        else {}
    )
    document = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": _plain(now),
        "line_user_id": held.line_user_id,
        "member": _row(
            member,
            "id",
            "reporter_code",
            "line_user_id",
            "display_name",
            "is_friend",
            "status",
            "first_seen_at",
            "updated_at",
            "decided_at",
            "decided_by",
            "erased_at",
        ),
        "registration": {
            **_row(member, "full_name", "phone", "occupation_code", "district", "registered_at"),
            "occupation": occupation.name if occupation else None,
        },
        "consent": {"version": member.consent_version, "given_at": _plain(member.consent_at)},
        "conversation_in_progress": (
            _row(held.conversation, "flow", "step", "data", "updated_at") if held.conversation else None
        ),
        "group_invitation": (
            {**_row(held.invitation, "sent_at", "detail"), "group": _chat_name(session, held.invitation.chat_id)}
            if held.invitation
            else None
        ),
        "news_reports": [
            {
                **_row(
                    report,
                    "id",
                    "ref_no",
                    "channel",
                    "status",
                    "category_code",
                    "district",
                    "place",
                    "latitude",
                    "longitude",
                    "started_at",
                    "last_item_at",
                    "content_removed_at",
                ),
                "group": chats.get(report.chat_id),
                "items": [
                    {
                        **_row(
                            item,
                            "id",
                            "kind",
                            "text",
                            "latitude",
                            "longitude",
                            "address",
                            "image_set",
                            "sent_at",
                            "unsent_at",
                            "edited_at",
                        ),
                        "media": media_rows.get(item.media_id),
                    }
                    for item in report.items
                ],
            }
            for report in held.reports
        ],
        "patrol_checks": [
            {
                **_row(check, "id", "checked_at", "patrol_day", "round_no", "latitude", "longitude", "distance_m"),
                "point": points.get(check.point_id),
                "photo": media_rows.get(check.photo_media_id),
            }
            for check in held.patrol_checks
        ],
        "check_attempts": [
            {
                **_row(attempt, "id", "attempted_at", "reason", "latitude", "longitude", "distance_m"),
                "point": points.get(attempt.point_id),
            }
            for attempt in held.check_attempts
        ],
        "camera_checks": [
            {
                **_row(check, "id", "checked_at", "check_day", "status", "method", "note"),
                "point": points.get(check.point_id),
                "photo": media_rows.get(check.photo_media_id),
            }
            for check in held.camera_checks
        ],
        "defects_reported": [
            {
                **_row(defect, "id", "kind", "status", "note", "opened_at", "closed_at"),
                "point": points.get(defect.point_id),
                "photos": [media_rows.get(p.media_id) for p in held.defect_photos if p.defect_id == defect.id],
            }
            for defect in held.defects
        ],
        "round_miss_reasons": [
            _row(miss, "patrol_day", "round_no", "reason", "reason_at") for miss in held.round_misses
        ],
        "work_orders_awaiting_their_photo": [
            _row(order, "ref", "awaiting_photo_since") for order in held.awaited_orders
        ],
        "named_in_work_order_timelines": [_row(event, "at", "status", "actor", "note") for event in held.order_events],
        "named_in_month_reports": [
            _row(row, "year", "month", "submitted_at", "submitted_by") for row in held.month_reports
        ],
        "forward_acknowledgements": [
            _row(row, "acknowledged_at", "acknowledged_by") | {"forward": row.forward.ref_no}
            for row in held.acknowledgements
        ],
        "measures_reported_from_line": [
            _row(row, "title", "detail", "reported_on", "recorded_by", "recorded_at") for row in held.measures
        ],
        "staff_account_link": (
            {
                "staff_username": _staff_name(session, held.staff_link.staff_user_id),
                **_row(held.staff_link, "linked_at"),
            }
            if held.staff_link
            else None
        ),
        "unit_rosters": [
            {
                **_row(row, "status", "invited_at", "invited_by", "answered_at", "removed_at", "removed_by"),
                "unit": row.unit.name,
            }
            for row in held.rosters
        ],
        "inbox_events": [
            {
                **_row(event, "id", "event_type", "source_type", "event_at", "received_at", "status"),
                "payload": _payload(event.payload),
            }
            for event in held.inbox_events
        ],
        "outbox_messages": [
            {
                **_row(row, "id", "purpose", "status", "method", "created_at", "sent_at"),
                "multicast": row.recipient != held.line_user_id,
                "messages": row.messages,
            }
            for row in held.outbox_messages
        ],
        # Staff addresses are the staff's own personal data: left out.
        "audit_entries": [
            _row(entry, "at", "actor", "action", "object_type", "object_id", "detail")
            for entry in audit_entries_about(session, held)
        ],
    }
    return document, files


def _chat_name(session: Session, chat_id: int | None) -> str | None:
    chat = session.get(Chat, chat_id) if chat_id else None
    return chat.name if chat else None


def _staff_name(session: Session, staff_user_id: int) -> str | None:
    user = session.get(StaffUser, staff_user_id)
    return user.username if user else None


def export_counts(held: Holdings) -> dict[str, int]:
    """How many records of each kind an export or an erasure covers (for the audit log and the pages)."""
    return {
        "news_reports": len(held.reports),
        "report_items": len(held.report_items),
        "media_files": len(held.media),
        "patrol_checks": len(held.patrol_checks),
        "check_attempts": len(held.check_attempts),
        "camera_checks": len(held.camera_checks),
        "defects": len(held.defects),
        "inbox_events": len(held.inbox_events),
        "outbox_messages": len(held.outbox_messages),
    }


def write_export(
    session: Session, member: Member, target: BinaryIO, now: datetime, store: MediaStore | None
) -> ExportSummary:
    """Write the ZIP (personal-data.json, README-TH.txt, files/...) of everything held about a member."""
    held = gather(session, member)
    document, files = export_document(session, held, now, store)
    missing = sum(1 for media in held.media if media.status == MediaStatus.STORED) - len(files)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(EXPORT_JSON, json.dumps(document, ensure_ascii=False, indent=2))
        archive.writestr(EXPORT_README, README_TEXT)
        for name, path in files:
            archive.write(path, name, compress_type=zipfile.ZIP_STORED)  # photos are compressed already
    return ExportSummary(export_counts(held), len(files), max(missing, 0))


def export_bytes(
    session: Session, member: Member, now: datetime, store: MediaStore | None
) -> tuple[bytes, ExportSummary]:
    """The export ZIP in memory, and its summary."""
    buffer = io.BytesIO()
    summary = write_export(session, member, buffer, now, store)
    return buffer.getvalue(), summary


def export_name(member: Member, now: datetime) -> str:
    """The ZIP's download name, e.g. personal-data-R-7KQ2M9-2569-12-04.zip (Buddhist Era date)."""
    day = to_bangkok(now).date()
    return f"personal-data-{member.reporter_code}-{be_year(day)}-{day:%m-%d}.zip"
