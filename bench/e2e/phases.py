"""The phases of the end-to-end bench, each against one running deployment (bench/faults/deployment.py)."""

from __future__ import annotations

import math
import threading
import time
from itertools import cycle

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bench.e2e import events
from bench.e2e.measure import CpuMeter, by_label, figures, first_done_after, outcome, steps_of, wait_answered
from bench.e2e.seed import World
from bench.e2e.sender import send_all, send_schedule
from bench.faults import accounting
from bench.webhook.run import SECRET
from bot import heartbeat
from models.timeutil import utcnow

HOLD = "bench-e2e:hold"  # the heartbeat the bench writes while the workers are stopped
KIND_RATES = {"greeting": 10.0, "report": 2.0, "checkin": 2.5}  # single-kind phases: bodies or dialogues a second


def drain(deployment, timeout: float) -> dict:
    """Wait until nothing is pending (inbox, outbox, spool, photos to download); the last state."""
    return accounting.drain(deployment.engine, deployment.spool_dir, timeout, media=True)


def measured(deployment, name: str, schedule: list, args, *, extra: dict | None = None) -> dict:
    """Send a schedule open loop, wait for the answers and the queues; the figures and the CPU per event."""
    bodies = [body for _, body in schedule]
    meter = CpuMeter(deployment)
    meter.start()
    since = time.time()
    client = send_schedule(deployment.web_ports, SECRET, schedule, args.connections)
    sent_for = round(time.time() - since, 1)
    steps = steps_of(bodies)
    settle = wait_answered(deployment, steps, since, args.settle)
    end = drain(deployment, args.settle)
    spent = meter.stop()
    result = {"phase": name, **(extra or {}), "send_seconds": sent_for, "settle_seconds": settle, **client}
    result.update(figures(bodies, steps))
    result.update(spent)
    result["drained"] = end["drained"]
    count = max(len(steps), 1)
    result["cpu_ms_per_event"] = {role: round(spent["cpu_s"][role] * 1000 / count, 2) for role in ("web", "worker")}
    if len({s.label for s in steps}) > 1:
        result["by_step"] = by_label(steps)
    if any(s.kind != "greeting" for s in steps):
        result["database_after"] = outcome(deployment.engine)
    return result


def warm_up(deployment, world: World, args) -> dict:
    """A few greetings (and with --mixed one news burst and one check-in), so every process has loaded its code
    and opened its connections before the measured phases; the answer times of these cold first events."""
    schedule = [(n / 10, events.greeting()) for n in range(20)]
    if args.mixed:
        people = Dialogues(world, args.think)
        schedule += [(2.0 + offset, body) for offset, body in people.report()]
        schedule += [(2.5 + offset, body) for offset, body in people.checkin()]
        world.officers = world.officers[1:]
    bodies = [body for _, body in schedule]
    since = time.time()
    send_schedule(deployment.web_ports, SECRET, schedule, 4)
    steps = steps_of(bodies)
    wait_answered(deployment, steps, since, args.settle)
    drain(deployment, 30)
    return {label: row["answer_ms"].get("max") for label, row in by_label(steps).items()}


def steady(deployment, rate: float, args) -> dict:
    """Greetings from new users at `rate` a second for `--duration` seconds."""
    total = max(int(rate * args.duration), 1)
    schedule = [(n / rate, events.greeting()) for n in range(total)]
    return measured(deployment, f"steady {rate:g}/s", schedule, args, extra={"rate": rate})


class Dialogues:
    """Hands out the seeded officers, reporters and groups, so no two dialogues share a chat."""

    def __init__(self, world: World, think: float):
        self.officers = iter(world.officers)
        self.reporters = cycle(world.reporters)
        self.groups = cycle(world.groups)
        self.think = think

    def checkin(self) -> list:
        officer = next(self.officers)
        return events.checkin_dialogue(officer.user, officer.code, officer.latitude, officer.longitude, self.think)

    def report(self) -> list:
        return events.news_burst(next(self.reporters), next(self.groups))


def _starting(rate: float, seconds: float, make, at: float = 0.0) -> list:
    """Dialogues (lists of (offset, body)) started `rate` a second for `seconds`, offsets made absolute."""
    schedule = []
    for n in range(int(rate * seconds)):
        start = at + n / rate
        schedule += [(start + offset, body) for offset, body in make()]
    return schedule


def mixed_rates(args) -> dict[str, float]:
    """Greetings, news bursts and check-in dialogues started a second in the mixed phase."""
    return {
        "greeting": args.mixed_greetings * args.mixed_scale,
        "report": args.mixed_reports * args.mixed_scale,
        "checkin": args.mixed_checkins * args.mixed_scale,
    }


