"""The background worker of each web process: spool replay, event processing, delivery."""

from __future__ import annotations

import logging
import threading

from bot.intake import Intake
from bot.processor import Processor

log = logging.getLogger(__name__)


class Worker:
    """A daemon thread woken after each webhook commit, and every few seconds anyway."""

    def __init__(self, intake: Intake, processor: Processor, interval: float = 2.0):
        """Nothing starts until start() is called."""
        self.intake = intake
        self.processor = processor
        self.interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        """Ask the worker to look at the inbox now."""
        self._wake.set()

    def run_once(self) -> int:
        """Replay the spool, then process due events and deliver; return events processed."""
        try:
            self.intake.replay_spool()
        except Exception as exc:
            log.warning("spool replay postponed: %s", type(exc).__name__)
            return 0
        return self.processor.process_due()

    def start(self) -> None:
        """Start the background thread (once)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="fieldline-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the background thread."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            busy = False
            try:
                busy = self.run_once() > 0
            except Exception as exc:  # the database may be down; try again shortly
                log.warning("worker round failed: %s", type(exc).__name__)
            if busy:
                continue  # a backlog (a burst, a replayed spool): go on now, not after the interval
            self._wake.wait(self.interval)
            self._wake.clear()
