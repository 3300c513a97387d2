"""Photos sent over LINE as evidence: the pending download of a message's content, and attaching it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Defect, MediaFile, RiskPhoto, WorkOrder


def media_for(session: Session, message_id: str, kind: str, at: datetime) -> MediaFile:
    """A pending download of a LINE message's content (the worker fetches it after the commit)."""
    existing = session.scalar(select(MediaFile).where(MediaFile.line_message_id == message_id))
    if existing is not None:
        return existing
    media = MediaFile(line_message_id=message_id, kind=kind, next_attempt_at=at)
    session.add(media)
    session.flush()
    return media


def add_photos(
    session: Session,
    media: list[tuple[int, datetime]],
    *,
    role: str,
    defect: Defect | None = None,
    order: WorkOrder | None = None,
) -> None:
    """Attach photos (media id, sent at) to a defect or a work order."""
    for media_id, sent_at in media:
        session.add(
            RiskPhoto(
                media_id=media_id,
                defect_id=defect.id if defect else None,
                order_id=order.id if order else None,
                role=role,
                sent_at=sent_at,
            )
        )
