"""What keeping the points' days costs one check-in: record_check committed, with and without the refresh.

    .venv/bin/python -m bench.compliance.checkin [--only sqlite|postgres] [--checks 300]

Each check-in is services.riskpoints.patrols.record_check in its own transaction (with its commit), at 40
points over a few days, alternating between runs with the refresh of rp_point_days (the flush listener of
models/point_days.py) and runs with the listener removed. Prints the medians and writes bench/results/.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date, datetime, timedelta

from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from bench.databases import add_pg_url, bench_database, chosen, save_results
from bot.migrate import upgrade
from models import RiskPoint, point_days
from models.timeutil import BANGKOK
from services.riskpoints.patrols import record_check
from services.riskpoints.registry import save_point

POINTS = 40


def _points(sessions) -> list[int]:
    with sessions.begin() as session:
        return [
            save_point(
                session,
                {
                    "code": f"RP-{n:04d}",
                    "name": f"จุด {n}",
                    "district": "บางรัก",
                    "latitude": 13.7 + n / 1000,
                    "longitude": 100.5,
                    "kind": "alley",
                    "active_from": date(2026, 10, 1),
                },
            ).id
            for n in range(1, POINTS + 1)
        ]


def _check_ins(sessions, ids: list[int], count: int, start: int) -> list[float]:
    samples = []
    for n in range(start, start + count):
        moment = datetime(2026, 10, 1, 7, tzinfo=BANGKOK) + timedelta(hours=5 * (n // POINTS), minutes=n % 50)
        started = time.perf_counter()
        with sessions.begin() as session:
            point = session.get(RiskPoint, ids[n % POINTS])
            record_check(session, point, member=None, at=moment, lat=None, lng=None, message_id=None)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def run(label: str, url: str, checks: int) -> dict:
    """Time check-ins with and without the refresh, in alternating batches of 50."""
    upgrade(url)
    engine = create_engine(url)
    sessions = sessionmaker(engine, class_=Session, expire_on_commit=False)
    ids = _points(sessions)
    _check_ins(sessions, ids, 40, 0)  # warm up
    with_refresh, without = [], []
    done = 40
    while len(with_refresh) < checks:
        with_refresh += _check_ins(sessions, ids, 50, done)
        done += 50
        event.remove(Session, "after_flush", point_days._after_flush)
        try:
            without += _check_ins(sessions, ids, 50, done)
            done += 50
        finally:
            event.listen(Session, "after_flush", point_days._after_flush)
    engine.dispose()
    figures = {
        "database": label,
        "checks": len(with_refresh),
        "with_refresh_ms": round(statistics.median(with_refresh), 2),
        "without_refresh_ms": round(statistics.median(without), 2),
    }
    figures["added_ms"] = round(figures["with_refresh_ms"] - figures["without_refresh_ms"], 2)
    print(
        f"{label}: record_check + commit, median of {len(with_refresh)}: {figures['with_refresh_ms']} ms with the "
        f"refresh, {figures['without_refresh_ms']} ms without (+{figures['added_ms']} ms)",
        flush=True,
    )
    return figures


def main() -> int:
    """Run on the chosen databases and write the results."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--checks", type=int, default=300)
    add_pg_url(parser, "PostgreSQL server for a fresh database")
    args = parser.parse_args()
    results = []
    for label in chosen(args.only):
        with bench_database(label, args.pg_url, "fieldline_bench_checkin") as url:
            results.append(run(label, url, args.checks))
    save_results("compliance-checkin", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
