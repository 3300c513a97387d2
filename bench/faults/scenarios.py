"""The faults, each a timeline of actions run while the known events are being sent.

Times are seconds after the first body is sent. Every fault that lasts starts at FAULT_AT and is
undone at FAULT_AT + FAULT_SECONDS; the bodies go out evenly over SEND_SECONDS, so some arrive
before, during and after it.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.faults.deployment import Deployment

FAULT_AT = 3.0
FAULT_SECONDS = 10.0
SEND_SECONDS = 16.0
TIMEOUT_SLEEP = 12.0  # past the Messenger's 10 s client timeout (line/messenger.py)
TIMEOUTS = {"apis": ["reply", "push"], "timeout": TIMEOUT_SLEEP, "share": 1.0, "count": 2, "delivered": "alternate"}


@dataclass
class Action:
    """One step of a timeline: at `at` seconds, call `run(deployment)`; its result is logged."""

    at: float
    label: str
    run: Callable[[Deployment], object]


@dataclass
class Scenario:
    """A fault: what to send, what to do meanwhile, on which databases it means something."""

    name: str
    summary: str
    actions: list[Action] = field(default_factory=list)
    image_users: int = 0
    tiny_media: bool = False
    before: Callable[[Deployment], object] | None = None  # set up before the first body is sent
    not_applicable: dict[str, str] = field(default_factory=dict)  # database kind -> why not


def window(start: Callable[[Deployment], object], stop: Callable[[Deployment], object], what: str) -> list[Action]:
    """A fault that starts at FAULT_AT and is undone FAULT_SECONDS later."""
    return [Action(FAULT_AT, f"{what} on", start), Action(FAULT_AT + FAULT_SECONDS, f"{what} off", stop)]


class SqliteLock:
    """An exclusive transaction on the SQLite file, held by the bench for the fault's duration."""

    def __init__(self) -> None:
        self.connection: sqlite3.Connection | None = None
        self.acquired_after: float | None = None

    def take(self, deployment: Deployment) -> str:
        started = time.monotonic()
        self.connection = sqlite3.connect(deployment.sqlite_path, timeout=30, isolation_level=None)
        self.connection.execute("BEGIN EXCLUSIVE")
        self.acquired_after = round(time.monotonic() - started, 2)
        return f"locked after {self.acquired_after} s"

    def release(self, deployment: Deployment) -> str:
        if self.connection is not None:
            self.connection.execute("COMMIT")
            self.connection.close()
        return "released"


def database_blackhole(deployment: Deployment) -> list[Action]:
    if deployment.kind == "sqlite":
        lock = SqliteLock()
        return window(lock.take, lock.release, "exclusive lock on the SQLite file")
    return window(lambda d: d.proxy("blackhole"), lambda d: d.proxy("forward"), "database black-holed")


def line_fault(fault: dict) -> Callable[[Deployment], list[Action]]:
    def actions(deployment: Deployment) -> list[Action]:
        return window(lambda d: d.line({"fault": fault}), lambda d: d.line({"fault": None}), f"LINE fault {fault}")

    return actions


def kills(kill: Callable[[Deployment, int], object], times: tuple[float, ...], what: str):
    def actions(deployment: Deployment) -> list[Action]:
        return [Action(at, f"{what} #{n + 1}", lambda d, n=n: kill(d, n)) for n, at in enumerate(times)]

    return actions


SCENARIOS: dict[str, tuple[Scenario, Callable[[Deployment], list[Action]]]] = {}


def scenario(build: Callable[[Deployment], list[Action]], **kwargs) -> None:
    item = Scenario(**kwargs)
    SCENARIOS[item.name] = (item, build)


scenario(
    database_blackhole,
    name="db-blackhole",
    summary="database black-holed 10 s (PostgreSQL: the proxy stops forwarding;"
    " SQLite: an exclusive transaction holds the file)",
)
scenario(
    lambda d: window(lambda d: d.proxy("refuse"), lambda d: d.proxy("forward"), "database refusing"),
    name="db-refuse",
    summary="PostgreSQL refusing connections 10 s (proxy resets every connection and stops listening)",
    not_applicable={"sqlite": "a file database cannot refuse a connection"},
)
scenario(
    kills(lambda d, n: d.kill_worker(), (4.0, 8.0, 12.0), "kill -9 worker process, restarted 1 s later"),
    name="kill-worker",
    summary="kill -9 of the worker process 3 times, each restarted 1 s later as a supervisor would",
)
scenario(
    kills(lambda d, n: d.kill_web_worker(n), (4.0, 10.0), "kill -9 gunicorn worker"),
    name="kill-web",
    summary="kill -9 of a gunicorn web worker twice (the master starts new ones)",
)
for name, status, delivered, tail in (
    ("line-500", 500, False, ", not delivered"),
    ("line-500-delivered", 500, True, ", but did deliver them"),
    ("line-429", 429, False, ""),
):
    scenario(
        line_fault({"apis": ["reply", "push"], "status": status, "share": 0.5, "delivered": delivered}),
        name=name,
        summary=f"LINE answers {status} to half the reply/push calls for 10 s{tail}",
    )
scenario(
    lambda d: [
        Action(FAULT_AT, "LINE holds the next 2 reply/push calls", lambda d: d.line({"fault": TIMEOUTS})),
        Action(FAULT_AT + 2 * TIMEOUT_SLEEP + 1, "LINE fault off", lambda d: d.line({"fault": None})),
    ],
    name="line-timeout",
    summary=f"LINE holds the first 2 reply/push calls after {FAULT_AT:.0f} s for {TIMEOUT_SLEEP:.0f} s each"
    " (client timeout 10 s); the first was delivered, the second not",
)
scenario(
    lambda d: [],
    name="content-202-410",
    summary="content API: 202 (preparing) twice per image, then 200 for half of them and 410 (gone) for the rest",
    image_users=30,
    before=lambda d: d.line({"content": {"preparing": 2, "final": "alternate"}}),
)
scenario(
    lambda d: window(lambda d: d.fill_media_disk(), lambda d: d.free_media_disk(), "media disk full"),
    name="media-disk-full",
    summary="MEDIA_DIR on a 1 MiB tmpfs, filled to the last byte for 10 s",
    image_users=30,
    tiny_media=True,
)


def run_timeline(deployment: Deployment, actions: list[Action], log: list[dict]) -> threading.Thread:
    """Run the actions in a thread at their times (from now); each outcome is appended to log."""
    started = time.monotonic()

    def play() -> None:
        for action in sorted(actions, key=lambda a: a.at):
            delay = started + action.at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            try:
                outcome = action.run(deployment)
            except Exception as exc:  # noqa: BLE001 - reported in the scenario's log, not hidden
                outcome = f"failed: {type(exc).__name__}: {exc}"
            log.append({"at": round(time.monotonic() - started, 2), "action": action.label, "outcome": str(outcome)})

    thread = threading.Thread(target=play, name="fault-timeline", daemon=True)
    thread.start()
    return thread
