"""City scale for bench/compliance/run.py --city: all 50 districts, 10,000 points, a fiscal year of checks.

Raw checks go in with PostgreSQL's COPY (psycopg's cursor.copy), a few days at a time; the points' days
(rp_point_days) are then built by the real rebuild_point_days, timed on its own. The KPI is timed for fiscal
quarter 1 and the whole fiscal year (office, by district, by point), medians of several runs, beside the raw
checks' two aggregates that the KPI read before (quarter 1, office), for comparison in the same run.
"""

from __future__ import annotations

import io
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from models.districts import DISTRICTS
from models.periods import Period
from models.point_days import rebuild_point_days
from reports import riskpoint_compliance as rc

POINTS_PER_DISTRICT = 200
DAYS_PER_COPY = 7
OLD_PATROLS = (
    "SELECT sum(LEAST(d.rounds, p.required_patrols)) FROM (SELECT point_id, patrol_day AS day,"
    " count(DISTINCT round_no) AS rounds FROM rp_patrol_checks WHERE patrol_day BETWEEN :a AND :b AND round_no > 0"
    " GROUP BY point_id, patrol_day) d JOIN rp_points p ON p.id = d.point_id"
    " WHERE p.active_from <= d.day AND (p.retired_on IS NULL OR d.day < p.retired_on)"
)
OLD_CAMERAS = (
    "SELECT count(*) FROM (SELECT DISTINCT camera_id, check_day AS day FROM rp_camera_checks"
    " WHERE check_day BETWEEN :a AND :b) k JOIN rp_cameras c ON c.id = k.camera_id"
    " JOIN rp_points p ON p.id = c.point_id"
    " WHERE p.active_from <= k.day AND (p.retired_on IS NULL OR k.day < p.retired_on)"
    " AND c.active_from <= k.day AND (c.retired_on IS NULL OR k.day < c.retired_on)"
)


def _copy(connection, sql: str, data: io.StringIO) -> None:
    """COPY one buffer of tab-separated rows into a table."""
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        copy.write(data.getvalue())


def fill_city(engine, fiscal_year: int, *, seed: int = 16) -> dict:
    """10,000 points in 50 districts, a camera each, and a fiscal year of checks by COPY; return the counts."""
    rng = random.Random(seed)
    span = Period.of_fiscal_year(fiscal_year)
    points = len(DISTRICTS) * POINTS_PER_DISTRICT
    now = datetime.now(UTC).isoformat()
    raw = engine.raw_connection()
    try:
        connection = raw.driver_connection
        registry = io.StringIO()
        for n in range(1, points + 1):
            district = DISTRICTS[(n - 1) // POINTS_PER_DISTRICT]
            place = f"{13.6 + n / 100000}\t100.5"
            registry.write(f"{n}\tRP-{n:05d}\tจุด {n}\t{district}\t{place}\talley\t2\t{span.first}\t{now}\t{now}\n")
        _copy(
            connection,
            "COPY rp_points (id, code, name, district, latitude, longitude, kind, required_patrols, active_from,"
            " created_at, updated_at) FROM STDIN",
            registry,
        )
        cameras = io.StringIO("".join(f"{n}\t{n}\tCAM-{n:05d}\tสจส.\t{span.first}\n" for n in range(1, points + 1)))
        _copy(connection, "COPY rp_cameras (id, point_id, code, owner_agency, active_from) FROM STDIN", cameras)
        counts = {"points": points, "patrol_checks": 0, "camera_checks": 0}
        day = span.first
        while day <= span.last:
            patrols, checks = io.StringIO(), io.StringIO()
            for offset in range(DAYS_PER_COPY):
                current = day + timedelta(days=offset)
                if current > span.last:
                    break
                for n in range(1, points + 1):
                    for round_no, hour in ((1, 9), (2, 21)):
                        if rng.random() < 0.02:  # about 2% of rounds missed
                            continue
                        moment = f"{current} {hour:02d}:{rng.randrange(60):02d}:00+07"
                        patrols.write(f"{n}\t{moment}\t{current}\t{round_no}\tbench\t{moment}\n")
                        counts["patrol_checks"] += 1
                    if rng.random() >= 0.01:
                        moment = f"{current} 10:00:00+07"
                        checks.write(f"{n}\t{n}\t{moment}\t{current}\tworking\tcentre\t{moment}\n")
                        counts["camera_checks"] += 1
            _copy(
                connection,
                "COPY rp_patrol_checks (point_id, checked_at, patrol_day, round_no, source, created_at) FROM STDIN",
                patrols,
            )
            _copy(
                connection,
                "COPY rp_camera_checks (camera_id, point_id, checked_at, check_day, status, method, created_at)"
                " FROM STDIN",
                checks,
            )
            connection.commit()
            day += timedelta(days=DAYS_PER_COPY)
    finally:
        raw.close()
    return counts


def _vacuum(engine) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def _timed(engine, work, repeat: int) -> tuple[float, list[float], object]:
    """The median of repeated runs in ms, every run, and the last result."""
    samples, result = [], None
    for _ in range(repeat):
        with Session(engine) as session:
            started = time.perf_counter()
            result = work(session)
            samples.append(round((time.perf_counter() - started) * 1000, 1))
    return statistics.median(samples), samples, result


def measure_city(engine, fiscal_year: int, repeat: int) -> dict:
    """Fill, build the points' days, vacuum, then time the KPI over quarter 1 and the fiscal year."""
    started = time.perf_counter()
    counts = fill_city(engine, fiscal_year)
    copied = time.perf_counter() - started
    print(f"city: copied {counts} in {copied:.1f} s", flush=True)
    _vacuum(engine)
    started = time.perf_counter()
    with Session(engine) as session, session.begin():
        day_rows = rebuild_point_days(session)
    rebuilt = time.perf_counter() - started
    print(f"city: rebuild_point_days wrote {day_rows:,} rows in {rebuilt:.1f} s", flush=True)
    _vacuum(engine)
    figures = {"counts": counts, "copy_s": round(copied, 1), "rebuild_s": round(rebuilt, 1), "day_rows": day_rows}
    spans = {"quarter": Period.of_quarter(fiscal_year, 1), "year": Period.of_fiscal_year(fiscal_year)}
    for name, span in spans.items():
        rows = repeat if name == "quarter" else max(3, repeat - 2)
        works = {
            "office": lambda s, span=span: rc.compliance(s, span),
            "district": lambda s, span=span: rc.by_district(s, span),
            "point": lambda s, span=span: rc.by_point(s, span),
        }
        for level, work in works.items():
            median, samples, result = _timed(engine, work, rows)
            figures[f"{name}_{level}_ms"] = median
            figures[f"{name}_{level}_runs"] = samples
            if level == "office":
                figures[f"{name}_percent"] = [result.patrol_percent, result.camera_percent]
            print(f"city: {name:<7} {level:<8} median {median:>8.1f} ms  runs {samples}", flush=True)
    quarter = spans["quarter"]

    def raw_aggregates(session) -> tuple:
        bounds = {"a": quarter.first, "b": quarter.last}
        return session.execute(text(OLD_PATROLS), bounds).scalar(), session.execute(text(OLD_CAMERAS), bounds).scalar()

    median, samples, (patrols, cameras) = _timed(engine, raw_aggregates, 3)
    with Session(engine) as session:
        office = rc.compliance(session, quarter)
    assert (patrols, cameras) == (office.patrols_done, office.cameras_done), "the points' days differ from the checks"
    figures["quarter_raw_aggregates_ms"] = median
    print(f"city: quarter raw-check aggregates (before this change) median {median:.1f} ms runs {samples}", flush=True)
    return figures
