"""Running the clock's jobs exactly once: claim, run, record, deliver; and catching up on missed periods."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from models.timeutil import utcnow
from runtime import delivery
from scheduler import claims, triggers
from scheduler.policy import Policy
from scheduler.riskpoints import LIVE
from scheduler.sender import Recipient, RunSender, resolve

log = logging.getLogger("scheduler")

GRACE = timedelta(minutes=10)  # a run later than this after its due time is marked late
DELIVERY_ROUNDS = 200


@dataclass(frozen=True)
class JobSpec:
    """A job: its body (a module-level function of a context and a period key) and how it is run."""

    id: str
    run: Callable[[JobContext, str], str | None]
    stale_after: timedelta = timedelta(days=1)  # older occurrences are not caught up
    needs: str | None = None  # "riskpoints" or "workgroup": guarded until those modules exist
    claimed: bool = True  # False: an idempotent maintenance job, run on every firing without a claim
    scheduled: bool = True  # False: run only by another job or by hand


@dataclass
class Outcome:
    """What one attempt at a run did."""

    key: str
    status: str  # done | skipped | guarded | failed
    sent: int = 0
    late: bool = False
    note: str | None = None


@dataclass
class JobContext:
    """What a job body may use: its period, the time, the policy, sessions, a sender and the risk-point source."""

    runner: Runner
    job: str
    period: str
    run_id: int | None
    now: datetime
    late: bool
    policy: Policy
    due_at: datetime | None = None
    send: RunSender | None = field(default=None)

    @property
    def key(self) -> str:
        """The run's claim key."""
        return f"{self.job}:{self.period}"

    @property
    def risk(self):
        """The risk-point source (see scheduler/riskpoints.py)."""
        return self.runner.risk

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in its own transaction, committed when the block ends."""
        with self.runner.sessions.begin() as session:
            yield session

    def recipients(self, role: str) -> list[Recipient]:
        """The recipients a setting names (secretariat, supervisors, admins)."""
        with self.runner.sessions() as session:
            return resolve(session, self.policy.recipients.get(role, ()))

    def link(self, path: str) -> str:
        """An absolute link to a page of this service (PUBLIC_BASE_URL)."""
        return self.runner.base_url.rstrip("/") + path


class Runner:
    """Runs jobs for one clock process (or a test, or `--run`)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        messenger,
        *,
        base_url: str = "http://127.0.0.1:8000",
        clock: Callable[[], datetime] = utcnow,
        owner: str | None = None,
        risk=None,
        media_store=None,
        jobs: dict[str, JobSpec] | None = None,
    ):
        """Keep the collaborators; nothing runs until run or run_due is called."""
        self.sessions = sessions
        self.messenger = messenger
        self.base_url = base_url
        self.clock = clock
        self.owner = owner or claims.owner_name()
        self.risk = risk if risk is not None else LIVE
        self.media_store = media_store
        if jobs is None:
            from scheduler.jobs import JOBS

            jobs = JOBS
        self.jobs = jobs
        self.scheduler = None  # the APScheduler instance, once register_jobs has been given this runner
        self._guard_logged: set[str] = set()

    def available(self, feature: str) -> bool:
        """Whether the modules a job needs are there (risk points: the injected source decides)."""
        if feature == "riskpoints":
            return self.risk.available()
        from scheduler import workgroup_jobs

        return workgroup_jobs.available()

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
        """Claim and run one (job, period); a claimed or guarded run does nothing."""
        spec = self.jobs[job]
        key = f"{job}:{period}"
        if spec.needs and not self.available(spec.needs):
            if key not in self._guard_logged:
                log.info("%s: the %s modules are missing; the job is registered but guarded", key, spec.needs)
                self._guard_logged.add(key)
            return Outcome(key, "guarded")
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
        context = JobContext(self, job, period, run_id, now, late, policy or self.policy(), due_at)
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
        log.info("%s done%s: %s recipient(s)", key, " (late)" if late else "", sent)
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


def json_ready(value):
    """A deep copy of a value that a JSON column can store (dates and the like become strings)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))
