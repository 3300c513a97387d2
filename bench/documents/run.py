"""Benchmark: the monthly risk-point report's documents (DOCX, PDF, XLSX) over a district-year of records.

    .venv/bin/python bench/documents/run.py                      # SQLite and PostgreSQL
    .venv/bin/python bench/documents/run.py --only sqlite --repeat 3 --points 200

A district-year: 200 points in one district (20 patrol units of 10 points, the three default departments),
half of them with a camera, 365 days of fiscal year 2569 filled with bulk inserts: 2 patrol rounds a day
(about 2% missed, each miss recorded with a reason 70% of the time) and 1 camera check a day (1% missed),
3 defects a point (each with its work order and its steps, 97% fixed after 1 to 12 days; broken cameras
with their coordination letter), crime figures for a third of the points each month, and every unit's
month report (90% on time). Then, for September 2569 (the year's last month, the busiest tables), timed
as medians of ``--repeat`` runs: ``compile_month`` and freezing it as a version (json_ready + digest), the
Thai view of the frozen version, and its DOCX, PDF (Chromium) and XLSX, and for comparison Chromium printing
an empty page (its start and stop, paid by every PDF). The issue's target: the documents
of a district-year in under 5 s. It prints figures and writes them to bench/results/; it asserts nothing.
PostgreSQL comes from --pg-url (BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local server): a
fresh database is created there and dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.databases import add_pg_url, bench_database, chosen, save_results  # noqa: E402
from bot.migrate import upgrade  # noqa: E402
from models import (  # noqa: E402
    CameraCheck,
    CoordinationLetter,
    CrimeStat,
    Defect,
    MonthlySubmission,
    OrderEvent,
    PatrolCheck,
    RiskCamera,
    RiskPoint,
    RiskUnit,
    RoundMiss,
    WorkOrder,
)
from models.deadlines import month_deadline  # noqa: E402
from models.point_days import rebuild_point_days  # noqa: E402
from models.timeutil import BANGKOK  # noqa: E402
from reports.documents import month_report, pdf, printing  # noqa: E402
from reports.documents.month_report_docx import render_docx  # noqa: E402
from reports.documents.month_report_xlsx import render_xlsx  # noqa: E402
from reports.riskpoint_month import compile_month  # noqa: E402
from scheduler.versions import digest, json_ready  # noqa: E402

FY_START = date(2025, 10, 1)  # fiscal year 2569
DAYS = 365
MONTH = (2026, 9)  # September 2569, the fiscal year's last month
DISTRICT = "บางรัก"
OFFICE = "สำนักงานเขตบางรัก"
DEPARTMENTS = {"lighting": 2, "cctv": 2, "trees": 1, "vehicle": 3, "other": 3}  # unit ids, as the defaults map kinds
REASONS = ("flood", "road_closed", "incident", "other")
CRIMES = ("ลักทรัพย์", "ชิงทรัพย์", "ทำร้ายร่างกาย", "ยาเสพติด")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Bangkok moment."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BANGKOK)


def fill(engine, points: int, *, seed: int = 14) -> dict:
    """A district-year of records, written with bulk inserts; returns how many rows of each kind."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    counts: dict[str, int] = {}
    units = [
        {"id": 1, "code": "cleaning", "name": "ฝ่ายรักษาความสะอาดและสวนสาธารณะ", "kind": "department", "district": None},
        {"id": 2, "code": "public_works", "name": "ฝ่ายโยธา", "kind": "department", "district": None},
        {"id": 3, "code": "municipal", "name": "ฝ่ายเทศกิจ", "kind": "department", "district": None},
    ]
    patrol_units = max(1, points // 10)
    units += [
        {"id": 10 + n, "code": f"patrol-{n}", "name": f"สายตรวจ{DISTRICT} {n}", "kind": "patrol", "district": DISTRICT}
        for n in range(1, patrol_units + 1)
    ]
    point_rows = [
        {
            "id": n,
            "code": f"RP-{n:04d}",
            "name": f"ซอยที่ {n} ถนนเจริญกรุง",
            "district": DISTRICT,
            "latitude": 13.72 + n / 10000,
            "longitude": 100.51,
            "kind": "alley",
            "patrol_unit_id": 10 + 1 + (n - 1) % patrol_units,
            "required_patrols": 2,
            "active_from": FY_START,
            "created_at": now,
            "updated_at": now,
        }
        for n in range(1, points + 1)
    ]
    cameras = [
        {"id": n, "point_id": n, "code": f"CAM-{n:04d}", "owner_agency": "สำนักการจราจรและขนส่ง", "active_from": FY_START}
        for n in range(1, points + 1, 2)
    ]
    with Session(engine) as session, session.begin():
        session.execute(insert(RiskUnit), units)
        session.execute(insert(RiskPoint), point_rows)
        session.execute(insert(RiskCamera), cameras)
    counts |= {"units": len(units), "points": len(point_rows), "cameras": len(cameras)}
    camera_of = {row["point_id"]: row["id"] for row in cameras}

    patrols, camera_checks, misses = [], [], []
    counts |= {"patrol_checks": 0, "camera_checks": 0, "round_misses": 0}

    def flush() -> None:
        with Session(engine) as session, session.begin():
            for model, rows, key in (
                (PatrolCheck, patrols, "patrol_checks"),
                (CameraCheck, camera_checks, "camera_checks"),
                (RoundMiss, misses, "round_misses"),
            ):
                if rows:
                    session.execute(insert(model), rows)
                    counts[key] += len(rows)
                    rows.clear()

    for offset in range(DAYS):
        day = FY_START + timedelta(days=offset)
        for n in range(1, points + 1):
            for round_no, hour in ((1, 9), (2, 21)):
                moment = at(day, hour, rng.randrange(60))
                if rng.random() < 0.02:
                    reason = rng.choice(REASONS) if rng.random() < 0.7 else None
                    misses.append(
                        {
                            "point_id": n,
                            "patrol_day": day,
                            "round_no": round_no,
                            "recorded_at": at(day, 18 if round_no == 1 else 23, 59),
                            "reason": reason,
                            "reason_at": moment if reason else None,
                        }
                    )
                    continue
                patrols.append(
                    {"point_id": n, "checked_at": moment, "patrol_day": day, "round_no": round_no, "source": "bench"}
                )
            if n in camera_of and rng.random() >= 0.01:
                moment = at(day, 10)
                camera_checks.append(
                    {
                        "camera_id": camera_of[n],
                        "point_id": n,
                        "checked_at": moment,
                        "check_day": day,
                        "status": "working",
                        "method": "centre",
                        "created_at": moment,
                    }
                )
        if len(patrols) > 20_000 or offset == DAYS - 1:
            flush()
    with Session(engine) as session, session.begin():
        rebuild_point_days(session)  # the checks went in as bulk INSERTs, past the ORM's flush

    defects, orders, events, letters = [], [], [], []
    letter_number = 0
    for n in range(1, points + 1):
        for _ in range(3):
            kinds = list(DEPARTMENTS) if n in camera_of else [k for k in DEPARTMENTS if k != "cctv"]
            kind = rng.choice(kinds)
            opened = at(FY_START + timedelta(days=rng.randrange(DAYS)), rng.randrange(6, 22))
            closed = opened + timedelta(days=rng.uniform(1, 12)) if rng.random() < 0.97 else None
            defect_id = len(defects) + 1
            defects.append(
                {
                    "id": defect_id,
                    "point_id": n,
                    "kind": kind,
                    "camera_id": camera_of[n] if kind == "cctv" else None,
                    "status": "closed" if closed else "open",
                    "opened_at": opened,
                    "closed_at": closed,
                }
            )
            done = closed - timedelta(hours=6) if closed else None
            orders.append(
                {
                    "id": defect_id,
                    "ref": f"WO-2569-{defect_id:04d}",
                    "defect_id": defect_id,
                    "unit_id": DEPARTMENTS[kind],
                    "status": "closed" if closed else "accepted",
                    "created_at": opened,
                    "accepted_at": opened + timedelta(hours=2),
                    "done_at": done,
                    "closed_at": closed,
                }
            )
            steps = [("new", opened), ("accepted", opened + timedelta(hours=2))]
            steps += [("done", done), ("closed", closed)] if closed else []
            events += [{"order_id": defect_id, "at": moment, "status": status} for status, moment in steps]
            if kind == "cctv":
                letter_number += 1
                letters.append(
                    {
                        "fiscal_year": 2569,
                        "number": letter_number,
                        "defect_id": defect_id,
                        "camera_id": camera_of[n],
                        "agency": "สำนักการจราจรและขนส่ง",
                        "issued_at": opened,
                        "found_at": opened,
                    }
                )
    crime, submissions = [], []
    for offset in range(12):
        year, month = (2025, 10 + offset) if offset < 3 else (2026, offset - 2)
        for n in range(1, points + 1):
            if rng.random() < 1 / 3:
                crime.append(
                    {
                        "year": year,
                        "month": month,
                        "scope": f"point:RP-{n:04d}",
                        "point_id": n,
                        "district": DISTRICT,
                        "crime_type": rng.choice(CRIMES),
                        "cases": rng.randint(1, 4),
                        "station": "สน.บางรัก",
                    }
                )
        for unit in units:
            deadline = month_deadline(None, year, month)
            late = rng.random() >= 0.9
            submissions.append(
                {
                    "unit_id": unit["id"],
                    "year": year,
                    "month": month,
                    "submitted_at": deadline + (timedelta(hours=20) if late else -timedelta(days=2)),
                    "figures": {},
                }
            )
    with Session(engine) as session, session.begin():
        for model, rows in (
            (Defect, defects),
            (WorkOrder, orders),
            (OrderEvent, events),
            (CoordinationLetter, letters),
            (CrimeStat, crime),
            (MonthlySubmission, submissions),
        ):
            session.execute(insert(model), rows)
            counts[model.__tablename__] = len(rows)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    return counts


CPU: dict[str, float] = {}  # median CPU seconds (this process and its children, i.e. Chromium) of each timed step


def _cpu() -> float:
    mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def timed(work, repeat: int, name: str = "") -> tuple[float, object]:
    """The median of repeated runs in seconds (wall clock), and the last result; CPU medians go to CPU[name]."""
    samples, cpu, result = [], [], None
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), _cpu()
        result = work()
        samples.append(time.perf_counter() - started)
        cpu.append(_cpu() - cpu_started)
    if name:
        CPU[name] = statistics.median(cpu)
    return statistics.median(samples), result


