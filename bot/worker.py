"""Event workers: the dedicated `flask --app bot worker run` process, or a web process's fallback thread.

A dedicated worker beats a heartbeat in the database. A web process's thread always replays its own
spool (the files are on its disk) but processes events only while no dedicated worker is alive, so
the webhook keeps the CPU when a worker process is deployed and nothing stalls when none is.

Intake comes first: while events arrive faster than BURST_RATE a second (a flood no district network
produces in normal work), a worker processes only BURST_BATCH events and pauses BURST_PAUSE seconds
between rounds, so the webhook keeps answering LINE within its deadline; the queue is worked off at
full speed as soon as the flood is over. Nothing waits forever: every round processes some events.
The events of a flood are processed one at a time with pauses between, never in a run of
back-to-back transactions: such a run held the CPU, and on SQLite the one write lock, long enough
to show in the webhook's answer times (bench/webhook).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from bot import heartbeat
from bot.inbox import queued
from bot.intake import Intake
from bot.processor import Processor
from models.timeutil import utcnow
from runtime import rich_menus
from services.privacy.retention import REJECTED_DAYS, retention_days

log = logging.getLogger(__name__)

DEDICATED_INTERVAL = 0.5  # an idle dedicated worker looks at the inbox twice a second
FALLBACK_INTERVAL = 2.0  # a web thread is woken by each webhook, and looks anyway every 2 s
ROUND = 200  # events per round in normal times
BURST_RATE = 100.0  # events arriving per second above which the webhook has priority
BURST_BATCH = 1  # events per round during such a flood ...
BURST_PAUSE = 0.1  # ... and the pause after each of those rounds: 10 events a second
RATE_WINDOW = 1.0  # seconds over which the arrival rate is measured
DEAD_LETTER_SWEEP = 3600.0  # seconds between two purges of this host's old dead letters


class Worker:
    """A daemon thread that replays the spool, processes due events and delivers the outbox."""

    def __init__(self, intake: Intake, processor: Processor, *, dedicated: bool = False, interval: float | None = None):
        """Nothing starts until start() is called; dedicated=True for the worker process."""
        self.intake = intake
        self.processor = processor
        self.dedicated = dedicated
        self.interval = interval if interval is not None else (DEDICATED_INTERVAL if dedicated else FALLBACK_INTERVAL)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._beaten_at = float("-inf")  # time.monotonic() of the last heartbeat written or read
        self._dedicated_seen = False
        self._queue_seen: tuple[float, int] | None = None  # (time.monotonic(), queued events) after a round
        self.bursting = False
        self._processed_in_window = 0  # events processed since the arrival rate was last measured
        self._swept_at = float("-inf")  # time.monotonic() of the last dead-letter purge

    @property
    def name(self) -> str:
        """This process as host:pid (read each time: gunicorn forks after the app is built)."""
        return f"{socket.gethostname()}:{os.getpid()}"

    def wake(self) -> None:
        """Ask the worker to look at the inbox now (a web thread whose events a dedicated worker takes: no need)."""
        if not self._dedicated_seen:
            self._wake.set()

    def run_once(self) -> int:
        """Replay the spool, then process due events and deliver; return events processed.

        Whatever the spool does, the events already in the inbox are processed: a replay that fails
        (the database is down, or a body cannot be stored and becomes a dead letter) never stops them.
        """
        try:
            self.intake.replay_spool()
            self._sweep_dead_letters()
        except Exception as exc:
            log.warning("spool replay postponed: %s", type(exc).__name__)
        if self.dedicated:
            self._beat()
        elif self._dedicated_worker_alive():
            return 0
        processed = self.processor.process_due(limit=BURST_BATCH if self.bursting else ROUND)
        self._link_rich_menus()
        self._processed_in_window += processed
        if self._queue_seen is None or time.monotonic() - self._queue_seen[0] >= RATE_WINDOW:
            self.bursting = self._arrival_rate(self._processed_in_window) > BURST_RATE
            self._processed_in_window = 0
        return processed

    def _link_rich_menus(self) -> None:
        """Link each member's rich menu in LINE when their roles changed it (never during a flood)."""
        if self.bursting:
            return
        try:
            rich_menus.link_due(self.processor.session_factory, self.processor.messenger)
        except Exception as exc:  # the database may be down; the links wait for the next round
            log.warning("rich menu links postponed: %s", type(exc).__name__)

    def _sweep_dead_letters(self) -> None:
        """Hourly: delete this host's dead letters older than the rejected bodies' retention period.

        The spool is on the web and worker hosts' disks, not the clock's, so each host's own worker sweeps it.
        """
        if time.monotonic() - self._swept_at < DEAD_LETTER_SWEEP or not self.intake.spool.dead_count():
            return
        with self.processor.session_factory() as session:
            days = retention_days(session, REJECTED_DAYS)
        removed = self.intake.spool.purge_dead(utcnow() - timedelta(days=days))
        self._swept_at = time.monotonic()
        if removed:
            log.info("retention: %s dead letters older than %s days removed", removed, days)

    def _arrival_rate(self, processed: int) -> float:
        """Events that arrived per second since the last round: the queue's growth plus what was processed."""
        with self.processor.session_factory() as session:
            now, waiting = time.monotonic(), queued(session)
        previous, self._queue_seen = self._queue_seen, (now, waiting)
        if previous is None or now <= previous[0]:
            return 0.0
        return max(waiting - previous[1] + processed, 0) / (now - previous[0])

    def _beat(self) -> None:
        """Write this worker's heartbeat, at most every BEAT_EVERY."""
        if time.monotonic() - self._beaten_at < heartbeat.BEAT_EVERY.total_seconds():
            return
        with self.processor.session_factory() as session, session.begin():
            heartbeat.beat(session, self.name, utcnow())
        self._beaten_at = time.monotonic()

    def _dedicated_worker_alive(self) -> bool:
        """Whether a dedicated worker process is alive (asked of the database at most every BEAT_EVERY)."""
        if time.monotonic() - self._beaten_at >= heartbeat.BEAT_EVERY.total_seconds():
            with self.processor.session_factory() as session:
                alive = heartbeat.live_workers(session, utcnow()) > 0
            if alive != self._dedicated_seen:
                log.info(
                    "dedicated event worker %s", "found: leaving events to it" if alive else "gone: processing here"
                )
            self._dedicated_seen = alive
            self._beaten_at = time.monotonic()
        return self._dedicated_seen

    def start(self) -> None:
        """Start the background thread (once)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="fieldline-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the background thread; a dedicated worker also withdraws its heartbeat."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self.dedicated and self._beaten_at > float("-inf"):
            try:
                with self.processor.session_factory() as session, session.begin():
                    heartbeat.forget(session, self.name)
            except Exception as exc:  # the database may be down; the heartbeat then simply expires
                log.warning("could not withdraw the worker heartbeat: %s", type(exc).__name__)

    def join(self) -> None:
        """Wait until the thread ends (the worker command's main thread)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(1.0)

    def _loop(self) -> None:
        while not self._stop.is_set():
            busy = False
            try:
                busy = self.run_once() > 0
            except Exception as exc:  # the database may be down; try again shortly
                log.warning("worker round failed: %s", type(exc).__name__)
            if self.bursting:
                self._stop.wait(BURST_PAUSE)  # a flood is arriving: the webhook needs the CPU first
                continue
            if busy:
                continue  # a backlog (after a flood, a replayed spool): go on now, not after the interval
            self._wake.wait(self.interval)
            self._wake.clear()
