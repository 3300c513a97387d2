"""Lanes: work run in order per key and in parallel across keys, on a few threads of this process.

The worker hands each processed event's replies to the lane of its chat, so the next event is handled
while LINE answers (a call to LINE takes tens of milliseconds; the handling a few), and one chat's
replies still leave in the order its events were processed. A round ends with wait(), so what a round
processed has been sent (or its failure recorded) before the round returns.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import zlib
from collections.abc import Callable

log = logging.getLogger(__name__)


class Lanes:
    """`count` worker threads; submit(key, job) runs job on the thread that owns key, after its earlier jobs."""

    def __init__(self, count: int, name: str = "fieldline-lane"):
        """Nothing starts until the first submit (a forked process starts its own threads)."""
        self.count = max(1, count)
        self.name = name
        self._queues: list[queue.SimpleQueue] = []
        self._pid: int | None = None
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending = 0

    def submit(self, key: str, job: Callable[[], object]) -> None:
        """Run job on key's lane after every job submitted before it with the same key."""
        with self._lock:
            self._start()
            self._pending += 1
        self._queues[self._lane_of(key, self.count)].put(job)

    @staticmethod
    def _lane_of(key: str, count: int) -> int:
        return zlib.crc32(key.encode()) % count

    @property
    def busy(self) -> bool:
        """Whether a submitted job has not finished yet."""
        with self._lock:
            return self._pending > 0

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every submitted job has finished; False if timeout passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Finish the submitted jobs (at most timeout seconds), then stop the threads."""
        self.wait(timeout)
        with self._lock:
            if self._pid == os.getpid():
                for lane in self._queues:
                    lane.put(None)
            self._pid = None

    def _start(self) -> None:
        if self._pid == os.getpid():
            return
        self._pid, self._pending = os.getpid(), 0
        self._queues = [queue.SimpleQueue() for _ in range(self.count)]
        for number, lane in enumerate(self._queues):
            threading.Thread(target=self._run, args=(lane,), name=f"{self.name}-{number}", daemon=True).start()

    def _run(self, lane: queue.SimpleQueue) -> None:
        while (job := lane.get()) is not None:
            try:
                job()
            except Exception as exc:  # a job records its own failures; this only keeps the lane alive
                log.error("lane job failed: %s", type(exc).__name__)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()