def measure(engine, label: str, repeat: int) -> dict:
    """Compile the month, freeze it, and render its three documents; medians in seconds."""

    def compiled():
        with Session(engine) as session:
            data = json_ready(compile_month(session, *MONTH))
            return data, digest(data)

    compile_s, (data, fingerprint) = timed(compiled, repeat, "compile")
    frozen_at = month_deadline(None, *MONTH)
    view_s, report = timed(
        lambda: month_report.build(
            data, office=OFFICE, version=1, frozen_at=frozen_at, actor="ระบบ (ตามกำหนดเวลา)", digest=fingerprint
        ),
        repeat,
        "view",
    )
    docx_s, docx = timed(lambda: render_docx(report), repeat, "docx")
    xlsx_s, xlsx = timed(lambda: render_xlsx(data, report), repeat, "xlsx")
    pdf_s, document, empty_s = None, None, None
    if pdf.available():
        pdf_s, document = timed(lambda: month_report.render_pdf(report), repeat, "pdf")
        empty_s, _ = timed(lambda: pdf.html_to_pdf(printing.render_html("print_base.html")), repeat, "pdf_empty")
    documents_s = view_s + docx_s + xlsx_s + (pdf_s or 0)
    figures = {
        "database": label,
        "compile_s": compile_s,
        "view_s": view_s,
        "docx_s": docx_s,
        "pdf_s": pdf_s,
        "pdf_empty_s": empty_s,  # Chromium printing an empty page: its start and stop
        "xlsx_s": xlsx_s,
        "documents_s": documents_s,
        "total_s": compile_s + documents_s,
        "cpu_s": dict(CPU),
        "docx_kb": len(docx) / 1024,
        "pdf_kb": len(document) / 1024 if document else None,
        "pdf_pages": pdf.page_count(document) if document else None,
        "xlsx_kb": len(xlsx) / 1024,
        "rows": {
            "points": len(data["points"]),
            "misses": len(data["misses"]["rows"]),
            "defects": len(data["defects"]["rows"]),
            "orders": len(data["orders"]["rows"]),
            "letters": len(data["letter_rows"]),
            "crime": len(data["crime_rows"]),
        },
    }
    pdf_text = "n/a" if pdf_s is None else f"{pdf_s:6.2f}"
    print(
        f"{label:<10} {compile_s:8.2f} {view_s:6.3f} {docx_s:6.2f} {pdf_text:>6} {xlsx_s:6.2f} "
        f"{documents_s:8.2f} {compile_s + documents_s:7.2f}   "
        f"pdf {figures['pdf_pages'] or '-'} pages; rows {figures['rows']}",
        flush=True,
    )
    if empty_s is not None:
        print(f"{'':<10} Chromium printing an empty page: {empty_s:.2f} s", flush=True)
    print(f"{'':<10} CPU s (with Chromium's): " + ", ".join(f"{k} {v:.2f}" for k, v in CPU.items()), flush=True)
    return figures