def officers_needed(args) -> int:
    """One officer (and point) per check-in dialogue of the mixed and single-kind phases."""
    mixed = math.ceil(mixed_rates(args)["checkin"] * args.mixed_seconds) if args.mixed else 0
    alone = math.ceil(KIND_RATES["checkin"] * args.kind_seconds) if args.mixed and args.kind_seconds else 0
    return mixed + alone + 5


def mixed(deployment, world: World, args) -> list[dict]:
    """The mixed load, then one short phase per kind to tell the CPU per event of each kind apart."""
    people = Dialogues(world, args.think)
    rates = mixed_rates(args)
    schedule = _starting(rates["greeting"], args.mixed_seconds, lambda: [(0.0, events.greeting())])
    schedule += _starting(rates["report"], args.mixed_seconds, people.report, at=0.13)
    schedule += _starting(rates["checkin"], args.mixed_seconds, people.checkin, at=0.27)
    extra = {"starts_per_s": rates, "seconds": args.mixed_seconds}
    results = [measured(deployment, "mixed", schedule, args, extra=extra)]
    if not args.kind_seconds:
        return results
    makers = {"greeting": lambda: [(0.0, events.greeting())], "report": people.report, "checkin": people.checkin}
    for kind, rate in KIND_RATES.items():
        schedule = _starting(rate, args.kind_seconds, makers[kind])
        extra = {"kind": kind, "starts_per_s": rate, "seconds": args.kind_seconds}
        results.append(measured(deployment, f"only {kind}", schedule, args, extra=extra))
    return results


class _HeldHeartbeat:
    """A heartbeat written every 5 s while the workers are stopped, so the web processes do not take the
    events over (they process only while no worker is alive, bot/heartbeat.py)."""

    def __init__(self, engine):
        self.engine = engine
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="e2e-hold", daemon=True)

    def _beat(self) -> None:
        with Session(self.engine) as session, session.begin():
            heartbeat.beat(session, HOLD, utcnow())

    def _run(self) -> None:
        while not self.stopped.wait(heartbeat.BEAT_EVERY.total_seconds()):
            try:
                self._beat()
            except OperationalError:  # SQLite busy under the posting: the heartbeat lives 20 s, try again
                continue

    def __enter__(self):
        self._beat()
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join(10)
        with Session(self.engine) as session, session.begin():
            heartbeat.forget(session, HOLD)


def backlog(deployment, args) -> dict:
    """Stop the workers, post `--backlog` greetings as fast as the webhook takes them, start the workers and
    time until nothing is pending."""
    per_body = args.backlog_per_body
    bodies = [
        events.Body([step for body in (events.greeting() for _ in range(per_body)) for step in body.steps])
        for _ in range(math.ceil(args.backlog / per_body))
    ]
    result: dict = {"phase": f"backlog {args.backlog}", "events": len(bodies) * per_body, "per_body": per_body}
    with _HeldHeartbeat(deployment.engine):
        deployment.stop_workers()
        posting = CpuMeter(deployment)
        posting.start()
        started = time.monotonic()
        send_all(deployment.web_ports, SECRET, bodies, connections=args.backlog_connections)
        result["post_seconds"] = round(time.monotonic() - started, 1)
        result["post_events_per_s"] = round(result["events"] / max(time.monotonic() - started, 1e-9), 1)
        result["post_cpu_s"] = posting.stop()["cpu_s"]
        result["not_200"] = sum(1 for b in bodies if b.status != 200)
        before = accounting.state(deployment.engine, deployment.spool_dir)
        result["inbox_before"] = before["inbox"]
        result["spool_before"] = before["spool"]
        meter = CpuMeter(deployment)
        meter.start()
        started, wall = time.monotonic(), time.time()
        deployment.start_workers()
        end = accounting.drain(deployment.engine, deployment.spool_dir, args.backlog_timeout, media=False)
    seconds = time.monotonic() - started
    spent = meter.stop()
    result.update(
        first_processed_after_s=first_done_after(deployment.engine, wall),
        drain_seconds=round(seconds, 1),
        drained=end["drained"],
        events_per_s=round(result["events"] / seconds, 1),
        inbox_after=end["inbox"],
        outbox_after=end["outbox"],
        **spent,
    )
    result["cpu_ms_per_event"] = {
        "web": round(result["post_cpu_s"]["web"] * 1000 / result["events"], 2),  # taking the events in
        "worker": round(spent["cpu_s"]["worker"] * 1000 / result["events"], 2),  # working them off
    }
    return result
