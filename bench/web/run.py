"""Benchmark: the admin web's busiest pages over a district-year, server-side, on SQLite and PostgreSQL.

    .venv/bin/python bench/web/run.py                          # SQLite and PostgreSQL
    .venv/bin/python bench/web/run.py --only sqlite --requests 50
    .venv/bin/python bench/web/run.py --only postgres --database-url postgresql://postgres@127.0.0.1:5432/postgres

Fills a district-year with bench/documents/run.py's ``fill`` (200 points in one district, fiscal year 2569's
patrol and camera checks, defects with their work orders, letters, crime figures, month reports) and adds news
reports with places (``--reports`` over the year, in the district's streets). Then, in process with Flask's test
client signed in as a secretariat user (so the time is the server's: routing, session, queries, templates, JSON;
no network), requests each page ``--requests`` times after two warm-up requests and reports the median and the
95th percentile in ms, with the clock set to the filled year's last afternoon (30 September 2569): the home page
/admin/ (its KPIs read the whole fiscal year; "home, cold" empties the web process's cache of ended months before
each request, as a first visit finds it), the map /admin/map and its JSON /admin/map/data for that day and the day
before, and the work queues over the year: the reports inbox (its first and 20th page), the defects list and a
month's submissions. The target: under 300 ms each. It prints figures and writes them to bench/results/; it
asserts nothing but that every answer was 200. PostgreSQL comes from --database-url / --pg-url
(BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local server): a fresh database is created there and
dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import time_machine  # noqa: E402 - a test dependency (requirements-dev.txt), like the rest of bench/
from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.databases import add_pg_url, bench_database, chosen, save_results  # noqa: E402
from bench.documents.run import DAYS, DISTRICT, FY_START, at, fill  # noqa: E402
from bot.migrate import upgrade  # noqa: E402
from models import NewsReport, Role  # noqa: E402

USERNAME, PASSWORD = "bench-secretariat", "bench web password"
COLD_HOME = "home, cold"  # each request recomputes the ended months a web process otherwise reuses 5 min
# "today" is the filled year's last afternoon (30 September 2569, 15:00 Bangkok): the home's KPIs then read a
# whole fiscal year of checks, and the map's default day is a full day of them
TODAY = datetime(2026, 9, 30, 8, 0, tzinfo=UTC)
PAGES = (
    ("home", "/admin/"),
    (COLD_HOME, "/admin/"),
    ("map", "/admin/map"),
    ("map JSON", "/admin/map/data"),
    ("map, 29/09/2569", "/admin/map?date=29/09/2569"),
    ("reports inbox, page 1", "/admin/network/reports?from=01/10/2568&to=30/09/2569&status=all"),
    ("reports inbox, page 20", "/admin/network/reports?from=01/10/2568&to=30/09/2569&status=all&page=20"),
    ("defects, all, page 1", "/admin/riskpoints/defects?status=all"),
    ("month reports, Aug 2569", "/admin/riskpoints/submissions?month=2569-08"),
)
TARGET_MS = 300
STATUSES = ("new", "received", "forwarded", "closed")


def add_reports(engine, count: int, *, seed: int = 15) -> int:
    """News reports with places spread over the filled year, in the district's streets; returns how many."""
    rng = random.Random(seed)
    rows = []
    for n in range(1, count + 1):
        started = at(FY_START + timedelta(days=rng.randrange(DAYS)), rng.randrange(24), rng.randrange(60))
        rows.append(
            {
                "ref_no": f"NR-2569-{n:06d}",
                "channel": rng.choice(("group", "direct")),
                "sender_key": f"U{rng.randrange(400):032x}",
                "status": rng.choice(STATUSES),
                "district": DISTRICT,
                "latitude": 13.72 + rng.random() * 0.025,
                "longitude": 100.50 + rng.random() * 0.03,
                "place": f"ซอยเจริญกรุง {rng.randrange(1, 90)}",
                "started_at": started,
                "last_item_at": started + timedelta(minutes=rng.randrange(10)),
                "created_at": started,
            }
        )
    with Session(engine) as session, session.begin():
        session.execute(insert(NewsReport), rows)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE news_reports" if engine.dialect.name == "postgresql" else "ANALYZE"))
    return len(rows)


