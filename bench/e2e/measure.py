"""What a phase cost and how long people waited: CPU of the processes, answers matched to events, figures."""

from __future__ import annotations

import os
import time
from collections import defaultdict
from datetime import UTC
from pathlib import Path

from sqlalchemy import select, text

from bench.e2e.events import Body, Step
from bench.webhook import servers
from bench.webhook.load import percentiles
from models import InboxEvent

TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """utime + stime + cutime + cstime of a process (its own CPU and that of the children it waited for)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rfind(")") + 2 :].split()
    return sum(int(fields[n]) for n in (11, 12, 13, 14)) / TICKS


def web_cpu(masters: list[int]) -> float:
    """CPU seconds of the gunicorn masters (with the workers they reaped) and of their live workers."""
    return sum(process_cpu(m) + sum(process_cpu(w) for w in servers.children(m)) for m in masters)


class CpuMeter:
    """CPU seconds of the web and worker processes (and the stand-in and this client) between start and stop."""

    def __init__(self, deployment) -> None:
        self.deployment = deployment
        self.begun: dict[str, float] = {}
        self.spent: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        d = self.deployment
        stub = next((p for p in d.processes if p.name == "line-stub"), None)
        own = os.times()
        return {
            "web": web_cpu([app.pid for app in d.apps]),
            "worker": sum(process_cpu(w.pid) for w in d.workers if w.alive()),
            "stub": process_cpu(stub.pid) if stub else 0.0,
            "client": own.user + own.system,
        }

    def start(self) -> None:
        """Begin the measurement (also the 1-minute load average)."""
        self.load_before = os.getloadavg()[0]
        self.begun = self._now()

    def stop(self) -> dict:
        """CPU seconds since start, per role, and the load averages."""
        now = self._now()
        self.spent = {key: round(now[key] - self.begun.get(key, 0.0), 2) for key in now}
        return {"cpu_s": self.spent, "load_before": round(self.load_before, 2), "load_after": os.getloadavg()[0]}


def steps_of(bodies: list[Body]) -> list[Step]:
    """Every step of the bodies, in send order."""
    return sorted((step for body in bodies for step in body.steps), key=lambda s: s.sent_at)


def match(steps: list[Step], timeline: dict) -> None:
    """Give each step expecting an answer its answer's arrival: the reply for its token, else the first push to
    its user at or after its send time that no earlier step of that user claimed."""
    replies = timeline["replies"]
    pushes = {to: sorted(times) for to, times in timeline["pushes"].items()}
    claimed: dict[str, int] = defaultdict(int)
    for step in sorted(steps, key=lambda s: s.sent_at):
        if not step.expects_answer or not step.sent_at:
            continue
        if step.answered_by == "reply" and step.reply_token in replies:
            step.answer_at, step.answer_how = replies[step.reply_token], "reply"
            continue
        times = pushes.get(step.user, [])
        index = claimed[step.user]
        while index < len(times) and times[index] < step.sent_at:
            index += 1
        if index < len(times):
            step.answer_at, step.answer_how = times[index], "push"
            claimed[step.user] = index + 1
        else:
            step.answer_at, step.answer_how = None, ""


def unanswered(steps: list[Step]) -> int:
    """Steps still waiting for an answer."""
    return sum(1 for s in steps if s.expects_answer and s.sent_at and s.answer_at is None)


def wait_answered(deployment, steps: list[Step], since: float, settle: float) -> float:
    """Poll the stand-in's timeline until every step is answered or `settle` seconds passed; return the wait."""
    started = time.monotonic()
    while True:
        match(steps, servers.get_json(deployment.stub_port, f"/timeline?since={since:.3f}"))
        if not unanswered(steps) or time.monotonic() - started >= settle:
            return round(time.monotonic() - started, 1)
        time.sleep(0.25)


def figures(bodies: list[Body], steps: list[Step]) -> dict:
    """Webhook answer times, delivery-to-answer times, and the counts answered by reply, by push, or not."""
    webhook = sorted(b.answered_in * 1000 for b in bodies if b.status == 200 and b.answered_in is not None)
    expecting = [s for s in steps if s.expects_answer and s.sent_at]
    waited = sorted((s.answer_at - s.sent_at) * 1000 for s in expecting if s.answer_at is not None)
    return {
        "bodies": len(bodies),
        "events": len(steps),
        "not_200": sum(1 for b in bodies if b.status != 200),
        "webhook_ms": percentiles(webhook),
        "expecting_answer": len(expecting),
        "answer_ms": percentiles(waited),
        "by_reply": sum(1 for s in expecting if s.answer_how == "reply"),
        "by_push": sum(1 for s in expecting if s.answer_how == "push"),
        "missing": sum(1 for s in expecting if s.answer_at is None),
    }


def by_label(steps: list[Step]) -> dict[str, dict]:
    """Delivery-to-answer figures per kind of step (those expecting an answer)."""
    groups: dict[str, list[Step]] = defaultdict(list)
    for step in steps:
        if step.expects_answer and step.sent_at:
            groups[step.label].append(step)
    result = {}
    for label, members in sorted(groups.items()):
        waited = sorted((s.answer_at - s.sent_at) * 1000 for s in members if s.answer_at is not None)
        result[label] = {
            "n": len(members),
            "answer_ms": percentiles(waited),
            "by_push": sum(1 for s in members if s.answer_how == "push"),
            "missing": sum(1 for s in members if s.answer_at is None),
        }
    return result


def outcome(engine) -> dict:
    """What the dialogues left in the database so far: check-ins, refused attempts, reports, photos by status."""
    with engine.connect() as connection:
        counts = {
            name: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()  # noqa: S608 - fixed names
            for name, table in (
                ("patrol_checks", "rp_patrol_checks"),
                ("refused_checkins", "rp_check_attempts"),
                ("news_reports", "news_reports"),
                ("report_items", "report_items"),
            )
        }
        media = connection.execute(text("SELECT status, count(*) FROM media_files GROUP BY status")).all()
    return {**counts, "media": {str(status): n for status, n in media}}


def first_done_after(engine, moment: float) -> float | None:
    """Seconds from `moment` (time.time()) to the first inbox event processed after it."""
    with engine.connect() as connection:
        rows = connection.execute(select(InboxEvent.processed_at).where(InboxEvent.processed_at.is_not(None)))
        times = [at.timestamp() if at.tzinfo else at.replace(tzinfo=UTC).timestamp() for (at,) in rows]
    later = [at for at in times if at >= moment]
    return round(min(later) - moment, 2) if later else None
