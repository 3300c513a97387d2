"""The news report and the stored media the factories build on (this module holds no tests)."""

from __future__ import annotations

import uuid
from datetime import datetime

from models import MediaFile, MediaStatus, NewsReport, ReportItem
from services.media_store import MediaStore


def news_report(session, when: datetime, text: str | None, **columns) -> NewsReport:
    """A news report begun at `when` with one text item (none when text is None), flushed."""
    made = NewsReport(started_at=when, last_item_at=when, **columns)
    session.add(made)
    session.flush()
    if text is not None:
        session.add(ReportItem(report_id=made.id, kind="text", text=text, sent_at=when))
        session.flush()
    return made


def media_file(
    session, store: MediaStore, data: bytes, content_type: str, when: datetime, *, kind: str = "image", **columns
) -> MediaFile:
    """A media file of LINE's downloaded at `when` and stored under MEDIA_DIR (original and shown copy), flushed."""
    original, shown, digest = store.save(data, content_type)
    media = MediaFile(
        line_message_id=uuid.uuid4().hex[:20],
        kind=kind,
        status=MediaStatus.STORED,
        path=original,
        shown_path=shown,
        sha256=digest,
        content_type=content_type,
        size=len(data),
        stored_at=when,
        **columns,
    )
    session.add(media)
    session.flush()
    return media
