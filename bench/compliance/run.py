"""Benchmark: risk-point compliance over a district-year of checks, on SQLite and PostgreSQL.

    .venv/bin/python bench/compliance/run.py                      # SQLite and PostgreSQL, default sizes
    .venv/bin/python bench/compliance/run.py --only sqlite --quick
    .venv/bin/python bench/compliance/run.py --city            # PostgreSQL: 10,000 points, a fiscal year (COPY)

A district-year is 200 points × 365 days × (2 patrols + 1 camera check) ≈ 219,000 check rows (with a
few scripted gaps). The script times a fiscal quarter's compliance (office, by district, by point), a
whole fiscal year, and the growth as points and days grow. It prints figures; it asserts nothing.
The checks go in as bulk INSERTs, so each fill then rebuilds the points' days (rp_point_days) the KPI reads.
--city fills PostgreSQL alone at Bangkok's size (bench/compliance/city.py) and writes the figures to
bench/results/compliance-city-*.json.
PostgreSQL comes from BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1/postgres): a fresh
database is created on it and dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, delete, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.compliance.city import measure_city  # noqa: E402
from bench.databases import fresh_postgres, save_results  # noqa: E402
from bot.migrate import upgrade  # noqa: E402
from models import CameraCheck, PatrolCheck, PointDay, RiskCamera, RiskPoint, RiskUnit  # noqa: E402
from models.periods import Period  # noqa: E402
from models.point_days import rebuild_point_days  # noqa: E402
from models.timeutil import BANGKOK  # noqa: E402
from reports import riskpoint_compliance as rc  # noqa: E402
from runtime.config import normalise_database_url  # noqa: E402

FY_START = date(2025, 10, 1)  # fiscal year 2569
DISTRICTS = ("บางรัก", "ปทุมวัน", "สาทร", "คลองเตย")


def fill(engine, points: int, days: int, *, seed: int = 7) -> int:
    """Empty the risk-point tables and generate points × days of checks; return the check rows written."""
    rng = random.Random(seed)
    with Session(engine) as session, session.begin():
        if engine.dialect.name == "postgresql":  # no dead index entries left from the previous size
            session.execute(
                text(
                    "TRUNCATE rp_point_days, rp_camera_checks, rp_patrol_checks, rp_cameras, rp_points, rp_units"
                    " CASCADE"
                )
            )
        for model in (PointDay, CameraCheck, PatrolCheck, RiskCamera, RiskPoint, RiskUnit):
            session.execute(delete(model))
        session.execute(
            insert(RiskPoint),
            [
                {
                    "id": n,
                    "code": f"RP-{n:04d}",
                    "name": f"จุด {n}",
                    "district": DISTRICTS[n % len(DISTRICTS)],
                    "latitude": 13.7 + n / 10000,
                    "longitude": 100.5,
                    "kind": "alley",
                    "required_patrols": 2,
                    "active_from": FY_START,
                    "created_at": datetime.now(UTC),
                    "updated_at": datetime.now(UTC),
                }
                for n in range(1, points + 1)
            ],
        )
        session.execute(
            insert(RiskCamera),
            [
                {"id": n, "point_id": n, "code": f"CAM-{n:04d}", "owner_agency": "สจส.", "active_from": FY_START}
                for n in range(1, points + 1)
            ],
        )
    written = 0
    patrols, cameras = [], []
    for offset in range(days):
        day = FY_START + timedelta(days=offset)
        for n in range(1, points + 1):
            for round_no, hour in ((1, 9), (2, 21)):
                if rng.random() < 0.02:  # about 2% of rounds missed
                    continue
                moment = datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=BANGKOK)
                patrols.append(
                    {
                        "point_id": n,
                        "checked_at": moment,
                        "patrol_day": day,
                        "round_no": round_no,
                        "source": "bench",
                        "created_at": moment,
                    }
                )
            if rng.random() >= 0.01:
                moment = datetime(day.year, day.month, day.day, 10, tzinfo=BANGKOK)
                cameras.append(
                    {
                        "camera_id": n,
                        "point_id": n,
                        "checked_at": moment,
                        "check_day": day,
                        "status": "working",
                        "method": "centre",
                        "created_at": moment,
                    }
                )
        if len(patrols) > 20_000 or offset == days - 1:
            with Session(engine) as session, session.begin():
                session.execute(insert(PatrolCheck), patrols)
                if cameras:
                    session.execute(insert(CameraCheck), cameras)
            written += len(patrols) + len(cameras)
            patrols, cameras = [], []
    with Session(engine) as session, session.begin():
        rebuild_point_days(session)  # bulk INSERTs pass the ORM's flush: the points' days are rebuilt
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # What autovacuum gives a settled PostgreSQL table; SQLite gets its planner statistics.
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    return written


def timed(engine, work, repeat: int = 5) -> tuple[float, object]:
    """The median of repeated runs in milliseconds, and the last result."""
    samples, result = [], None
    for _ in range(repeat):
        with Session(engine) as session:
            started = time.perf_counter()
            result = work(session)
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), result


def quarter(session):
    return rc.compliance(session, Period.of_quarter(2569, 1))


def measure(engine, label: str, points: int, days: int) -> dict:
    started = time.perf_counter()
    rows = fill(engine, points, days)
    generated = time.perf_counter() - started
    office_ms, office = timed(engine, quarter)
    district_ms, _ = timed(engine, lambda s: rc.by_district(s, Period.of_quarter(2569, 1)))
    point_ms, _ = timed(engine, lambda s: rc.by_point(s, Period.of_quarter(2569, 1)))
    year_ms, _ = timed(engine, lambda s: rc.compliance(s, Period.of_fiscal_year(2569)), repeat=3)
    print(
        f"{label:<10} {points:>6} {days:>5} {rows:>9,} {generated:>7.1f}s "
        f"{office_ms:>9.1f} {district_ms:>9.1f} {point_ms:>9.1f} {year_ms:>9.1f}   "
        f"{office.patrol_percent}% / {office.camera_percent}%",
        flush=True,
    )
    return {"rows": rows, "office_ms": office_ms}


def explain(engine) -> None:
    """The PostgreSQL plan of the KPI's one read of the points' days (patrols and cameras done), by district."""
    span = Period.of_quarter(2569, 1)
    sql = (
        "EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF, SUMMARY ON) "
        "SELECT p.district, sum(LEAST(d.rounds, p.required_patrols)), sum(d.cameras) FROM rp_point_days d "
        "JOIN rp_points p ON p.id = d.point_id WHERE d.day BETWEEN :a AND :b AND p.active_from <= d.day "
        "AND (p.retired_on IS NULL OR d.day < p.retired_on) GROUP BY p.district"
    )
    with engine.connect() as connection:
        for (line,) in connection.execute(text(sql), {"a": span.first, "b": span.last}):
            print("    " + line)


def header() -> None:
    print(
        f"{'database':<10} {'points':>6} {'days':>5} {'rows':>9} {'fill':>8} "
        f"{'Q office':>9} {'Q distr.':>9} {'Q points':>9} {'FY office':>9}   patrol / camera (ms, medians)"
    )


def run(label: str, url: str, sizes: list[tuple[int, int]], show_plan: bool) -> None:
    engine = create_engine(url)
    try:
        for points, days in sizes:
            measure(engine, label, points, days)
        if show_plan and engine.dialect.name == "postgresql":
            explain(engine)
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--quick", action="store_true", help="only the district-year (200 points × 365 days)")
    parser.add_argument("--city", action="store_true", help="PostgreSQL only: 10,000 points in 50 districts, a year")
    parser.add_argument("--repeat", type=int, default=5, help="--city: runs per figure (the year: 2 fewer, >= 3)")
    args = parser.parse_args()
    if args.city:
        return city(args.repeat)
    sizes = [(200, 365)]
    if not args.quick:
        sizes += [(50, 365), (100, 365), (400, 365), (200, 91), (200, 182), (200, 730)]
    header()
    if args.only != "postgres":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.db"
            upgrade(url)
            run("sqlite", url, sizes, False)
    if args.only != "sqlite":
        server = make_url(
            normalise_database_url(os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1/postgres"))
        )
        name = f"fieldline_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = server.set(database=name).render_as_string(hide_password=False)
            upgrade(url)
            run("postgres", url, sizes, True)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    return 0


def city(repeat: int) -> int:
    """The city-scale run on a fresh PostgreSQL database; figures printed and written to bench/results/."""
    server = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1/postgres")
    url, drop = fresh_postgres(server, "fieldline_bench_city")
    try:
        upgrade(url)
        engine = create_engine(url)
        try:
            figures = measure_city(engine, 2569, repeat)
        finally:
            engine.dispose()
    finally:
        drop()
    save_results("compliance-city", [{"database": "postgres", "load": os.getloadavg(), **figures}])
    return 0


if __name__ == "__main__":
    sys.exit(main())
