"""The emulator's clock: the real one, or a manual one tests move forward to age reply tokens."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the emulator the current aware UTC time."""

    def now(self) -> datetime:
        """Return the current time (aware, UTC)."""


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        """Return the current time (aware, UTC)."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until told to move: tests age reply tokens and retry keys with it."""

    def __init__(self, start: datetime | None = None):
        """Start at the given aware time, or now."""
        if start is not None and start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = (start or datetime.now(UTC)).astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """Return the clock's current time."""
        with self._lock:
            return self._now

    def advance(self, seconds: float = 0, **delta: float) -> datetime:
        """Move forward by seconds (and/or timedelta keywords such as minutes=, hours=); return the new time."""
        with self._lock:
            self._now += timedelta(seconds=seconds, **delta)
            return self._now

    def set(self, moment: datetime) -> None:
        """Jump to an aware moment."""
        if moment.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        with self._lock:
            self._now = moment.astimezone(UTC)
