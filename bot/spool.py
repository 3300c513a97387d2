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

    def replay(self, store: Callable[[bytes, str], None], transient: Callable[[BaseException], bool]) -> int:
        """Hand each spooled body to store(body, kind), deleting it once stored; return how many.

        An error for which transient(error) is true (the database is unavailable) stops the replay and
        is raised; the file stays for the next round. Any other error, or a file that cannot be read,
        moves that file to the dead letters with its reason, and the replay goes on.
        """
        done = 0
        for path in self.pending():
            try:
                record = json.loads(path.read_text())
                body = base64.b64decode(record["body"], validate=True)
                kind = str(record.get("kind", "webhook"))
            except FileNotFoundError:
                continue  # another process replayed it
            except (ValueError, KeyError, TypeError):
                log.error("spool file %s is unreadable; moved to the dead letters", path.name)
                self._bury(path, None, UNREADABLE)
                continue
            try:
                store(body, kind)
            except Exception as exc:
                if transient(exc):
                    raise
                log.error(
                    "spooled body %s cannot be stored (%s); moved to the dead letters", path.name, type(exc).__name__
                )
                self._bury(path, record, f"บันทึกลงฐานข้อมูลไม่ได้ ({type(exc).__name__})")
                continue
            path.unlink(missing_ok=True)
            done += 1
        return done

    def _bury(self, path: Path, record: dict | None, reason: str) -> None:
        """Move one spool file to the dead letters, adding the reason and the time of failure."""
        self.dead_directory.mkdir(parents=True, exist_ok=True)
        target = self.dead_directory / path.name
        try:
            if record is None:
                os.replace(path, target)
            else:
                self._write_record(self.dead_directory, record | {"reason": reason, "failed_at": utcnow().isoformat()})
                path.unlink(missing_ok=True)
                return
        except FileNotFoundError:
            return  # another process moved it first
        note = {"failed_at": utcnow().isoformat(), "reason": reason}
        (self.dead_directory / f"{path.name}.reason").write_text(json.dumps(note, ensure_ascii=False))

    def dead_letters(self) -> list[DeadLetter]:
        """The dead letters, newest first, without their bodies."""
        letters = []
        for path in sorted(self.dead_directory.glob("*.json"), reverse=True):
            try:
                record = json.loads(path.read_text())
                if not isinstance(record, dict):
                    raise ValueError
            except FileNotFoundError:
                continue
            except ValueError:
                record = self._reason_note(path)
            letters.append(
                DeadLetter(
                    name=path.name,
                    kind=str(record.get("kind", "webhook")),
                    received_at=_when(record.get("received_at")),
                    failed_at=_when(record.get("failed_at")),
                    reason=str(record.get("reason") or UNREADABLE),
                    size=path.stat().st_size if path.exists() else 0,
                )
            )
        return letters

    def _reason_note(self, path: Path) -> dict:
        """The reason note kept beside an unreadable dead letter, or an empty record."""
        try:
            return json.loads((self.dead_directory / f"{path.name}.reason").read_text())
        except (OSError, ValueError):
            return {}

    def dead_count(self) -> int:
        """How many dead letters there are."""
        return sum(1 for _ in self.dead_directory.glob("*.json")) if self.dead_directory.exists() else 0

    def requeue(self, name: str) -> bool:
        """Put a dead letter back in the spool to be replayed again (after a fix); False if there is none."""
        path = self._dead_path(name)
        if path is None:
            return False
        try:
            record = json.loads(path.read_text())
            body = base64.b64decode(record["body"], validate=True)
        except (OSError, ValueError, KeyError, TypeError):
            return False  # an unreadable file cannot be replayed; it can only be removed
        self.write(body, str(record.get("kind", "webhook")))
        path.unlink(missing_ok=True)
        return True

    def discard(self, name: str) -> bool:
        """Delete a dead letter for good (after inspection); False if there is none."""
        path = self._dead_path(name)
        if path is None:
            return False
        path.unlink(missing_ok=True)
        (self.dead_directory / f"{name}.reason").unlink(missing_ok=True)
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
