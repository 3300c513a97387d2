"""The daily jobs on the real risk-point registry: round warnings, round misses and missing camera checks.

Two clocks run over a day and a half; every round and camera message reaches the patrol unit's group
exactly once, and each miss is recorded once.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import time_machine
from sqlalchemy import select

from models import (
    CameraCheck,
    CameraStatus,
    Chat,
    JobRun,
    PatrolCheck,
    RiskCamera,
    RiskPoint,
    RiskUnit,
    RoundMiss,
    UnitKind,
)
from runtime.db import make_engine, make_session_factory
from scheduler import triggers
from scheduler.jobs.registry import JOBS
from scheduler.policy import Policy
from scheduler.runner import Runner
from tests.test_scheduler_support import RecordingLine, add_group, bkk, delivered_by_run

DAILY = {job: JOBS[job] for job in ("patrol-round-warning", "patrol-round-close", "camera-day-end")}
START, END = bkk(2026, 3, 15, 0, 0), bkk(2026, 3, 16, 12, 0)


def test_two_clocks_warn_record_misses_and_list_cameras_once(services, database_url):
    with services.sessions.begin() as session:
        group = add_group(session, "สายตรวจเขตบางรัก", "patrol", members=6)
        unit = RiskUnit(code="P1", name="สายตรวจเขตบางรัก", kind=UnitKind.PATROL)
        unit.chat_id = session.scalar(select(Chat.id).where(Chat.line_chat_id == group))
        session.add(unit)
        session.flush()
        points = []
        for number, name in enumerate(["ซอยเปลี่ยว", "ป้ายรถเมล์", "ลานจอดรถร้าง"], start=1):
            point = RiskPoint(
                code=f"RP-000{number}",
                name=name,
                district="บางรัก",
                latitude=13.72,
                longitude=100.52,
                kind="alley",
                patrol_unit_id=unit.id,
                active_from=date(2026, 1, 1),
            )
            session.add(point)
            points.append(point)
        session.flush()
        camera = RiskCamera(
            point_id=points[2].id, code="CAM-01", owner_agency="สำนักการจราจร", active_from=date(2026, 1, 1)
        )
        other = RiskCamera(
            point_id=points[0].id, code="CAM-02", owner_agency="สำนักการจราจร", active_from=date(2026, 1, 1)
        )
        session.add_all([camera, other])
        session.flush()
        session.add(
            PatrolCheck(
                point_id=points[0].id, checked_at=bkk(2026, 3, 15, 10), patrol_day=date(2026, 3, 15), round_no=1
            )
        )
        session.add(
            CameraCheck(
                camera_id=other.id,
                point_id=points[0].id,
                checked_at=bkk(2026, 3, 15, 10),
                check_day=date(2026, 3, 15),
                status=CameraStatus.WORKING,
                method="on_site",
            )
        )
    line = RecordingLine()
    second = make_engine(database_url)
    clocks = [
        Runner(services.sessions, line, owner="clock-a", jobs=DAILY),
        Runner(make_session_factory(second), line, owner="clock-b", jobs=DAILY),
    ]
    policy = Policy.load(None)
    moments = sorted({o.due_at for job in DAILY for o in triggers.occurrences(job, policy, START, END)})
    try:
        with time_machine.travel(START, tick=False) as traveller, ThreadPoolExecutor(2) as pool:
            for moment in moments:
                traveller.move_to(moment + timedelta(seconds=3))
                for future in [pool.submit(clock.run_due) for clock in clocks]:
                    assert all(o.status != "failed" for o in future.result())
    finally:
        second.dispose()

    delivered = delivered_by_run(services, line)
    assert set(delivered.values()) == {1}
    texts = line.texts_to(group)
    warning_day = next(body for body in texts if "จะปิดรอบกลางวัน" in body)
    assert "RP-0002 ป้ายรถเมล์" in warning_day and "RP-0003" in warning_day and "RP-0001" not in warning_day
    cameras = next(body for body in texts if "กล้อง CCTV ที่ยังไม่ได้ตรวจวันนี้" in body)
    assert "CAM-01 ที่ RP-0003" in cameras and "CAM-02" not in cameras
    with services.sessions() as session:
        misses = Counter(
            (code, day, round_no)
            for code, day, round_no in session.execute(
                select(RiskPoint.code, RoundMiss.patrol_day, RoundMiss.round_no).join(RoundMiss.point)
            )
        )
        owners = set(session.scalars(select(JobRun.owner)))
    assert misses[("RP-0002", date(2026, 3, 15), 1)] == 1 and ("RP-0001", date(2026, 3, 15), 1) not in misses
    assert set(misses.values()) == {1}
    ended = [body for body in texts if body.startswith("สิ้นสุดรอบกลางวัน") and "วันที่ 15 มี.ค. 2569" in body]
    assert len(ended) == 1  # the end-of-round message of 15 March, round 1, once (earlier days: catch-up)
    assert owners <= {"clock-a", "clock-b"}
