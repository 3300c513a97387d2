"""Benchmark: how long an event waits for an idle worker, with the doorbell and without it (polling alone).

    .venv/bin/python bench/wake/run.py                       # SQLite and PostgreSQL
    .venv/bin/python bench/wake/run.py --only sqlite --events 40

In one process: the web side (Flask's test client POSTs signed one-to-one greetings to /callback, each from a
user of its own, one every --gap seconds) and a dedicated worker thread with the real idle interval
(bot.worker.DEDICATED_INTERVAL, 0.5 s), woken only through the doorbell (runtime/doorbell.py: LISTEN/NOTIFY on
PostgreSQL, a Unix datagram beside the SQLite file), as the worker process is. LINE is the loopback stand-in of
the tests. For each event it records the time from the POST's answer to the event being processed (its inbox row
done, the reply handed to LINE), and prints the median, p90 and max, once with the doorbell rung and once with it
silenced (the polling this issue replaces). PostgreSQL comes from --pg-url (BENCH_DATABASE_URL, else
TEST_DATABASE_URL, else the local server): a fresh database is created there and dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.databases import add_pg_url, bench_database, chosen  # noqa: E402
from bot.migrate import upgrade  # noqa: E402
from bot.signature import sign  # noqa: E402
from bot.worker import Worker  # noqa: E402
from line.messenger import Messenger  # noqa: E402
from models import InboxEvent, InboxStatus  # noqa: E402
from tests.harness import LineStub, envelope, text_event, user_id  # noqa: E402

SECRET, TOKEN = "bench-wake-secret", "bench-wake-token"


def _done(app, event_id: str) -> bool:
    with app.extensions["fieldline"].sessions() as session:
        status = session.scalar(select(InboxEvent.status).where(InboxEvent.webhook_event_id == event_id))
    return status == InboxStatus.DONE


def measure(app, events: int, gap: float, ring: bool) -> list[float]:
    """Seconds from each POST's answer to its event processed, one event at a time."""
    services = app.extensions["fieldline"]
    services.intake.on_stored = services.doorbell.ring if ring else None
    worker = Worker(services.intake, services.processor, dedicated=True)
    worker.start()
    stop = services.doorbell.listen(worker.wake)
    client = app.test_client()
    waits = []
    try:
        time.sleep(1.0)
        for _ in range(events):
            event = text_event(user_id(), "สวัสดีครับ")
            body = json.dumps(envelope(event), ensure_ascii=False).encode()
            answer = client.post("/callback", data=body, headers={"x-line-signature": sign(SECRET, body)})
            assert answer.status_code == 200
            answered = time.perf_counter()
            while not _done(app, event["webhookEventId"]):
                time.sleep(0.002)
            waits.append(time.perf_counter() - answered)
            time.sleep(gap)
    finally:
        stop()
        worker.stop()
    return waits


def run(label: str, url: str, events: int, gap: float) -> dict:
    """Migrate, then measure with and without the doorbell."""
    from bot import create_app

    os.environ.setdefault("LOG_LEVEL", "WARNING")
    upgrade(url)
    stub = LineStub()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["FIELDLINE_INSTANCE_DIR"] = folder
        app = create_app(
            {
                "FIELDLINE_MODE": "production",
                "DATABASE_URL": url,
                "LINE_CHANNEL_SECRET": SECRET,
                "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
                "SECRET_KEY": "bench-wake",
                "SPOOL_DIR": f"{folder}/spool",
                "MEDIA_DIR": f"{folder}/media",
                "LINE_API_BASE_URL": stub.url,
                "BACKGROUND_WORKER": False,
            }
        )
        app.extensions["fieldline"].processor.messenger = Messenger(TOKEN, stub.url)
        result = {"database": label}
        try:
            for ring in (True, False):
                waits = sorted(measure(app, events, gap, ring))
                name = "doorbell" if ring else "polling only"
                figures = {
                    "median_ms": statistics.median(waits) * 1000,
                    "p90_ms": waits[int(0.9 * (len(waits) - 1))] * 1000,
                    "max_ms": waits[-1] * 1000,
                }
                result[name] = figures
                print(
                    f"{label:<10} {name:<13} median {figures['median_ms']:6.1f} ms   p90 {figures['p90_ms']:6.1f} ms"
                    f"   max {figures['max_ms']:6.1f} ms   ({len(waits)} events, load {os.getloadavg()[0]:.2f})",
                    flush=True,
                )
        finally:
            app.extensions["fieldline"].close()
            stub.close()
    return result


def main() -> int:
    """Run on the chosen databases."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--gap", type=float, default=0.17, help="seconds between two events (not a multiple of 0.5)")
    add_pg_url(parser, "the PostgreSQL server to create the bench database on")
    args = parser.parse_args()
    results = []
    for label in chosen(args.only):
        with bench_database(label, args.pg_url, "fieldline_bench_wake") as url:
            results.append(run(label, url, args.events, args.gap))
    print(json.dumps(results, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
