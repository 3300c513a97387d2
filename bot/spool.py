"""A durable local spool for webhook bodies the database could not take in time, and its dead letters.

A body that cannot be replayed for any reason but an unavailable database (it can never be stored
as it is) is moved to the `dead/` folder beside the spool with the reason, so it never blocks the
bodies after it; the admin web lists the dead letters and can put one back.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from models.timeutil import utcnow

DEAD_FOLDER = "dead"
UNREADABLE = "ไฟล์สำรองเสียหาย อ่านไม่ได้"
KIND_UNREADABLE = "unreadable"  # a torn spool file, kept as its raw bytes


@dataclass(frozen=True)
class DeadLetter:
    """A spooled body that could not be replayed: when it came, when it failed, and why."""

    name: str
    kind: str
    received_at: datetime | None
    failed_at: datetime | None
    reason: str
    size: int


def _when(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


log = logging.getLogger(__name__)


class Spool:
    """One fsynced file per signed body; a file is deleted only after its events are stored.

    A file per body (written to a temporary name, fsynced, then renamed) keeps every record
    whole even if the process dies mid-write, and lets several processes write and replay
    the same directory without locks: replaying is idempotent because the inbox is.
    """

    def __init__(self, directory: str | Path):
        """Use (and create) the given directory."""
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def write(self, body: bytes, kind: str = "webhook") -> Path:
        """Durably keep one body; return its path."""
        record = {"kind": kind, "received_at": utcnow().isoformat(), "body": base64.b64encode(body).decode()}
        return self._write_record(self.directory, record)

    def write_dead(self, body: bytes, kind: str, reason: str) -> Path:
        """Durably keep one body that can never be stored as it is, with the reason, among the dead letters."""
        now = utcnow().isoformat()
        record = {"kind": kind, "received_at": now, "failed_at": now, "reason": reason}
        return self._write_record(self.dead_directory, record | {"body": base64.b64encode(body).decode()})

    def _write_record(self, directory: Path, record: dict) -> Path:
        """Write a record under a temporary name, fsync it, rename it into place, fsync the folder."""
        directory.mkdir(parents=True, exist_ok=True)
        name = f"{utcnow().strftime('%Y%m%dT%H%M%S%f')}-{uuid.uuid4().hex}.json"
        temporary = directory / f".{name}.tmp"
        with open(temporary, "w") as handle:
            json.dump(record, handle)
            handle.flush()
            os.fsync(handle.fileno())
        final = directory / name
        os.replace(temporary, final)
        self._fsync_directory(directory)
        return final

    @property
    def dead_directory(self) -> Path:
        """Where bodies that could not be replayed are kept."""
        return self.directory / DEAD_FOLDER

    @staticmethod
    def _fsync_directory(directory: Path) -> None:
        """Make a rename itself durable."""
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def pending(self) -> list[Path]:
        """Spooled files in arrival order."""
        return sorted(self.directory.glob("*.json"))

    def count(self) -> int:
        """How many bodies wait to be replayed."""
        return sum(1 for _ in self.directory.glob("*.json"))

    def replay(
        self,
        store: Callable[[bytes, str], None],
        transient: Callable[[BaseException], bool],
        reason: Callable[[BaseException], str],
    ) -> int:
        """Hand each spooled body to store(body, kind), deleting it once stored; return how many.

        An error for which transient(error) is true (the database is unavailable) stops the replay and
        is raised; the file stays for the next round. Any other error moves that file to the dead
        letters with reason(error), a file that cannot be read with UNREADABLE, and the replay goes on.
        """
        done = 0
        for path in self.pending():
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                continue  # another process replayed it
            record = _record_of(raw)
            if record is None:
                log.error("spool file %s is unreadable; moved to the dead letters", path.name)
                self._bury(path, {"kind": KIND_UNREADABLE, "body": base64.b64encode(raw).decode()}, UNREADABLE)
                continue
            try:
                store(base64.b64decode(record["body"]), record["kind"])
            except Exception as exc:
                if transient(exc):
                    raise
                log.error("spooled body %s cannot be stored (%s); now a dead letter", path.name, type(exc).__name__)
                self._bury(path, record, reason(exc))
                continue
            path.unlink(missing_ok=True)
            done += 1
        return done

    def _bury(self, path: Path, record: dict, reason: str) -> None:
        """Move one spool file to the dead letters as a record with the reason and the time of failure."""
        self._write_record(self.dead_directory, record | {"reason": reason, "failed_at": utcnow().isoformat()})
        path.unlink(missing_ok=True)

    def _dead_records(self) -> list[tuple[Path, dict]]:
        """The dead letters' files and records, newest first (a file that vanished meanwhile is skipped)."""
        found = []
        for path in sorted(self.dead_directory.glob("*.json"), reverse=True):
            try:
                record = _record_of(path.read_bytes())
            except FileNotFoundError:
                continue
            found.append((path, record or {"kind": KIND_UNREADABLE, "body": "", "reason": UNREADABLE}))
        return found

    def dead_letters(self) -> list[DeadLetter]:
        """The dead letters, newest first, without their bodies."""
        return [
            DeadLetter(
                name=path.name,
                kind=record["kind"],
                received_at=_when(record.get("received_at")),
                failed_at=_when(record.get("failed_at")),
                reason=str(record.get("reason") or UNREADABLE),
                size=len(record["body"]) * 3 // 4,
            )
            for path, record in self._dead_records()
        ]

    def dead_body(self, name: str) -> bytes | None:
        """The bytes a dead letter keeps (for inspection), or None when there is no such dead letter."""
        path = self._dead_path(name)
        record = _record_of(path.read_bytes()) if path is not None else None
        return base64.b64decode(record["body"]) if record is not None else None

    def dead_count(self) -> int:
        """How many dead letters there are."""
        return sum(1 for _ in self.dead_directory.glob("*.json")) if self.dead_directory.exists() else 0

    def requeue(self, name: str) -> bool:
        """Put a dead letter back in the spool to be replayed again (after a fix); False if there is none.

        A file that was unreadable cannot be replayed; it can only be inspected and removed.
        """
        path = self._dead_path(name)
        record = _record_of(path.read_bytes()) if path is not None else None
        if record is None or record["kind"] == KIND_UNREADABLE:
            return False
        self.write(base64.b64decode(record["body"]), record["kind"])
        path.unlink(missing_ok=True)
        return True

    def discard(self, name: str) -> bool:
        """Delete a dead letter for good (after inspection); False if there is none."""
        path = self._dead_path(name)
        if path is None:
            return False
        path.unlink(missing_ok=True)
        return True

    def purge_dead(self, older_than: datetime) -> int:
        """Delete the dead letters that failed before a moment (retention); return how many."""
        removed = 0
        for letter in self.dead_letters():
            if letter.failed_at is None or letter.failed_at < older_than:
                removed += self.discard(letter.name)
        return removed

    def _dead_path(self, name: str) -> Path | None:
        """The dead letter with this file name, refusing anything that is not one of ours."""
        if "/" in name or "\\" in name or not name.endswith(".json") or name.startswith("."):
            return None
        path = self.dead_directory / name
        return path if path.is_file() else None


def _record_of(raw: bytes) -> dict | None:
    """A spool record with a base64 body and a kind, or None when the bytes are not one."""
    try:
        record = json.loads(raw)
        base64.b64decode(record["body"], validate=True)
        return record | {"kind": str(record.get("kind", "webhook"))}
    except (ValueError, KeyError, TypeError):
        return None
