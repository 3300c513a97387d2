"""A durable local spool for webhook bodies the database could not take in time."""

from __future__ import annotations

import base64
import json
import logging
import os
import uuid
from collections.abc import Callable
from pathlib import Path

from models.timeutil import utcnow

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
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
        name = f"{stamp}-{uuid.uuid4().hex}.json"
        record = {
            "kind": kind,
            "received_at": utcnow().isoformat(),
            "body": base64.b64encode(body).decode(),
        }
        temporary = self.directory / f".{name}.tmp"
        with open(temporary, "w") as handle:
            json.dump(record, handle)
            handle.flush()
            os.fsync(handle.fileno())
        final = self.directory / name
        os.replace(temporary, final)
        self._fsync_directory()
        return final

    def _fsync_directory(self) -> None:
        """Make the rename itself durable."""
        fd = os.open(self.directory, os.O_RDONLY)
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

    def replay(self, store: Callable[[bytes, str], None]) -> int:
        """Hand each spooled body to store(body, kind), deleting it once stored; return how many."""
        done = 0
        for path in self.pending():
            try:
                record = json.loads(path.read_text())
            except FileNotFoundError:
                continue  # another process replayed it
            except json.JSONDecodeError:
                log.error("spool file %s is unreadable; left in place", path.name)
                continue
            store(base64.b64decode(record["body"]), record.get("kind", "webhook"))
            path.unlink(missing_ok=True)
            done += 1
        return done
