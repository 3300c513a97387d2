"""Evidence packs: requested in the web, claimed and built by the clock, served once done.

The queue is the evidence_packs table. Claiming is a compare-and-set on the status (``UPDATE ... WHERE
status = 'queued'``, after a ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL), so two clock processes
never build the same pack. The builder beats a heartbeat with every progress mark; a pack ``building``
whose heartbeat is older than ``STALE_AFTER`` (its process died) goes back to the queue, at most
``MAX_ATTEMPTS`` times. The ZIP is written to a temporary name beside its final one and renamed only when
complete, so a half-written pack is never served. Callers commit (the clock commits each step alone).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from models.evidence import EvidencePack, PackStatus
from models.timeutil import fiscal_year as fiscal_year_of
from models.timeutil import to_bangkok, utcnow
from reports.evidence_pack import Built, KpiFiles, Progress, build_pack
from texts import evidence as t

STALE_AFTER = timedelta(minutes=10)
KEEP_FOR = timedelta(days=30)  # a pack copies personal data (codes, officials, photos): its ZIP is not kept longer
MAX_ATTEMPTS = 3
FOLDER = "evidence"  # under the instance folder
FIRST_YEAR = 2560  # the earliest fiscal year a pack may be asked for
ERROR_LENGTH = 300


class PackRefused(ValueError):
    """A request the page cannot take (the message is Thai)."""


@dataclass(frozen=True)
class Claimed:
    """A pack this process now builds: what to build and who claimed it."""

    id: int
    fiscal_year: int
    quarter: int | None
    owner: str


def years_offered(now: datetime | None = None) -> list[int]:
    """The fiscal years the page offers, newest first."""
    current = fiscal_year_of(to_bangkok(now or utcnow()).date())
    return list(range(current, FIRST_YEAR - 1, -1))


def request_pack(
    session: Session, *, fiscal_year: int, quarter: int | None, by: str, now: datetime | None = None
) -> tuple[EvidencePack, bool]:
    """Queue a pack (or return the one already waiting for the same span); True when a new one was queued."""
    now = now or utcnow()
    if fiscal_year not in years_offered(now):
        raise PackRefused("ปีงบประมาณไม่ถูกต้อง")
    if quarter is not None and quarter not in (1, 2, 3, 4):
        raise PackRefused("ไตรมาสไม่ถูกต้อง")
    waiting = session.scalar(
        select(EvidencePack)
        .where(EvidencePack.fiscal_year == fiscal_year)
        .where(EvidencePack.quarter.is_(None) if quarter is None else EvidencePack.quarter == quarter)
        .where(EvidencePack.status.in_((PackStatus.QUEUED, PackStatus.BUILDING)))
        .order_by(EvidencePack.id)
        .limit(1)
    )
    if waiting is not None:
        return waiting, False
    pack = EvidencePack(fiscal_year=fiscal_year, quarter=quarter, requested_by=by[:80], requested_at=now)
    session.add(pack)
    session.flush()
    return pack, True


def requeue_stale(session: Session, now: datetime | None = None) -> int:
    """Packs whose builder stopped beating go back to the queue (or fail after MAX_ATTEMPTS); return how many."""
    now = now or utcnow()
    stale = and_(EvidencePack.status == PackStatus.BUILDING, EvidencePack.heartbeat_at < now - STALE_AFTER)
    failed = session.execute(
        update(EvidencePack)
        .where(stale, EvidencePack.attempts >= MAX_ATTEMPTS)
        .values(status=PackStatus.FAILED, finished_at=now, error=t.FAILED_TOO_OFTEN, claimed_by=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    queued = session.execute(
        update(EvidencePack)
        .where(stale, EvidencePack.attempts < MAX_ATTEMPTS)
        .values(status=PackStatus.QUEUED, progress=0, claimed_by=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    return (failed or 0) + (queued or 0)


def claim_next(session: Session, owner: str, now: datetime | None = None) -> Claimed | None:
    """Take the oldest queued pack for this process, or None; a pack another process took is never taken."""
    now = now or utcnow()
    for _ in range(5):  # another claimer may win a race for the first row: look again
        candidate = session.scalar(
            select(EvidencePack.id)
            .where(EvidencePack.status == PackStatus.QUEUED)
            .order_by(EvidencePack.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if candidate is None:
            return None
        taken = session.execute(
            update(EvidencePack)
            .where(EvidencePack.id == candidate, EvidencePack.status == PackStatus.QUEUED)
            .values(
                status=PackStatus.BUILDING,
                claimed_by=owner[:80],
                started_at=now,
                heartbeat_at=now,
                progress=0,
                total=0,
                error=None,
                attempts=EvidencePack.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken == 1:
            pack = session.get(EvidencePack, candidate, populate_existing=True)
            return Claimed(pack.id, pack.fiscal_year, pack.quarter, owner[:80])
    return None


def _mine(claimed: Claimed):
    return and_(
        EvidencePack.id == claimed.id,
        EvidencePack.status == PackStatus.BUILDING,
        EvidencePack.claimed_by == claimed.owner,
    )


def mark_progress(session: Session, claimed: Claimed, done: int, total: int, now: datetime | None = None) -> bool:
    """Record progress and beat the heartbeat; False when the pack is no longer this process's to build."""
    changed = session.execute(
        update(EvidencePack)
        .where(_mine(claimed))
        .values(progress=done, total=total, heartbeat_at=now or utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return changed == 1


def mark_done(
    session: Session, claimed: Claimed, *, file_path: str, size: int, sha256: str, now: datetime | None = None
) -> bool:
    """The pack is built: record its file; False when another process took it meanwhile."""
    now = now or utcnow()
    changed = session.execute(
        update(EvidencePack)
        .where(_mine(claimed))
        .values(
            status=PackStatus.DONE,
            file_path=file_path,
            size=size,
            sha256=sha256,
            progress=EvidencePack.total,
            finished_at=now,
            heartbeat_at=now,
            error=None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    return changed == 1


def mark_failed(session: Session, claimed: Claimed, error: str, now: datetime | None = None) -> bool:
    """The build failed: a Thai reason without personal data for the page."""
    changed = session.execute(
        update(EvidencePack)
        .where(_mine(claimed))
        .values(status=PackStatus.FAILED, error=error[:ERROR_LENGTH], finished_at=now or utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return changed == 1


def expire_packs(session: Session, instance_dir: str | Path, now: datetime | None = None) -> int:
    """Delete the ZIPs of packs finished more than KEEP_FOR ago (the row stays, without a file); return how many."""
    cutoff = (now or utcnow()) - KEEP_FOR
    old = session.scalars(
        select(EvidencePack).where(
            EvidencePack.status == PackStatus.DONE,
            EvidencePack.file_path.is_not(None),
            EvidencePack.finished_at < cutoff,
        )
    ).all()
    for pack in old:
        path = file_of(instance_dir, pack)
        if path is not None:
            path.unlink(missing_ok=True)
        pack.file_path = None
    session.flush()
    return len(old)


def relative_path(pack_id: int, fiscal_year: int, quarter: int | None) -> str:
    """Where a pack's ZIP lives, relative to the instance folder."""
    span = f"{fiscal_year}" if quarter is None else f"{fiscal_year}-q{quarter}"
    return f"{FOLDER}/evidence-{span}-{pack_id}.zip"


def file_of(instance_dir: str | Path, pack: EvidencePack) -> Path | None:
    """The finished ZIP of a pack on disk, or None (not done, or the file is gone)."""
    if pack.status != PackStatus.DONE or not pack.file_path:
        return None
    root = Path(instance_dir).resolve()
    path = (root / pack.file_path).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Written:
    """A pack's finished ZIP: its path relative to the instance folder, size and checksum, and what it holds."""

    file_path: str
    size: int
    sha256: str
    built: Built


def write_pack(
    session: Session,
    claimed: Claimed,
    *,
    instance_dir: str | Path,
    media_root: str | Path | None,
    progress: Progress | None = None,
    kpi_files: KpiFiles | None = None,
) -> Written:
    """Build a claimed pack into a temporary file beside its final name, then rename it into place."""
    relative = relative_path(claimed.id, claimed.fiscal_year, claimed.quarter)
    final = Path(instance_dir) / relative
    final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    discard_partials(instance_dir, claimed.id)
    temporary = final.with_name(f".{final.name}.{os.getpid()}.part")
    try:
        built = build_pack(
            session,
            temporary,
            fiscal_year=claimed.fiscal_year,
            quarter=claimed.quarter,
            media_root=media_root,
            progress=progress,
            kpi_files=kpi_files,
        )
        os.chmod(temporary, 0o600)
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)
    return Written(relative, final.stat().st_size, _sha256(final), built)


def discard_partials(instance_dir: str | Path, pack_id: int) -> int:
    """Remove half-written ZIPs a dead builder left for a pack; return how many."""
    folder = Path(instance_dir) / FOLDER
    removed = 0
    for path in folder.glob(f".evidence-*-{pack_id}.zip.*.part") if folder.is_dir() else []:
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def kpi_reports_provider(session: Session, fiscal_year: int, quarter: int | None, *, thai_digits: bool):
    """The finalised KPI reports' files for a pack (services.kpi_reports), or None when that module is absent."""
    try:
        from services import kpi_reports
    except ImportError:
        return None
    finalised = getattr(kpi_reports, "finalised_files", None)
    if finalised is None:
        return None
    return lambda: finalised(session, fiscal_year, quarter, thai_digits=thai_digits)


def recent_packs(session: Session, limit: int = 20) -> list[EvidencePack]:
    """The latest packs, newest first."""
    return list(session.scalars(select(EvidencePack).order_by(EvidencePack.id.desc()).limit(limit)))
