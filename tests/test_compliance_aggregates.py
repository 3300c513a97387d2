"""The KPI read from each point's days (rp_point_days) equals, exactly, the count from the raw checks.

Random points, cameras and checks go through the real services where they exist (save_point, record_check,
record_camera_check, retire_point, reinstate_point) and through plain ORM writes where the tests and tools
write that way; then checks are deleted and changed, cameras get other dates and another point. After each
stage the compliance of the office, every district and every point over days, months, quarters, fiscal years
and spans cut by as_of is compared with a reference computed in Python from the raw rows.
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CameraCheck, CameraStatus, Defect, PatrolCheck, PointDay, RiskCamera, RiskPoint
from models.periods import Period
from models.point_days import rebuild_point_days
from models.settings import set_setting
from models.timeutil import BANGKOK
from reports import riskpoint_compliance as rc
from services.riskpoints.cameras import record_camera_check
from services.riskpoints.patrols import record_check
from services.riskpoints.registry import reinstate_point, retire_point, save_point

START, END = date(2026, 9, 20), date(2026, 11, 10)  # across fiscal years 2569 and 2570
DAYS = [START + timedelta(days=n) for n in range((END - START).days + 1)]
DISTRICTS = ("บางรัก", "ปทุมวัน", "สาทร")
# Three rounds with gaps between them: a check at 13:00 or 02:00 is in no round (round_no 0).
WINDOWS = [{"start": "06:00", "end": "12:00"}, {"start": "14:00", "end": "20:00"}, {"start": "20:00", "end": "23:00"}]
HOURS = (2, 7, 9, 11, 13, 15, 19, 21, 22)


def at(day: date, hour: int) -> datetime:
    """A Bangkok moment."""
    return datetime(day.year, day.month, day.day, hour, 15, tzinfo=BANGKOK)


def nothing(_recipient, _messages) -> None:
    """Discard notifications."""


def spans() -> list[tuple[Period, date | None]]:
    """Days, months, quarters, fiscal years and spans cut short by as_of."""
    return [
        (Period.of_day(date(2026, 9, 30)), None),
        (Period.of_day(date(2026, 10, 1)), None),
        (Period.of_day(date(2026, 11, 10)), None),
        (Period.of_month(2569, 10), None),
        (Period.of_month(2569, 9), None),
        (Period.of_month(2569, 11), date(2026, 11, 5)),
        (Period.of_quarter(2570, 1), None),
        (Period.of_quarter(2570, 1), date(2026, 10, 20)),
        (Period.of_quarter(2569, 4), None),
        (Period.of_fiscal_year(2569), None),
        (Period.of_fiscal_year(2570), date(2026, 11, 1)),
        (Period.of_fiscal_year(2570), date(2026, 9, 1)),  # nothing of it has passed
        (Period.between(START, END), None),
    ]


def _in_service(day: date, start: date, stop: date | None) -> bool:
    return start <= day and (stop is None or day < stop)


def reference(session, span: Period, level: str, as_of: date | None, district: str | None = None) -> dict:
    """(patrols done, cameras done) per key, from the raw checks in plain Python."""
    found: dict = defaultdict(lambda: [0, 0])
    elapsed = span.clipped(as_of)
    if elapsed is None:
        return {}
    points = {p.id: p for p in session.scalars(select(RiskPoint))}
    cameras = {c.id: c for c in session.scalars(select(RiskCamera))}

    def key(point: RiskPoint):
        return point.id if level == "point" else point.district if level == "district" else rc.OFFICE

    rounds = defaultdict(set)
    for point_id, day, round_no in session.execute(
        select(PatrolCheck.point_id, PatrolCheck.patrol_day, PatrolCheck.round_no)
    ):
        if round_no > 0 and elapsed.first <= day <= elapsed.last:
            rounds[(point_id, day)].add(round_no)
    for (point_id, day), visited in rounds.items():
        point = points[point_id]
        if (district is None or point.district == district) and _in_service(day, point.active_from, point.retired_on):
            found[key(point)][0] += min(len(visited), point.required_patrols)
    camera_days = set(session.execute(select(CameraCheck.camera_id, CameraCheck.check_day)).tuples())
    for camera_id, day in camera_days:
        camera = cameras[camera_id]
        point = points[camera.point_id]
        if not elapsed.first <= day <= elapsed.last or (district is not None and point.district != district):
            continue
        if _in_service(day, point.active_from, point.retired_on) and _in_service(
            day, camera.active_from, camera.retired_on
        ):
            found[key(point)][1] += 1
    return {k: tuple(v) for k, v in found.items()}


def assert_exact(services) -> int:
    """Every level over every span equals the reference; the kept rows equal a rebuild. Return figures compared."""
    compared = 0
    with services.sessions() as session:
        for span, as_of in spans():
            results = {
                "office": {rc.OFFICE: rc.compliance(session, span, as_of=as_of)},
                "district": rc.by_district(session, span, as_of=as_of),
                "point": rc.by_point(session, span, as_of=as_of),
            }
            for level, result in results.items():
                expected = reference(session, span, level, as_of)
                got = {
                    k: (c.patrols_done, c.cameras_done) for k, c in result.items() if c.patrols_done or c.cameras_done
                }
                assert got == {k: v for k, v in expected.items() if any(v)}, (level, span, as_of)
                compared += len(result)
            one = DISTRICTS[compared % len(DISTRICTS)]
            entry = rc.compliance(session, span, district=one, as_of=as_of)
            expected = reference(session, span, "district", as_of, district=one).get(one, (0, 0))
            assert (entry.patrols_done, entry.cameras_done) == expected, (one, span, as_of)
        kept = set(session.execute(select(PointDay.day, PointDay.point_id, PointDay.rounds, PointDay.cameras)).tuples())
        rebuild_point_days(session)
        rebuilt = set(session.execute(select(PointDay.day, PointDay.point_id, PointDay.rounds, PointDay.cameras)))
        session.rollback()
    assert kept == {tuple(r) for r in rebuilt}
    assert kept, "the generated checks left no point-days"
    return compared


def build(services, rng: random.Random) -> None:
    """Points (some with two cameras), extra cameras with their own dates, and random checks."""
    with services.sessions.begin() as session:
        set_setting(session, "riskpoints.rounds", WINDOWS, "test")
        for n in range(1, 10):
            cameras = [f"CAM-{n:04d}: สำนักการจราจรและขนส่ง"] + ([f"CAM-{n:04d}B: สำนักงานเขต"] if n % 3 == 0 else [])
            save_point(
                session,
                {
                    "code": f"RP-{n:04d}",
                    "name": f"จุดที่ {n}",
                    "district": DISTRICTS[n % len(DISTRICTS)],
                    "latitude": 13.70 + n / 1000,
                    "longitude": 100.50,
                    "kind": "alley",
                    "required_patrols": rng.choice((1, 2, 3)),
                    "active_from": START + timedelta(days=rng.randrange(-3, 15)),
                    "cameras": "\n".join(cameras) if n != 9 else "",
                },
            )
        for point in session.scalars(select(RiskPoint).order_by(RiskPoint.id)).all()[:4]:
            start = START + timedelta(days=rng.randrange(0, 30))
            retired = start + timedelta(days=rng.randrange(5, 25)) if point.id % 2 else None
            session.add(
                RiskCamera(
                    point_id=point.id,
                    code=f"CAM-X{point.id}",
                    owner_agency="สน.",
                    active_from=start,
                    retired_on=retired,
                )
            )
    for week in range(0, len(DAYS), 7):  # a transaction a week, as a week of events would be many
        with services.sessions.begin() as session:
            points = session.scalars(select(RiskPoint).order_by(RiskPoint.id)).all()
            for day in DAYS[week : week + 7]:
                for point in points:
                    for _ in range(rng.choice((0, 1, 2, 2, 3, 4))):
                        moment = at(day, rng.choice(HOURS))
                        if rng.random() < 0.6:
                            record_check(session, point, member=None, at=moment, lat=None, lng=None, message_id=None)
                        else:  # as the tests and the tools write: any round, 0 and duplicates included
                            session.add(
                                PatrolCheck(
                                    point_id=point.id, checked_at=moment, patrol_day=day, round_no=rng.randrange(4)
                                )
                            )
                    for camera in point.cameras:
                        for _ in range(rng.choice((0, 1, 1, 1, 2))):
                            status = CameraStatus.BROKEN if rng.random() < 0.03 else CameraStatus.WORKING
                            moment = at(day, rng.choice((9, 16)))
                            if rng.random() < 0.7:
                                record_camera_check(
                                    session, camera, status, moment, nothing, method="centre", staff="c"
                                )
                            else:
                                session.add(
                                    CameraCheck(
                                        camera_id=camera.id,
                                        point_id=camera.point_id,
                                        checked_at=moment,
                                        check_day=day,
                                        status=status,
                                        method="on_site",
                                    )
                                )


def mutate(services, rng: random.Random) -> None:
    """Delete and change checks, give cameras other dates and another point, retire and reinstate points."""
    with services.sessions.begin() as session:
        referenced = set()
        for column in (Defect.camera_check_id, Defect.closed_by_check_id):
            referenced |= set(session.scalars(select(column).where(column.is_not(None))))
        for check in session.scalars(select(PatrolCheck)).all():
            if rng.random() < 0.08:
                session.delete(check)
            elif rng.random() < 0.03:
                check.round_no = rng.randrange(4)  # corrected round
            elif rng.random() < 0.02:
                check.patrol_day = check.patrol_day + timedelta(days=1)
        for check in session.scalars(select(CameraCheck)).all():
            if check.id not in referenced and rng.random() < 0.08:
                session.delete(check)
    with services.sessions.begin() as session:
        cameras = session.scalars(select(RiskCamera).order_by(RiskCamera.id)).all()
        points = session.scalars(select(RiskPoint).order_by(RiskPoint.id)).all()
        cameras[0].active_from = cameras[0].active_from + timedelta(days=9)  # a later start, after checks
        cameras[1].retired_on = date(2026, 10, 14)  # retired mid-span
        cameras[2].active_from = cameras[2].active_from - timedelta(days=6)  # an earlier start
        lifted = next((c for c in cameras if c.retired_on is not None and c is not cameras[1]), None)
        if lifted is not None:
            lifted.retired_on = None  # back in service
        cameras[3].point_id = points[-1].id  # moved to the point without cameras
        points[4].required_patrols = 1  # read at query time
        points[5].active_from = points[5].active_from + timedelta(days=4)
    with services.sessions.begin() as session:
        points = session.scalars(select(RiskPoint).order_by(RiskPoint.id)).all()
        retire_point(session, points[6], date(2026, 10, 25))  # retires its cameras too
        retire_point(session, points[7], date(2026, 10, 5))
    with services.sessions.begin() as session:
        reinstate_point(session, session.scalars(select(RiskPoint).order_by(RiskPoint.id)).all()[7])


@pytest.mark.parametrize("seed", [3, 11])
def test_the_daily_figures_equal_the_raw_checks_at_every_level_and_span(services, seed):
    rng = random.Random(seed)
    build(services, rng)
    assert assert_exact(services) > 100
    mutate(services, rng)
    assert assert_exact(services) > 100


def one_point(session, **fields):
    """Point RP-0001 in บางรัก, in service from START (and the rounds' settings), saved as the registry does."""
    set_setting(session, "riskpoints.rounds", WINDOWS, "test")
    values = {"code": "RP-0001", "name": "จุด", "district": "บางรัก", "latitude": 13.7, "longitude": 100.5}
    return save_point(session, {**values, "kind": "alley", "active_from": START, **fields})


def test_a_new_check_and_its_removal_change_the_day_at_once(services):
    with services.sessions.begin() as session:
        point = one_point(session, cameras="CAM-0001: สจส.")
        day = date(2026, 10, 2)
        first, _ = record_check(session, point, member=None, at=at(day, 7), lat=None, lng=None, message_id=None)
        record_check(session, point, member=None, at=at(day, 9), lat=None, lng=None, message_id=None)  # same round
        assert session.get(PointDay, (day, point.id)).rounds == 1
        record_check(session, point, member=None, at=at(day, 13), lat=None, lng=None, message_id=None)  # round 0
        assert session.get(PointDay, (day, point.id)).rounds == 1
        record_check(session, point, member=None, at=at(day, 15), lat=None, lng=None, message_id=None)
        session.expire_all()
        assert session.get(PointDay, (day, point.id)).rounds == 2
        check, *_ = record_camera_check(
            session, point.cameras[0], CameraStatus.WORKING, at(day, 9), nothing, method="x"
        )
        session.expire_all()
        assert session.get(PointDay, (day, point.id)).cameras == 1
        session.delete(check)
        session.flush()
        session.expire_all()
        assert session.get(PointDay, (day, point.id)).cameras == 0
        point.cameras[0].active_from = day + timedelta(days=1)  # a camera-day out of service is not counted
        record_camera_check(session, point.cameras[0], CameraStatus.WORKING, at(day, 10), nothing, method="x")
        session.expire_all()
        assert session.get(PointDay, (day, point.id)).cameras == 0
        point.cameras[0].active_from = day  # and is, once the camera's start moves back
        session.flush()
        session.expire_all()
        assert session.get(PointDay, (day, point.id)).cameras == 1


def test_two_check_ins_at_one_point_at_once_both_count(services):
    """Two transactions checking in at the same point-day: the second waits for the first, then counts both."""
    with services.sessions.begin() as session:
        point_id = one_point(session).id
    day, errors = date(2026, 10, 2), []

    def second() -> None:
        try:
            with services.sessions.begin() as other:
                point = other.get(RiskPoint, point_id)
                record_check(other, point, member=None, at=at(day, 15), lat=None, lng=None, message_id=None)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    with services.sessions.begin() as session:
        point = session.get(RiskPoint, point_id)
        record_check(session, point, member=None, at=at(day, 7), lat=None, lng=None, message_id=None)
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.5)  # the second transaction is now waiting (or about to write)
    thread.join(30)
    assert not errors, errors
    with services.sessions() as session:
        assert session.get(PointDay, (day, point_id)).rounds == 2


