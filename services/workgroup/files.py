"""Documents the secretariat uploads (orders, minutes, measures), kept private under MEDIA_DIR."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from models.workgroup import StoredFile
from services.media_store import MediaStore
from services.workgroup.errors import WorkgroupError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


def store_file(
    session: Session, media_dir: str | Path, data: bytes, file_name: str, *, purpose: str, by: str
) -> StoredFile:
    """Keep an uploaded document under MEDIA_DIR (named by checksum, private) and record it."""
    suffix = Path(file_name).suffix.lower()
    if suffix not in UPLOAD_TYPES:
        raise WorkgroupError("รับเฉพาะไฟล์ PDF, Word, Excel หรือรูปภาพ (JPG, PNG)")
    if not data:
        raise WorkgroupError("ไฟล์ว่างเปล่า")
    if len(data) > MAX_UPLOAD_BYTES:
        raise WorkgroupError("ไฟล์ใหญ่เกิน 20 MB")
    content_type = UPLOAD_TYPES[suffix]
    original, _shown, digest = MediaStore(media_dir).save(data, content_type)
    stored = StoredFile(
        purpose=purpose,
        file_name=Path(file_name).name[:255] or f"file{suffix}",
        content_type=content_type,
        path=original,
        sha256=digest,
        size=len(data),
        uploaded_by=by,
    )
    session.add(stored)
    session.flush()
    return stored
