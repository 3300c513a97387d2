"""Helpers for the scheduler tests: a recording LINE, groups and units, fake risk-point figures."""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from line.messages import text
from line.messenger import LineApiError
from line.notices import RENDERERS
from models import Chat, JobRun, JobSend, OutgoingMessage
from models.periods import Period
from models.timeutil import BANGKOK, utcnow
from scheduler.jobs import network_jobs, riskpoint_jobs
from scheduler.jobs.riskpoint_jobs import Unit
from scheduler.runner import Runner
from services.notices import Notice


def bkk(*parts: int) -> datetime:
    """An aware Bangkok moment."""
    return datetime(*parts, tzinfo=BANGKOK)


def group_id() -> str:
    """A fresh LINE group id."""
    return "C" + secrets.token_hex(16)


def user_id() -> str:
    """A fresh LINE user id."""
    return "U" + secrets.token_hex(16)


class RecordingLine:
    """Stands in for LINE: records each push and multicast (thread-safe), honours retry keys like LINE."""

    def __init__(self, quota: tuple[int | None, int] = (None, 0), errors: list[LineApiError] | None = None):
        """Answer quota() with `quota`; raise the scripted errors on the first sends."""
        self.calls: list[tuple[str, list[str], list[dict], str]] = []
        self.accepted: set[str] = set()
        self.quota_value = quota
        self.quota_calls = 0
        self.errors = list(errors or [])
        self._lock = threading.Lock()

    def _send(self, method: str, to: list[str], messages, retry_key: str) -> None:
        with self._lock:
            if self.errors:
                raise self.errors.pop(0)
            if retry_key in self.accepted:
                return  # LINE answers 409: already sent, not delivered again
            self.accepted.add(retry_key)
            self.calls.append((method, to, [m.to_dict() for m in messages], retry_key))

    def push(self, to, messages, retry_key):
        """Record a push."""
        self._send("push", [to], messages, retry_key)

    def multicast(self, user_ids, messages, retry_key):
        """Record a multicast."""
        self._send("multicast", list(user_ids), messages, retry_key)

    def reply(self, token, messages):
        """The clock never replies."""
        raise AssertionError("the clock must not reply")

    def quota(self):
        """The scripted quota."""
        self.quota_calls += 1
        return self.quota_value

    def received(self) -> Counter:
        """How many deliveries each recipient got."""
        return Counter(recipient for _, to, _, _ in self.calls for recipient in to)

    def texts_to(self, recipient: str) -> list[str]:
        """Every text (or Flex altText) a recipient got, in order."""
        found = []
        for _, to, messages, _ in self.calls:
            if recipient in to:
                found += [m.get("text") or m.get("altText") for m in messages]
        return found


def add_group(session, name: str, purpose: str | None, members: int = 5) -> str:
    """A registered LINE group the bot is in; return its LINE id."""
    line_id = group_id()
    session.add(
        Chat(
            line_chat_id=line_id,
            chat_type="group",
            name=name,
            purpose=purpose,
            member_count=members,
            registered_at=utcnow() if purpose else None,
            registered_by="test",
        )
    )
    session.flush()
    return line_id


def sends_by_run(services) -> Counter:
    """(run key, recipient) -> how many job_sends rows (always 0 or 1)."""
    with services.sessions() as session:
        rows = session.execute(select(JobRun.key, JobSend.recipient).join(JobRun, JobRun.id == JobSend.run_id)).all()
    return Counter(rows)


def delivered_by_run(services, line: RecordingLine) -> Counter:
    """(run key, recipient) -> how many deliveries LINE accepted for it."""
    with services.sessions() as session:
        keys = dict(
            session.execute(
                select(OutgoingMessage.retry_key, JobRun.key)
                .join(JobSend, JobSend.outbox_id == OutgoingMessage.id)
                .join(JobRun, JobRun.id == JobSend.run_id)
            ).all()
        )
    found: Counter = Counter()
    for _, to, _, retry_key in line.calls:
        for recipient in to:
            found[(keys.get(retry_key, "?"), recipient)] += 1
    return found


@dataclass(frozen=True)
class FakeMisses(Notice):
    """A fake round's misses, told to a unit group as one text."""

    body: str


@dataclass
class FakeRiskPoints:
    """What the risk-point jobs read (scheduler/jobs/riskpoint_jobs.py, network_jobs.py), in memory."""

    units: list[Unit] = field(default_factory=list)
    submissions: dict[tuple[int, str], datetime] = field(default_factory=dict)
    compiled: dict = field(default_factory=dict)
    pending_points: dict[str, list[str]] = field(default_factory=dict)
    closed: list[tuple] = field(default_factory=list)

    def install(self, monkeypatch) -> FakeRiskPoints:
        """Stand in for the jobs' reads of the risk-point registry for one test."""
        monkeypatch.setattr(riskpoint_jobs, "reporting_units", self.reporting_units)
        monkeypatch.setattr(riskpoint_jobs, "submitted_at", self.submitted)
        monkeypatch.setattr(riskpoint_jobs, "compile_month", self.compile_month)
        monkeypatch.setattr(riskpoint_jobs, "points_to_visit", self.unvisited)
        monkeypatch.setattr(riskpoint_jobs, "close_round", self.close_round)
        monkeypatch.setattr(riskpoint_jobs, "cameras_to_check", self.missing_cameras)
        monkeypatch.setattr(network_jobs, "risk_compliance", self.compliance)
        monkeypatch.setitem(RENDERERS, FakeMisses, lambda session, notice: [text(notice.body)])
        return self

    def reporting_units(self, session, month, *, drafts: bool = False):
        """The units."""
        return list(self.units)

    def submitted(self, session, month):
        """Unit id -> submitted at, for reports of that month submitted by now."""
        now = utcnow()
        return {uid: at for (uid, key), at in self.submissions.items() if key == month.key and at <= now}

    def compile_month(self, session, year, month_no):
        """A small compiled report."""
        month = Period.of_month(year, month_no)
        return self.compiled or {
            "label": month.label(),
            "office": {
                "patrols_done": 110,
                "patrols_required": 120,
                "patrol_percent": 91.67,
                "cameras_done": 58,
                "cameras_required": 60,
                "camera_percent": 96.67,
                "defect_percent": 50.0,
                "overall_percent": 79.45,
            },
            "defects": {"opened": 4, "fixed": 2},
            "work_orders": {"done": 2, "new": 1},
            "letters": 1,
            "crime": [{"crime_type": "ลักทรัพย์", "cases": 3}],
            "submissions": [{"unit": u.name, "on_time": True} for u in self.units],
        }

    def compliance(self, session, period):
        """Quarter or year percentages."""
        return {"overall_percent": 88.5, "patrol_percent": 90.0, "patrols_done": 9, "patrols_required": 10}

    def unvisited(self, session, day, round_no):
        """Scripted points still to visit."""
        return dict(self.pending_points)

    def close_round(self, session, day, round_no, at, notify):
        """Record the call; tell each group its misses; return the misses."""
        self.closed.append((day, round_no))
        for line_id, points in self.pending_points.items():
            notify(line_id, FakeMisses("พลาด " + ", ".join(points)))
        return [point for points in self.pending_points.values() for point in points]

    def missing_cameras(self, session, day):
        """No cameras."""
        return {}


def make_runner(services, line, *, clock=None, owner: str | None = None, jobs=None) -> Runner:
    """A runner on the test database with a recording LINE."""
    kwargs = {"base_url": "https://fieldline.example", "owner": owner, "jobs": jobs}
    if clock is not None:
        kwargs["clock"] = clock
    return Runner(services.sessions, line, **kwargs)
