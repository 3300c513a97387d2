"""Photos and files of news reports, served only to staff allowed to see report content; every view audited.

Everyone allowed gets the metadata-free shown copy (services/media_store.py); the original as LINE sent it (with its
EXIF, perhaps GPS) only to roles with VIEW_ORIGINAL_MEDIA (admin).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import abort, current_app, request, send_file
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.admin.blueprint import bp
from bot.admin.network_support import may_see_district
from bot.audit import record_request
from bot.auth import Permission, can, require_permission
from bot.request_session import db
from models import MediaFile, MediaStatus, NewsReport, ReportItem
from services.audit import Action
from services.media_store import EXTENSIONS, MediaStore


@dataclass(frozen=True)
class ReportMedia:
    """A stored media file of a report, and which of its copies the user gets."""

    media: MediaFile
    report: NewsReport
    path: Path
    original: bool

    def download_name(self) -> str:
        """A file name for the download: the report's reference and the media id."""
        extension = EXTENSIONS.get((self.media.content_type or "").split(";")[0], ".bin")
        stem = self.report.ref_no or f"report-{self.report.id}"
        return f"{stem}-{self.media.id}{'-original' if self.original else ''}{extension}"


def find_report_media(session: Session, user: object, media_id: int, *, original: bool) -> ReportMedia | None:
    """The media of a visible report item that was not unsent, as the copy the user may have; else None."""
    media = session.get(MediaFile, media_id)
    if media is None or media.status != MediaStatus.STORED:
        return None
    item = session.scalar(select(ReportItem).where(ReportItem.media_id == media_id).order_by(ReportItem.id).limit(1))
    if item is None or item.unsent_at is not None:
        return None
    report = session.get(NewsReport, item.report_id)
    if report is None or not can(user, Permission.VIEW_REPORT_CONTENT) or not may_see_district(report.district, user):
        return None
    if original and not can(user, Permission.VIEW_ORIGINAL_MEDIA):
        return None
    relative = media.path if original else media.shown_path
    if not relative:
        return None
    path = MediaStore(current_app.config["MEDIA_DIR"]).path(relative)
    return ReportMedia(media, report, path, original) if path.is_file() else None


def send_report_media(session: Session, found: ReportMedia):
    """Audit the view, then send the file (never cached; originals as a download)."""
    record_request(
        session,
        Action.VIEW_REPORT_MEDIA,
        object_type="media_file",
        object_id=found.media.id,
        report_id=found.report.id,
        original=found.original,
    )
    session.commit()
    return send_file(
        found.path,
        mimetype=found.media.content_type or "application/octet-stream",
        max_age=0,
        as_attachment=found.original or not (found.media.content_type or "").startswith("image/"),
        download_name=found.download_name(),
    )


@bp.get("/network/media/<int:media_id>")
@require_permission(Permission.VIEW_REPORT_CONTENT)
def network_media(media_id: int):
    """A report's photo (metadata-free copy) or, with ?original=1, the original (admin); audited."""
    sql = db()
    original = request.args.get("original") == "1"
    found = find_report_media(sql, current_user, media_id, original=original)
    if found is None:
        abort(403 if original and not can(current_user, Permission.VIEW_ORIGINAL_MEDIA) else 404)
    response = send_report_media(sql, found)
    response.headers["Cache-Control"] = "no-store, private"
    return response
