"""Event workers: the dedicated `flask --app bot worker run` process, or a web process's fallback thread.

A dedicated worker beats a heartbeat in the database. A web process's thread always replays its own
spool (the files are on its disk) but processes events only while no dedicated worker is alive, so
the webhook keeps the CPU when a worker process is deployed and nothing stalls when none is.

Intake comes first. While events arrive faster than BURST_RATE a second (a flood no district network produces
in normal work), a worker that shares what the operating system cannot share fairly with the webhook processes
only BURST_BATCH events per round and pauses BURST_PAUSE seconds between rounds: on SQLite the one write lock
(a worker at nice 19 that holds it while the busy web processes take the CPU keeps every webhook insert
waiting: processing unpaced, the webhook's p99 at 500 events/s was 778 ms and 2,253 bodies went to the spool,
though that was before the claims named their index (runtime/db.py); paced to 10 a second, after it, 15 ms and
none), and in a web process the interpreter's lock. A dedicated worker on PostgreSQL is not paced: it runs at
nice 19, so the kernel gives the webhook the CPU first, and MVCC lets both write at once (unpaced, the
webhook's p99 at 500 events/s for 60 s was 7.7 ms, and 10,353 of the 34,296 events were answered by reply,
against 3,026 of 18,323 when paced to 10 a second for 30 s; the rest are pushed once their tokens age).
Figures from bench/webhook, 5 Dec 2026. Below BURST_RATE nothing is paced: the end-to-end bench answers 100
events a second by reply within a p99 of 20 ms on PostgreSQL. Nothing waits forever: every round processes
some events, and the queue is worked off at full speed as soon as the flood is over.
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
BURST_RATE = 200.0  # events arriving per second above which the webhook has priority
BURST_BATCH = 1  # events per round during such a flood (paced workers only) ...
BURST_PAUSE = 0.1  # ... and the pause after each of those rounds: at most 10 events a second
RATE_WINDOW = 1.0  # seconds over which the arrival rate is measured
SETTLE_INTERVAL = 0.05  # an idle worker whose replies are still being sent looks again this soon
CHORES_EVERY = 1.0  # seconds between two looks at due deliveries, media and rich-menu links
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
        self._chores_at = float("-inf")  # time.monotonic() of the last look at due deliveries and media
        self._processed_since_chores = 0

    @property
    def name(self) -> str:
        """This process as host:pid (read each time: gunicorn forks after the app is built)."""
        return f"{socket.gethostname()}:{os.getpid()}"

    @property
    def paced(self) -> bool:
        """Whether floods slow this worker down: on SQLite, or in a web process (see the module's docstring)."""
        return not self.dedicated or self.processor.session_factory.kw["bind"].dialect.name != "postgresql"

    def wake(self) -> None:
        """Ask the worker to look at the inbox now (a web thread whose events a dedicated worker takes: no need)."""
        if not self._dedicated_seen:
            self._wake.set()

    def run_once(self, *, chores: bool = True, wait: bool = True) -> int:
        """Replay the spool, process due events, then (chores) deliver due rows and media; return events processed.

        wait: return only when the events' replies are sent and recorded (the loop goes on while they are sent).

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
        processed = self.processor.process_events(limit=BURST_BATCH if self.bursting else ROUND, wait=wait)
        self._processed_since_chores += processed
        if chores:
            self._chores()
        self._processed_in_window += processed
        if self._queue_seen is None or time.monotonic() - self._queue_seen[0] >= RATE_WINDOW:
            self.bursting = self.paced and self._arrival_rate(self._processed_in_window) > BURST_RATE
            self._processed_in_window = 0
        return processed

    def _chores(self) -> None:
        """Due deliveries (retries, pushes), media downloads and rich-menu links."""
        self._chores_at = time.monotonic()
        self.processor.deliver_due(at_least=self._processed_since_chores)
        self._processed_since_chores = 0
        self._link_rich_menus()

    def _chores_due(self) -> bool:
        """Whether the loop's next round looks at the chores: at most every CHORES_EVERY.

        Not after every round: a processed event's replies are sent as it is processed, so at ten events a
        second these looks would cost more than the events themselves.
        """
        return time.monotonic() - self._chores_at >= CHORES_EVERY

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
            try:
                self.processor.record_sent()  # the last replies' outcomes, while their lanes finish
            except Exception as exc:  # the database may be down; the rows' leases expire and they are settled again
                log.warning("outcomes of the last replies not recorded: %s", type(exc).__name__)
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
                busy = self.run_once(chores=self._chores_due(), wait=False) > 0
            except Exception as exc:  # the database may be down; try again shortly
                log.warning("worker round failed: %s", type(exc).__name__)
            if self.bursting:
                self._stop.wait(BURST_PAUSE)  # a flood is arriving: the webhook needs the CPU first
                continue
            if busy:
                continue  # a backlog (after a flood, a replayed spool): go on now, not after the interval
            # Replies still on their way to LINE: look again soon to record their outcomes.
            self._wake.wait(SETTLE_INTERVAL if self.processor.sending else self.interval)
            self._wake.clear()