def test_the_cli_rebuilds_the_days_from_the_raw_checks(app, services):
    build(services, random.Random(5))
    with services.sessions() as session:
        kept = set(session.execute(select(PointDay.day, PointDay.point_id, PointDay.rounds, PointDay.cameras)))
    with services.sessions.begin() as session:
        session.execute(PointDay.__table__.delete())  # as after a bulk load past the application
    result = app.test_cli_runner().invoke(args=["riskpoints", "rebuild-days"])
    assert result.exit_code == 0, result.output
    assert f"{len(kept):,} แถว" in result.output
    with services.sessions() as session:
        assert set(session.execute(select(PointDay.day, PointDay.point_id, PointDay.rounds, PointDay.cameras))) == kept
    assert app.test_cli_runner().invoke(args=["riskpoints", "rebuild-days", "--quarter", "2570-1"]).exit_code == 0
    assert_exact(services)


def test_the_migration_backfills_the_days_as_a_rebuild_would(tmp_path):
    from sqlalchemy import create_engine, insert

    from bot.migrate import upgrade

    url, rng, now = f"sqlite:///{tmp_path / 'old.db'}", random.Random(2), datetime(2026, 12, 1, tzinfo=BANGKOK)
    upgrade(url, "0015_downloads")
    engine = create_engine(url)
    with engine.begin() as connection:  # checks written before the table existed, past the ORM
        connection.execute(
            insert(RiskPoint.__table__),
            [
                {"id": n, "code": f"RP-{n:04d}", "name": "จุด", "district": "บางรัก", "latitude": 13.7}
                | {"longitude": 100.5, "kind": "alley", "required_patrols": 2, "active_from": START}
                | {"created_at": now, "updated_at": now}
                for n in range(1, 6)
            ],
        )
        connection.execute(
            insert(RiskCamera.__table__),
            [
                {"id": n, "point_id": n % 5 + 1, "code": f"CAM-{n:04d}", "owner_agency": "สจส.", "active_from": DAYS[5]}
                | {"retired_on": DAYS[20] if n % 2 else None}
                for n in range(1, 9)
            ],
        )
        connection.execute(
            insert(PatrolCheck.__table__),
            [
                {"point_id": rng.randint(1, 5), "checked_at": now, "patrol_day": rng.choice(DAYS)}
                | {"round_no": rng.randrange(4), "source": "line", "created_at": now}
                for _ in range(400)
            ],
        )
        connection.execute(
            insert(CameraCheck.__table__),
            [
                {"camera_id": rng.randint(1, 8), "point_id": 1, "checked_at": now, "check_day": rng.choice(DAYS)}
                | {"status": "working", "method": "centre", "created_at": now}
                for _ in range(300)
            ],
        )
    engine.dispose()
    upgrade(url)
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            columns = (PointDay.day, PointDay.point_id, PointDay.rounds, PointDay.cameras)
            backfilled = set(session.execute(select(*columns)).tuples())
            rebuild_point_days(session)
            assert backfilled == set(session.execute(select(*columns)).tuples())
            assert len(backfilled) > 100
    finally:
        engine.dispose()
