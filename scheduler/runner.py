"""Running the clock's jobs exactly once: claim, run, record, deliver; and catching up on missed periods."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from line.messenger import Messenger
from models.timeutil import utcnow
from runtime import delivery
from scheduler import claims, triggers
from scheduler.context import JobContext, JobSpec
from scheduler.jobs.registry import JOBS
from scheduler.policy import Policy
from scheduler.sender import RunSender
from services.media_store import MediaStore

log = logging.getLogger("scheduler")

GRACE = timedelta(minutes=10)  # a run later than this after its due time is marked late
DELIVERY_ROUNDS = 200


@dataclass
class Outcome:
    """What one attempt at a run did."""

    key: str
    status: str  # done | skipped | failed
    sent: int = 0
    late: bool = False
    note: str | None = None


class Runner:
    """Runs jobs for one clock process (or a test, or `--run`)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        messenger: Messenger,
        *,
        base_url: str = "http://127.0.0.1:8000",
        clock: Callable[[], datetime] = utcnow,
        owner: str | None = None,
        media_store: MediaStore | None = None,
        jobs: dict[str, JobSpec] | None = None,
        instance_dir: str | None = None,
        secret_key: str | None = None,
    ):
        """Keep the collaborators; nothing runs until run or run_due is called."""
        self.sessions = sessions
        self.messenger = messenger
        self.base_url = base_url
        self.clock = clock
        self.owner = owner or claims.owner_name()
        self.media_store = media_store
        self.jobs = JOBS if jobs is None else jobs
        self.instance_dir = instance_dir
        self.secret_key = secret_key
        self.scheduler = None  # the APScheduler instance, once register_jobs has been given this runner

    def policy(self) -> Policy:
        """The current settings."""
        with self.sessions() as session:
            return Policy.load(session)

    def run(
        self,
        job: str,
        period: str,
        *,
        due_at: datetime | None = None,
        by_hand: bool = False,
        policy: Policy | None = None,
        deliver: bool = True,
    ) -> Outcome:
        """Claim and run one (job, period); a run already claimed does nothing."""
        spec = self.jobs[job]
        key = f"{job}:{period}"
        now = self.clock()
        late = due_at is not None and now - due_at > GRACE
        run_id = None
        if spec.claimed:
            run_id = claims.claim(
                self.sessions,
                key,
                job=job,
                period=period,
                owner=self.owner,
                now=now,
                due_at=due_at,
                late=late,
                by_hand=by_hand,
            )
            if run_id is None:
                return Outcome(key, "skipped")
        context = JobContext(
            job,
            period,
            run_id,
            now,
            late,
            policy or self.policy(),
            self.sessions,
            self.messenger,
            self.base_url,
            self.run,
            self.media_store,
            due_at,
        )
        context.instance_dir = self.instance_dir
        context.secret_key = self.secret_key
        if run_id is not None:
            context.send = RunSender(self.sessions, run_id, job, now)
        try:
            note = spec.run(context, period)
        except Exception as exc:  # recorded on the claim; the next attempt resumes
            log.warning("%s failed: %s", key, type(exc).__name__)
            log.debug("%s", traceback.format_exc())
            if run_id is not None:
                claims.fail(self.sessions, run_id, self.clock(), "".join(traceback.format_exception_only(exc))[:500])
            return Outcome(key, "failed", late=late)
        sent = claims.finish(self.sessions, run_id, self.clock(), note) if run_id is not None else 0
        (log.debug if spec.quiet else log.info)("%s done%s: %s recipient(s)", key, " (late)" if late else "", sent)
        if deliver and sent:
            self.deliver()
        return Outcome(key, "done", sent, late, note)

    def due(self, now: datetime | None = None, policy: Policy | None = None) -> list[triggers.Occurrence]:
        """Claimed jobs' occurrences whose time has come, not stale, and not yet done, oldest first."""
        now = now or self.clock()
        policy = policy or self.policy()
        found = [
            occurrence
            for spec in self.jobs.values()
            if spec.scheduled and spec.claimed
            for occurrence in triggers.due(spec.id, policy, now, spec.stale_after)
        ]
        with self.sessions() as session:
            settled = claims.settled(session, [o.key for o in found], now)
        return sorted(o for o in found if o.key not in settled)

    def run_due(self, now: datetime | None = None, *, jobs: list[str] | None = None) -> list[Outcome]:
        """Run everything due (the catch-up at start, each firing, and the periodic sweep)."""
        policy = self.policy()
        outcomes = []
        for occurrence in self.due(now, policy):
            if jobs is None or occurrence.job in jobs:
                outcomes.append(
                    self.run(occurrence.job, occurrence.period, due_at=occurrence.due_at, policy=policy, deliver=False)
                )
        if any(outcome.sent for outcome in outcomes):
            self.deliver()
        return outcomes

    def deliver(self) -> int:
        """Push what the runs queued (the web workers would too; retry keys keep it single)."""
        total = 0
        for _ in range(DELIVERY_ROUNDS):
            sent = delivery.deliver_due(self.sessions, self.messenger, limit=100)
            total += sent
            if sent == 0:
                break
        return total
