"""Media downloads: stored by checksum, photos shown without metadata, 202 retried, 404/410 recorded."""

from __future__ import annotations

import hashlib
import io

from PIL import Image
from sqlalchemy import select

from line.messenger import Content, LineApiError
from models import MediaFile, MediaStatus
from models.timeutil import utcnow
from runtime import media
from services import media_store
from services.media_store import MediaStore


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[2] = (13.0, 44.0, 0.0)  # GPSLatitude
    gps[4] = (100.0, 30.0, 0.0)  # GPSLongitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


class ContentLine:
    """Answers content requests from a script: Content, or LineApiError to raise."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.asked = []

    def content(self, message_id):
        self.asked.append(message_id)
        answer = self.answers.pop(0)
        if isinstance(answer, LineApiError):
            raise answer
        return answer


def pending(services, message_id="m1", kind="image"):
    with services.sessions.begin() as session:
        session.add(MediaFile(line_message_id=message_id, kind=kind))


def row(services, message_id="m1") -> MediaFile:
    with services.sessions() as session:
        return session.scalar(select(MediaFile).where(MediaFile.line_message_id == message_id))


def make_due(services, message_id="m1"):
    with services.sessions.begin() as session:
        session.scalar(select(MediaFile).where(MediaFile.line_message_id == message_id)).next_attempt_at = utcnow()


def test_photo_is_stored_with_checksum_and_shown_without_location(services, tmp_path):
    data = jpeg_with_gps()
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(0x8825)
    pending(services)
    store = MediaStore(tmp_path / "media")
    assert media.fetch_due(services.sessions, ContentLine([Content(data, "image/jpeg")]), store) == 1
    stored = row(services)
    assert stored.status == MediaStatus.STORED
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert store.path(stored.path).read_bytes() == data
    with Image.open(store.path(stored.shown_path)) as shown:
        assert not shown.getexif()  # no Make, no GPS
        assert shown.size == (40, 30)
    assert (store.path(stored.path).stat().st_mode & 0o777) == 0o600


def test_still_preparing_is_retried_later_then_stored(services, tmp_path):
    pending(services, kind="video")
    line = ContentLine([Content(b"", "video/mp4", status=202), Content(b"\x00\x01video", "video/mp4")])
    store = MediaStore(tmp_path)
    assert media.fetch_due(services.sessions, line, store) == 0
    assert row(services).status == MediaStatus.PENDING and row(services).last_error == "202 preparing"
    assert media.fetch_due(services.sessions, line, store) == 0  # not due yet
    make_due(services)
    assert media.fetch_due(services.sessions, line, store) == 1
    assert row(services).shown_path is None  # only photos get a shown copy


def test_gone_and_missing_content_are_recorded_not_retried(services, tmp_path):
    pending(services, "gone")
    pending(services, "missing")
    line = ContentLine([LineApiError(410, "gone"), LineApiError(404, "not found")])
    media.fetch_due(services.sessions, line, MediaStore(tmp_path))
    assert row(services, "gone").status == MediaStatus.GONE
    assert row(services, "missing").status == MediaStatus.MISSING
    assert media.fetch_due(services.sessions, line, MediaStore(tmp_path)) == 0
    assert line.asked == ["gone", "missing"]


def test_server_errors_back_off_then_fail(services, tmp_path):
    pending(services)
    line = ContentLine([LineApiError(500, "x")] * media.MAX_ATTEMPTS)
    for _ in range(media.MAX_ATTEMPTS):
        make_due(services)
        media.fetch_due(services.sessions, line, MediaStore(tmp_path))
    assert row(services).status == MediaStatus.FAILED
    assert row(services).attempts == media.MAX_ATTEMPTS


def test_hidden_media_files_are_deleted(services, tmp_path):
    pending(services)
    store = MediaStore(tmp_path)
    media.fetch_due(services.sessions, ContentLine([Content(jpeg_with_gps(), "image/jpeg")]), store)
    stored = row(services)
    with services.sessions.begin() as session:
        session.get(MediaFile, stored.id).status = MediaStatus.HIDDEN
    media.fetch_due(services.sessions, ContentLine([]), store)
    assert not store.path(stored.path).exists() and not store.path(stored.shown_path).exists()
    assert row(services).path is None


def test_a_full_media_disk_keeps_the_download_due_and_leaves_no_partial_file(services, tmp_path, monkeypatch):
    import errno

    data = jpeg_with_gps()
    pending(services, "first")
    pending(services, "second")
    store = MediaStore(tmp_path / "media")
    real_replace = media_store.os.replace

    def disk_full(source, target):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(media_store.os, "replace", disk_full)
    line = ContentLine([Content(data, "image/jpeg"), Content(data, "image/jpeg")])
    assert media.fetch_due(services.sessions, line, store) == 0  # neither raised out of the round
    assert line.asked == ["first", "second"]
    for message_id in ("first", "second"):
        waiting = row(services, message_id)
        assert (waiting.status, waiting.last_error, waiting.attempts) == (MediaStatus.PENDING, "disk: ENOSPC", 0)
        assert waiting.next_attempt_at <= utcnow() + media.DISK_RETRY
    assert not list((tmp_path / "media").rglob("*.tmp"))
    monkeypatch.setattr(media_store.os, "replace", real_replace)
    make_due(services, "first")
    assert media.fetch_due(services.sessions, ContentLine([Content(data, "image/jpeg")]), store) == 1
    assert row(services, "first").status == MediaStatus.STORED
