"""Faults the emulated LINE makes on request: server errors and slow answers, before or after delivering.

Tests tell the platform what the next calls of one operation (an operationId of messaging-api.yml:
replyMessage, pushMessage, multicast ...) should suffer; each fault applies to `count` calls, in order:

    platform.faults.add("replyMessage", status=500)                # nothing delivered, the bot hears 500
    platform.faults.add("replyMessage", status=500, deliver=True)  # delivered, yet the bot hears 500
    platform.faults.add("replyMessage", delay=2.0, count=3)        # no answer for 2 s: past a short client timeout
    platform.faults.add("pushMessage", delay=2.0, deliver=True)    # delivered, answered too late

A faulted call is recorded with outcome "fault" (never a failure of the bot). A reply token whose
delivery the bot never heard of is marked so: using it again is refused like LINE does (400 "Invalid
reply token"), recorded as a refusal rather than as the bot's bug.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

MAX_DELAY = 30.0  # a slow answer never holds a server thread longer than this


@dataclass
class Fault:
    """What the next `count` calls of one operation suffer."""

    operation: str
    status: int | None = 500  # the answer's status; None answers what LINE would have (after the delay)
    deliver: bool = False  # the call takes effect before the error (or the late answer)
    delay: float = 0.0  # seconds before answering
    count: int = 1

    @property
    def message(self) -> str:
        """The error message of the answer."""
        return "Internal server error" if (self.status or 0) >= 500 else "Injected fault"


class Faults:
    """Faults waiting for their calls, shared by the server threads."""

    def __init__(self) -> None:
        """No faults until added."""
        self._waiting: deque[Fault] = deque()
        self._lock = threading.Lock()

    def add(
        self, operation: str, *, status: int | None = 500, deliver: bool = False, delay: float = 0.0, count: int = 1
    ) -> Fault:
        """Make the next `count` calls of `operation` fail (after those of faults added before)."""
        if count < 1 or not 0 <= delay <= MAX_DELAY:
            raise ValueError("count must be at least 1 and delay between 0 and 30 seconds")
        fault = Fault(operation, status, deliver, delay, count)
        with self._lock:
            self._waiting.append(fault)
        return fault

    def take(self, operation: str | None) -> Fault | None:
        """The fault this call of `operation` suffers, if any (one call of its count used)."""
        with self._lock:
            for fault in self._waiting:
                if fault.operation == operation:
                    fault.count -= 1
                    if fault.count == 0:
                        self._waiting.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        """Forget every waiting fault."""
        with self._lock:
            self._waiting.clear()

    @property
    def waiting(self) -> int:
        """How many faulted calls are still to come."""
        with self._lock:
            return sum(fault.count for fault in self._waiting)