def signed_in_client(app):
    """A test client signed in through the login form as the secretariat user."""
    from bot.admin.staff_accounts import create_staff_user

    with app.extensions["fieldline"].sessions.begin() as session:
        create_staff_user(session, username=USERNAME, password=PASSWORD, role=Role.SECRETARIAT, districts=())
    client = app.test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = client.post("/admin/login", data={"username": USERNAME, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302, f"sign-in failed ({answer.status_code})"
    return client


def percentile(samples: list[float], share: float) -> float:
    """The nearest-rank percentile of the samples."""
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def time_page(client, name: str, url: str, requests: int) -> dict:
    """One page's median and p95 in ms over `requests` requests, after two warm-up requests."""
    for _ in range(2):
        client.get(url)
    samples, size = [], 0
    for _ in range(requests):
        if name == COLD_HOME:
            client.application.extensions.pop("fieldline.home_months", None)
        started = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        size = len(body)
    median, p95 = statistics.median(samples), percentile(samples, 0.95)
    verdict = "ok" if p95 < TARGET_MS else "OVER"
    print(f"  {name:<24} median {median:7.1f} ms   p95 {p95:7.1f} ms   {size / 1024:6.1f} KiB   {verdict}", flush=True)
    return {"page": name, "url": url, "median_ms": median, "p95_ms": p95, "bytes": size}


def load() -> str:
    """The 1-minute load average, to tell a noisy run from a quiet one."""
    return f"{os.getloadavg()[0]:.2f}"


def run(label: str, url: str, points: int, reports: int, requests: int) -> dict:
    """Migrate, fill and time one database."""
    from bot import create_app

    os.environ.setdefault("LOG_LEVEL", "WARNING")  # the app configures logging: keep the migrations' lines out
    upgrade(url)
    engine = create_engine(url)
    try:
        started = time.perf_counter()
        counts = fill(engine, points)
        counts["news_reports"] = add_reports(engine, reports)
        print(f"{label}: filled in {time.perf_counter() - started:.1f} s: {counts} (load {load()})", flush=True)
    finally:
        engine.dispose()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["FIELDLINE_INSTANCE_DIR"] = folder
        app = create_app(
            {
                "FIELDLINE_MODE": "production",
                "DATABASE_URL": url,
                "LINE_CHANNEL_SECRET": "bench-secret",
                "LINE_CHANNEL_ACCESS_TOKEN": "bench-token",
                "SECRET_KEY": "bench-secret-key",
                "SPOOL_DIR": f"{folder}/spool",
                "MEDIA_DIR": f"{folder}/media",
                "LINE_API_BASE_URL": "http://127.0.0.1:9",
                "BACKGROUND_WORKER": False,
                "SESSION_COOKIE_SECURE": False,
            }
        )
        try:
            with time_machine.travel(TODAY, tick=True):  # signed in on that day too, or the session is from later
                client = signed_in_client(app)
                print(f"{label}: {requests} requests a page (load {load()})", flush=True)
                pages = [time_page(client, name, page, requests) for name, page in PAGES]
        finally:
            app.extensions["fieldline"].close()
    return {"database": label, "fill": counts, "pages": pages, "load_after": load()}


def main() -> int:
    """Run the benchmark on the chosen databases and write the results."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--reports", type=int, default=2400, help="news reports over the year (about 200 a month)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests a page")
    add_pg_url(parser, "the PostgreSQL server on which a fresh database is created")
    parser.add_argument("--database-url", dest="pg_url", default=argparse.SUPPRESS, help="the same as --pg-url")
    args = parser.parse_args()
    print(f"load {load()}; target: under {TARGET_MS} ms a page (p95)")
    results = []
    for label in chosen(args.only):
        with bench_database(label, args.pg_url, "fieldline_bench_web") as url:
            results.append(run(label, url, args.points, args.reports, args.requests))
    save_results("web", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
