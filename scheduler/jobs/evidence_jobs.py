"""The clock builds the evidence packs requested in the admin web (services/evidence_packs.py).

``evidence-packs`` is unclaimed and fires every few seconds (scheduler/triggers.py): it puts packs whose
builder died back in the queue, claims the oldest queued pack (never one another clock took) and builds
it, committing progress after every step so the page shows it and a crash loses nothing but the
unfinished ZIP (which is never served: it is renamed into place only when complete).
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from models.office import office_profile
from runtime.db import long_read
from scheduler import claims
from scheduler.context import JobContext
from services import evidence_packs as packs
from texts import evidence as t

log = logging.getLogger("scheduler")


class TakenOver(RuntimeError):
    """The pack was put back in the queue (this builder looked dead) or taken by another process."""


def build_queued(ctx: JobContext, period: str) -> str:
    """Requeue stale packs, delete ZIPs past their time, then claim and build the oldest queued one (if any)."""
    if ctx.instance_dir is None:
        return "no instance folder"
    with ctx.session() as session:
        packs.requeue_stale(session)
        packs.expire_packs(session, ctx.instance_dir)
    with ctx.session() as session:
        claimed = packs.claim_next(session, claims.owner_name())
    if claimed is None:
        return "nothing queued"
    media_root = str(ctx.media_store.root) if ctx.media_store is not None else None
    return build_claimed(ctx.sessions, claimed, instance_dir=ctx.instance_dir, media_root=media_root)


def build_claimed(
    sessions: sessionmaker[Session], claimed: packs.Claimed, *, instance_dir: str, media_root: str | None
) -> str:
    """Build one claimed pack; mark it done or failed (a Thai reason without personal data).

    The pack is read in one long read (runtime.db.long_read: on SQLite it never holds the write lock, so
    the web stays responsive); progress, done and failed are each written in a short transaction of their own.
    """

    def progress(done: int, total: int) -> None:
        with sessions.begin() as session:
            if not packs.mark_progress(session, claimed, done, total):
                raise TakenOver(f"pack {claimed.id}")

    try:
        with long_read(sessions) as reader:
            digits = office_profile(reader).thai_digits
            kpi_files = packs.kpi_reports_provider(reader, claimed.fiscal_year, claimed.quarter, thai_digits=digits)
            where = {"instance_dir": instance_dir, "media_root": media_root}
            written = packs.write_pack(reader, claimed, **where, progress=progress, kpi_files=kpi_files)
    except TakenOver:
        log.warning("evidence pack %s was taken over while building", claimed.id)
        return "taken over"
    except Exception as error:  # recorded on the pack for the page; the traceback stays in the log
        reason = t.FAILED_DISK if isinstance(error, OSError) else t.FAILED_INTERNAL
        with sessions.begin() as session:
            packs.mark_failed(session, claimed, reason)
        log.warning("evidence pack %s failed: %s", claimed.id, type(error).__name__, exc_info=True)
        return "failed"
    with sessions.begin() as session:
        done = packs.mark_done(session, claimed, file_path=written.file_path, size=written.size, sha256=written.sha256)
    if not done:
        return "taken over"
    log.info("evidence pack %s built: %s files, %s bytes", claimed.id, written.built.files, written.size)
    return f"pack {claimed.id}: {written.built.files} files"
