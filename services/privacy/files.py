"""Files under MEDIA_DIR: deleted after the commit that removed their media, unless another record uses them."""

from __future__ import annotations

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from models import MediaFile, MediaStatus
from models.workgroup import StoredFile
from services.media_store import MediaStore

# Media whose files are gone already; anything else an erasure or the retention job turns into REMOVED.
FILES_GONE = (MediaStatus.REMOVED, MediaStatus.HIDDEN)


def _still_used(session: Session, relative: str, media_id: int) -> bool:
    """Whether another live record uses the same file (files are named by their checksum)."""
    other_media = exists().where(
        MediaFile.id != media_id,
        MediaFile.status.not_in(FILES_GONE),
        or_(MediaFile.path == relative, MediaFile.shown_path == relative),
    )
    document = exists().where(StoredFile.path == relative)
    return bool(session.scalar(select(other_media | document)))


def sweep_removed_files(session: Session, store: MediaStore, *, limit: int = 500) -> int:
    """Delete the files of up to `limit` removed media (after the commit that removed them); return how many."""
    rows = session.scalars(
        select(MediaFile)
        .where(
            MediaFile.status == MediaStatus.REMOVED,
            or_(MediaFile.path.is_not(None), MediaFile.shown_path.is_not(None)),
        )
        .order_by(MediaFile.id)
        .limit(limit)
    ).all()
    for media in rows:
        for relative in (media.path, media.shown_path):
            if relative and not _still_used(session, relative, media.id):
                store.delete(relative)
        media.path = media.shown_path = None
    return len(rows)
