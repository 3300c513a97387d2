"""Downloading message content from LINE right after the event, and keeping it private."""

from __future__ import annotations

import errno
import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from line.messenger import LineApiError, Messenger
from models import MediaFile, MediaStatus
from models.timeutil import utcnow
from services.media_store import MediaStore

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
DISK_RETRY = timedelta(seconds=15)  # a full or unwritable media disk: try again soon, without counting it against LINE


def retry_delay(attempts: int) -> timedelta:
    """Wait before asking again: 5 s, 10 s, 20 s ... up to 10 minutes (202 means 'still preparing')."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 600))


def fetch_due(sessions: sessionmaker[Session], messenger: Messenger, store: MediaStore, *, limit: int = 20) -> int:
    """Download pending media whose time has come, outside any transaction; return how many were stored."""
    stored = 0
    for _ in range(limit):
        with sessions.begin() as session:
            media = session.scalar(
                select(MediaFile)
                .where(MediaFile.status == MediaStatus.PENDING, MediaFile.next_attempt_at <= utcnow())
                .order_by(MediaFile.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if media is None:
                break
            media.attempts += 1
            media.next_attempt_at = utcnow() + timedelta(minutes=2)  # a lease while downloading
            media_id, message_id = media.id, media.line_message_id
        outcome = _download(messenger, message_id)
        with sessions.begin() as session:
            media = session.get(MediaFile, media_id)
            if media.status != MediaStatus.PENDING:
                continue  # unsent while downloading
            stored += _record(media, outcome, store)
    _delete_hidden(sessions, store)
    return stored


def _download(messenger: Messenger, message_id: str):
    try:
        return messenger.content(message_id)
    except LineApiError as error:
        return error


def _record(media: MediaFile, outcome, store: MediaStore) -> int:
    """Save the bytes or note why not; return 1 when stored."""
    now = utcnow()
    if isinstance(outcome, LineApiError):
        media.last_error = f"{outcome.status}"
        if outcome.status == 410:
            media.status = MediaStatus.GONE
        elif outcome.status == 404:
            media.status = MediaStatus.MISSING
        elif outcome.retryable and media.attempts < MAX_ATTEMPTS:
            media.next_attempt_at = now + retry_delay(media.attempts)
        else:
            media.status = MediaStatus.FAILED
        log.info("media %s not stored yet: status %s", media.id, outcome.status)
        return 0
    if outcome.status == 202:
        media.last_error = "202 preparing"
        media.next_attempt_at = now + retry_delay(media.attempts)
        return 0
    try:
        original, shown, digest = store.save(outcome.data, outcome.content_type)
    except OSError as error:  # the media disk is full or unwritable: keep the download due, soon
        media.last_error = f"disk: {errno.errorcode.get(error.errno, 'OSError')}"
        media.attempts -= 1  # LINE answered: this try does not count towards MAX_ATTEMPTS
        media.next_attempt_at = now + DISK_RETRY
        log.error("media %s could not be saved (%s); retrying in %s s", media.id, media.last_error, DISK_RETRY.seconds)
        return 0
    media.path, media.shown_path, media.sha256 = original, shown, digest
    media.content_type, media.size = outcome.content_type, len(outcome.data)
    media.status, media.stored_at, media.last_error = MediaStatus.STORED, now, None
    return 1


def _delete_hidden(sessions: sessionmaker[Session], store: MediaStore) -> None:
    """Remove the files of media whose message was unsent."""
    with sessions.begin() as session:
        hidden = session.scalars(
            select(MediaFile).where(MediaFile.status == MediaStatus.HIDDEN, MediaFile.path.is_not(None))
        ).all()
        for media in hidden:
            store.delete(media.path)
            store.delete(media.shown_path)
            media.path = media.shown_path = None
