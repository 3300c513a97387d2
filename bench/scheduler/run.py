"""Benchmark: the clock's day-7 reminders to 1,000 recipients, and compiling a month for 200 points.

    .venv/bin/python bench/scheduler/run.py                      # SQLite and PostgreSQL
    .venv/bin/python bench/scheduler/run.py --only sqlite --recipients 300 --points 50

1. Reminders: 1,000 departments, each bound to its own registered LINE group (8 members), none has
   submitted. Timed: the claimed run that writes one outbox row and one job_sends row per group (each
   its own transaction, so a crash resumes without resending), then delivering them over HTTP with
   line-bot-sdk to a loopback stand-in for LINE (bench/webhook/line_stub.py). Also: the same text to
   1,000 users by multicast (two calls of 500).
2. Compiling: 200 points × 31 days of checks (2 patrols + 1 camera check a day ≈ 18,600 rows); timed:
   ``compile_month`` alone and the whole monthly-compile job (compile, freeze a version, queue the card).

It prints figures; it asserts nothing. PostgreSQL comes from BENCH_DATABASE_URL (default
postgresql://postgres@127.0.0.1/postgres): a fresh database is created there and dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import time_machine  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402

from bench.databases import fresh_postgres  # noqa: E402
from bot.migrate import upgrade  # noqa: E402
from line.messenger import Messenger  # noqa: E402
from models import (  # noqa: E402
    CameraCheck,
    CameraStatus,
    Chat,
    OutboxStatus,
    OutgoingMessage,
    PatrolCheck,
    RiskCamera,
    RiskPoint,
    RiskUnit,
    UnitKind,
)
from models.periods import Period  # noqa: E402
from models.point_days import rebuild_point_days  # noqa: E402
from models.settings import set_setting  # noqa: E402
from models.timeutil import BANGKOK  # noqa: E402
from reports.riskpoint_month import compile_month  # noqa: E402
from runtime.db import make_engine, make_session_factory  # noqa: E402
from scheduler.runner import Runner  # noqa: E402

MONTH = Period.of_month(2026, 10)  # October 2569; its reminders go out on the 7th of November
REMIND_AT = datetime(2026, 11, 6, 9, 0, 5, tzinfo=BANGKOK)  # 7 November 2569 is a Saturday: Friday the 6th
COMPILE_AT = datetime(2026, 11, 6, 17, 0, 5, tzinfo=BANGKOK)


def now() -> datetime:
    """Aware now (for created_at columns written in bulk)."""
    return datetime.now(UTC)


def departments(sessions, count: int) -> None:
    """`count` departments, each bound to its own registered group of 8."""
    with sessions.begin() as session:
        chats = [
            {
                "line_chat_id": "C" + secrets.token_hex(16),
                "chat_type": "group",
                "name": f"ฝ่ายที่ {n}",
                "is_member": True,
                "member_count": 8,
                "purpose": "department",
                "joined_at": now(),
                "registered_at": now(),
                "registered_by": "bench",
            }
            for n in range(count)
        ]
        session.execute(insert(Chat), chats)
        ids = session.scalars(select(Chat.id).order_by(Chat.id)).all()
        session.execute(
            insert(RiskUnit),
            [
                {
                    "code": f"D{n:04d}",
                    "name": f"ฝ่ายที่ {n}",
                    "kind": UnitKind.DEPARTMENT,
                    "chat_id": chat_id,
                    "is_active": True,
                    "created_at": now(),
                }
                for n, chat_id in enumerate(ids)
            ],
        )


def checks(sessions, points: int) -> int:
    """`points` points with a camera each, and a month of patrols and camera checks; return the rows."""
    first = MONTH.day(1)
    with sessions.begin() as session:
        unit = RiskUnit(code="P-bench", name="สายตรวจ", kind=UnitKind.PATROL)
        session.add(unit)
        session.flush()
        session.execute(
            insert(RiskPoint),
            [
                {
                    "code": f"RP-{n:04d}",
                    "name": f"จุด {n}",
                    "district": ("บางรัก", "ปทุมวัน", "สาทร", "คลองเตย")[n % 4],
                    "latitude": 13.7 + n / 10000,
                    "longitude": 100.5,
                    "kind": "alley",
                    "patrol_unit_id": unit.id,
                    "required_patrols": 2,
                    "active_from": first,
                    "created_at": now(),
                    "updated_at": now(),
                }
                for n in range(points)
            ],
        )
        point_ids = session.scalars(select(RiskPoint.id).order_by(RiskPoint.id)).all()
        session.execute(
            insert(RiskCamera),
            [
                {"point_id": pid, "code": f"CAM-{pid:05d}", "owner_agency": "สจส.", "active_from": first}
                for pid in point_ids
            ],
        )
        cameras = dict(session.execute(select(RiskCamera.point_id, RiskCamera.id)).tuples().all())
        patrols, camera_rows = [], []
        for offset in range((MONTH.ends.date() - first).days):
            day = first + timedelta(days=offset)
            for index, pid in enumerate(point_ids):
                for round_no, hour in ((1, 9), (2, 21)):
                    if (index + offset + round_no) % 17 == 0:
                        continue  # a few misses
                    at = datetime.combine(day, datetime.min.time(), BANGKOK) + timedelta(hours=hour)
                    patrols.append({"point_id": pid, "checked_at": at, "patrol_day": day, "round_no": round_no})
                camera_rows.append(
                    {
                        "camera_id": cameras[pid],
                        "point_id": pid,
                        "checked_at": datetime.combine(day, datetime.min.time(), BANGKOK) + timedelta(hours=10),
                        "check_day": day,
                        "status": CameraStatus.WORKING,
                        "method": "centre",
                    }
                )
        session.execute(insert(PatrolCheck), [{**row, "source": "line", "created_at": now()} for row in patrols])
        session.execute(insert(CameraCheck), [{**row, "created_at": now()} for row in camera_rows])
        rebuild_point_days(session)  # bulk INSERTs pass the ORM's flush: the points' days are rebuilt
    return len(patrols) + len(camera_rows)


@contextmanager
def stub_line():
    """The loopback LINE stand-in (bench/webhook/line_stub.py) in a process of its own; yield its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "bench.webhook.line_stub", "--port", str(port)], cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(url + "/stats", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def bench_reminders(url: str, recipients: int) -> None:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with stub_line() as base:
        departments(sessions, recipients)
        runner = Runner(sessions, Messenger("bench-token", base), owner="bench")
        with time_machine.travel(REMIND_AT, tick=True):
            started = time.perf_counter()
            outcome = runner.run("monthly-reminder", f"{MONTH.key}:day7", deliver=False)
            queued = time.perf_counter() - started
            started = time.perf_counter()
            delivered = runner.deliver()
            sending = time.perf_counter() - started
            again = runner.run("monthly-reminder", f"{MONTH.key}:day7")
        with sessions() as session:
            cost = session.scalar(select(OutgoingMessage.quota_cost).limit(1))
            pending = session.scalar(
                select(text("count(*)")).select_from(OutgoingMessage).where(OutgoingMessage.status != OutboxStatus.SENT)
            )
        print(f"  day-7 reminders to {recipients:,} groups: run (claim + {outcome.sent:,} outbox rows) {queued:.2f} s")
        print(
            f"    delivered {delivered:,} pushes over HTTP in {sending:.2f} s "
            f"({1000 * sending / max(delivered, 1):.1f} ms each); quota cost {cost} per group; not sent: {pending}"
        )
        print(f"    the same run again: {again.status} (exactly once)")
        users = ["U" + secrets.token_hex(16) for _ in range(recipients)]
        with sessions.begin() as session:
            set_setting(session, "scheduler.recipients.supervisors", users, by="bench")
        with time_machine.travel(REMIND_AT + timedelta(days=2), tick=True):
            started = time.perf_counter()
            outcome = runner.run("monthly-overdue", MONTH.key)
            took = time.perf_counter() - started
        print(
            f"  overdue list to {recipients:,} supervisors by multicast: {took:.2f} s for {outcome.sent:,} recipients"
        )
    engine.dispose()


def bench_compile(url: str, points: int) -> None:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    try:
        rows = checks(sessions, points)
        with sessions() as session:
            started = time.perf_counter()
            data = compile_month(session, MONTH.year, MONTH.month)
            compiled = time.perf_counter() - started
        runner = Runner(sessions, Messenger("bench-token", "http://127.0.0.1:9"), owner="bench")
        with time_machine.travel(COMPILE_AT, tick=True):
            started = time.perf_counter()
            outcome = runner.run("monthly-compile", MONTH.key, deliver=False)
            job = time.perf_counter() - started
        office = data["office"]
        print(
            f"  compile_month, {points} points, {rows:,} check rows: {compiled:.2f} s "
            f"(patrols {office['patrol_percent']}%, cameras {office['camera_percent']}%)"
        )
        print(f"  monthly-compile job (compile + freeze version + card): {job:.2f} s, {outcome.status}")
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--points", type=int, default=200)
    args = parser.parse_args()
    print(f"FieldLine clock benchmark ({datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} CPUs)")
    parts = ((bench_reminders, args.recipients), (bench_compile, args.points))
    if args.only in (None, "sqlite"):
        print("SQLite:")
        with tempfile.TemporaryDirectory() as folder:
            for number, (part, size) in enumerate(parts):
                url = f"sqlite:///{folder}/bench{number}.db"
                upgrade(url)
                part(url, size)
    if args.only in (None, "postgres"):
        print("PostgreSQL:")
        server = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1/postgres")
        for part, size in parts:
            url, drop = fresh_postgres(server, "fieldline_bench")
            try:
                upgrade(url)
                part(url, size)
            finally:
                drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