def load() -> str:
    """The 1-minute load average, to tell a noisy run from a quiet one."""
    return f"{os.getloadavg()[0]:.2f}"


def run(label: str, url: str, points: int, repeat: int) -> dict:
    """Migrate, fill and measure one database."""
    upgrade(url)
    engine = create_engine(url)
    try:
        started = time.perf_counter()
        counts = fill(engine, points)
        print(f"{label}: filled in {time.perf_counter() - started:.1f} s: {counts} (load {load()})", flush=True)
        return {"fill": counts, **measure(engine, label, repeat), "load_after": load()}
    finally:
        engine.dispose()


def main() -> int:
    """Run the benchmark on the chosen databases and write the results."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    add_pg_url(parser, "the PostgreSQL server on which a fresh database is created")
    args = parser.parse_args()
    print(f"load {load()}; Chromium {'found' if pdf.available() else 'missing: no PDF'}")
    print(
        f"{'database':<10} {'compile':>8} {'view':>6} {'docx':>6} {'pdf':>6} {'xlsx':>6} {'docs':>8} {'total':>7}"
        "   (seconds, medians)"
    )
    results = []
    for label in chosen(args.only):
        with bench_database(label, args.pg_url, "fieldline_bench_documents") as url:
            results.append(run(label, url, args.points, args.repeat))
    save_results("documents", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
