"""What a clock job is (its spec) and what its body is given (its context): no job and no runner here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from line.messenger import Messenger
from scheduler.policy import Policy
from scheduler.sender import Recipient, RunSender, resolve
from services.media_store import MediaStore


@dataclass(frozen=True)
class JobSpec:
    """A job: its body (a module-level function of a context and a period key) and how it is run."""

    id: str
    run: Callable[[JobContext, str], str | None]
    stale_after: timedelta = timedelta(days=1)  # older occurrences are not caught up
    claimed: bool = True  # False: an idempotent maintenance job, run on every firing without a claim
    scheduled: bool = True  # False: run only by another job or by hand
    quiet: bool = False  # True: a frequent poll, its runs logged at debug level (what it does logs itself)
    instances: int = 1  # how many firings may run at once (a poll whose work can outlast its interval: more)


@dataclass
class JobContext:
    """What a job body may use: its period, the time, the policy, sessions, LINE, the media store and a sender."""

    job: str
    period: str
    run_id: int | None
    now: datetime
    late: bool
    policy: Policy
    sessions: sessionmaker[Session]
    messenger: Messenger
    base_url: str
    run_job: Callable[[str, str], object]  # run another job for a period (claimed like any run)
    media_store: MediaStore | None = None
    due_at: datetime | None = None
    send: RunSender | None = field(default=None)
    instance_dir: str | None = None  # the instance folder (evidence packs are written under it)
    secret_key: str | None = None  # SECRET_KEY, to sign download links on cards (runtime/downloads.py)

    @property
    def key(self) -> str:
        """The run's claim key."""
        return f"{self.job}:{self.period}"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in its own transaction, committed when the block ends."""
        with self.sessions.begin() as session:
            yield session

    def recipients(self, role: str) -> list[Recipient]:
        """The recipients a setting names (secretariat, supervisors, admins)."""
        with self.sessions() as session:
            return resolve(session, self.policy.recipients.get(role, ()))

    def link(self, path: str) -> str:
        """An absolute link to a page of this service (PUBLIC_BASE_URL)."""
        return self.base_url.rstrip("/") + path
