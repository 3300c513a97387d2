"""Every KPI part counts done and required over the same days: a point's start moves its cameras, done <= required."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from models import CameraCheck, CameraStatus, PatrolCheck, RiskCamera, RiskPoint
from models.periods import Period
from models.timeutil import BANGKOK
from reports import riskpoint_compliance as rc
from services.riskpoints import registry
from services.riskpoints.importing import import_points
from services.riskpoints.registry import save_point
from tests.test_admin_support import audit_entries, csrf_token, login, make_staff

IMPORT_DAY = date(2026, 12, 4)
NOVEMBER = Period.of_month(2569, 11)
HEADER = "รหัส,ชื่อจุด,เขต,แขวง,ละติจูด,ลองจิจูด,ประเภท,รัศมี (ม.),หน่วยสายตรวจ,ตรวจต่อวัน,ต้องมีรูป,กล้อง\n"


def at(day: date, hour: int = 10) -> datetime:
    """A Bangkok moment of a day."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=BANGKOK)


def camera_check(camera: RiskCamera, day: date, hour: int = 10) -> CameraCheck:
    """One working check of a camera, as the LINE flow stores it."""
    return CameraCheck(
        camera_id=camera.id,
        point_id=camera.point_id,
        checked_at=at(day, hour),
        check_day=day,
        status=CameraStatus.WORKING,
        method="on_site",
    )


@pytest.fixture
def imported(services, monkeypatch):
    """20 points imported on 4 December 2026, 8 of them with one camera each."""
    monkeypatch.setattr(registry, "today", lambda: IMPORT_DAY)
    rows = []
    for n in range(1, 21):
        camera = f"CAM-{n:04d}: สำนักการจราจรและขนส่ง" if n <= 8 else ""
        rows.append(f"RP-{n:04d},จุดที่ {n},บางรัก,,{13.70 + n / 1000:.3f},100.52,alley,,,2,,{camera}")
    with services.sessions.begin() as session:
        result = import_points(session, (HEADER + "\n".join(rows) + "\n").encode("utf-8-sig"), "points.csv")
        assert result.ok, result.errors
        assert {c.active_from for c in session.scalars(select(RiskCamera))} == {IMPORT_DAY}
    make_staff(services, "admin")


def november_camera_checks(services, skipped: int = 12) -> None:
    """A check of every camera on every November day but `skipped` camera-days, some twice a day."""
    with services.sessions.begin() as session:
        cameras = list(session.scalars(select(RiskCamera).order_by(RiskCamera.code)))
        missing = {(cameras[i % len(cameras)].id, NOVEMBER.first + timedelta(days=i)) for i in range(skipped)}
        for camera in cameras:
            for offset in range(30):
                day = NOVEMBER.first + timedelta(days=offset)
                if (camera.id, day) in missing:
                    continue
                session.add(camera_check(camera, day))
                if offset % 7 == 0:
                    session.add(camera_check(camera, day, 16))  # a second check the same day counts once


def test_the_issue_point_start_moved_in_the_form_moves_its_cameras(client, services, imported):
    login(client, "admin")
    token = csrf_token(client, "/admin/riskpoints/RP-0001/edit")
    page = client.get("/admin/riskpoints/RP-0001/edit").get_data(as_text=True)
    assert "4 ธ.ค. 2569" in page and "CAM-0001" in page  # the camera's start, Buddhist Era, in the form
    with services.sessions() as session:
        points = list(session.scalars(select(RiskPoint).order_by(RiskPoint.code)))
        forms = []
        for point in points:
            form = {"csrf_token": token, "name": point.name, "district": point.district, "kind": point.kind}
            form |= {"latitude": str(point.latitude), "longitude": str(point.longitude), "required_patrols": "2"}
            form |= {"cameras": "; ".join(f"{c.code}: {c.owner_agency}" for c in point.cameras)}
            form |= {f"camera_start_{c.id}": c.active_from.isoformat() for c in point.cameras}  # left as shown
            forms.append((point.code, form | {"active_from": "2026-11-01"}))
    for code, form in forms:
        response = client.post(f"/admin/riskpoints/{code}/edit", data=form)
        assert response.status_code == 302, response.get_data(as_text=True)
    with services.sessions() as session:
        assert {c.active_from for c in session.scalars(select(RiskCamera))} == {date(2026, 11, 1)}
    november_camera_checks(services)
    with services.sessions() as session:
        office = rc.compliance(session, NOVEMBER)
        points = rc.by_point(session, NOVEMBER)
    assert (office.cameras_done, office.cameras_required, office.camera_percent) == (228, 240, 95.0)
    assert office.overall_percent == round((office.patrol_percent + 95.0) / 2, 2)  # the cameras are in the KPI
    assert all(p.cameras_done <= p.cameras_required for p in points.values())


def test_a_camera_start_set_on_its_own_stays_and_is_audited(client, services, imported):
    login(client, "admin")
    token = csrf_token(client, "/admin/riskpoints/RP-0001/edit")
    with services.sessions() as session:
        point = session.scalar(select(RiskPoint).where(RiskPoint.code == "RP-0001"))
        camera_id = point.cameras[0].id
        form = {"csrf_token": token, "name": point.name, "district": point.district, "kind": point.kind}
        form |= {"latitude": str(point.latitude), "longitude": str(point.longitude), "cameras": "CAM-0001: สำนักงานเขต"}
    own = {**form, "active_from": "2026-12-04", f"camera_start_{camera_id}": "2026-11-16"}
    assert client.post("/admin/riskpoints/RP-0001/edit", data=own).status_code == 302
    moved = {**form, "active_from": "2026-11-01", f"camera_start_{camera_id}": "2026-11-16"}
    assert client.post("/admin/riskpoints/RP-0001/edit", data=moved).status_code == 302
    with services.sessions() as session:
        camera = session.get(RiskCamera, camera_id)
        assert (camera.active_from, camera.point.active_from) == (date(2026, 11, 16), date(2026, 11, 1))
    entry = audit_entries(services, "riskpoint.update")[0]
    assert entry.detail["camera_starts"] == {"CAM-0001": "2026-11-16"}
    page = client.get("/admin/riskpoints/RP-0001").get_data(as_text=True)
    assert "16 พ.ย. 2569" in page  # the camera's own start on the point's page
    bad = {**form, "active_from": "2026-11-01", f"camera_start_{camera_id}": "16/11/2569x"}
    assert "วันเริ่มตรวจของกล้อง CAM-0001" in client.post("/admin/riskpoints/RP-0001/edit", data=bad).get_data(as_text=True)


def test_save_point_moves_only_the_cameras_that_followed_the_point(services, monkeypatch):
    monkeypatch.setattr(registry, "today", lambda: IMPORT_DAY)
    base = {"code": "RP-0100", "name": "ซอย", "district": "บางรัก", "latitude": 13.73, "longitude": 100.52}
    base |= {"kind": "alley", "cameras": "CAM-A: สำนักงานเขต; CAM-B: สำนักงานเขต"}
    with services.sessions.begin() as session:
        point = save_point(session, base)
        point.cameras[1].active_from = date(2026, 12, 10)  # set on its own
        save_point(session, {**base, "active_from": date(2026, 11, 1)}, point=point)
        assert [c.active_from for c in point.cameras] == [date(2026, 11, 1), date(2026, 12, 10)]


def test_a_second_import_with_the_start_column_moves_the_cameras(services, imported):
    rows = "RP-0001,จุดที่ 1,บางรัก,,13.701,100.52,alley,,,2,,CAM-0001: สำนักการจราจรและขนส่ง,1/11/2569\n"
    data = (HEADER.replace("กล้อง\n", "กล้อง,เริ่มตรวจตั้งแต่วันที่\n") + rows).encode("utf-8-sig")
    with services.sessions.begin() as session:
        assert import_points(session, data, "points.csv").updated == ["RP-0001"]
        camera = session.scalar(select(RiskCamera).where(RiskCamera.code == "CAM-0001"))
        assert (camera.point.active_from, camera.active_from) == (date(2026, 11, 1), date(2026, 11, 1))
    bad = (HEADER.replace("กล้อง\n", "กล้อง,เริ่มตรวจ\n") + rows.replace("1/11/2569", "31/2/2569")).encode()
    with services.sessions.begin() as session:
        assert [e.column for e in import_points(session, bad, "points.csv").errors] == ["เริ่มตรวจตั้งแต่วันที่"]


def test_checks_outside_a_camera_or_point_service_are_not_done(services):
    with services.sessions.begin() as session:
        point = save_point(
            session,
            {"code": "RP-0200", "name": "ซอย", "district": "บางรัก", "latitude": 13.73, "longitude": 100.52}
            | {"kind": "alley", "cameras": "CAM-C: สำนักงานเขต", "active_from": date(2026, 11, 10)},
        )
        point.retired_on = date(2026, 11, 21)
        camera = point.cameras[0]
        for offset in range(30):
            day = NOVEMBER.first + timedelta(days=offset)
            session.add(camera_check(camera, day))
            session.add(PatrolCheck(point_id=point.id, checked_at=at(day), patrol_day=day, round_no=1))
            session.add(PatrolCheck(point_id=point.id, checked_at=at(day, 21), patrol_day=day, round_no=2))
    with services.sessions() as session:
        office = rc.compliance(session, NOVEMBER)
    assert (office.cameras_done, office.cameras_required) == (11, 11)  # 10–20 November
    assert (office.patrols_done, office.patrols_required) == (22, 22)


def oracle(points: list[dict], cameras: list[dict], patrols: dict, checks: set, span: Period) -> dict:
    """The expected done and required of each point, counted day by day."""
    expected = {}
    for point in points:
        in_span = [span.first + timedelta(days=n) for n in range(span.days)]
        days = [d for d in in_span if point["start"] <= d and (point["retired"] is None or d < point["retired"])]
        patrol_done = sum(min(len(patrols.get((point["code"], d), ())), point["required"]) for d in days)
        camera_required = camera_done = 0
        for camera in (c for c in cameras if c["point"] == point["code"]):
            for day in days:
                if day >= camera["start"] and (camera["retired"] is None or day < camera["retired"]):
                    camera_required += 1
                    camera_done += (camera["code"], day) in checks
        expected[point["code"]] = (patrol_done, len(days) * point["required"], camera_done, camera_required)
    return expected


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_done_never_exceeds_required_at_any_level(services, seed):
    rng = random.Random(seed)
    first, last = date(2026, 10, 15), date(2026, 12, 15)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def some_day() -> date:
        return rng.choice(days)

    def maybe_retired(after: date) -> date | None:
        return None if rng.random() < 0.5 else after + timedelta(days=rng.randint(1, 40))

    points, cameras, patrols, checks = [], [], {}, set()
    with services.sessions.begin() as session:
        for n in range(8):
            start = some_day()
            point = RiskPoint(
                code=f"RP-{n:04d}",
                name=f"จุด {n}",
                district=rng.choice(["บางรัก", "ปทุมวัน"]),
                latitude=13.73,
                longitude=100.52,
                kind="alley",
                required_patrols=rng.randint(1, 3),
                active_from=start,
                retired_on=maybe_retired(start),
            )
            session.add(point)
            session.flush()
            points.append({"code": point.code, "start": start, "retired": point.retired_on})
            points[-1]["required"] = point.required_patrols
            for m in range(rng.randint(0, 3)):
                camera_start = some_day()
                camera = RiskCamera(
                    point_id=point.id,
                    code=f"CAM-{n}-{m}",
                    owner_agency="สำนักงานเขต",
                    active_from=camera_start,
                    retired_on=maybe_retired(camera_start),
                )
                session.add(camera)
                session.flush()
                cameras.append({"code": camera.code, "point": point.code, "start": camera_start})
                cameras[-1]["retired"] = camera.retired_on
                for day in rng.sample(days, 40):
                    checks.add((camera.code, day))
                    session.add(camera_check(camera, day))
            for day in rng.sample(days, 45):
                for round_no in rng.sample(range(0, 5), rng.randint(1, 4)):
                    session.add(PatrolCheck(point_id=point.id, checked_at=at(day), patrol_day=day, round_no=round_no))
                    if round_no:
                        patrols.setdefault((point.code, day), set()).add(round_no)
    spans = [NOVEMBER, Period.of_month(2569, 10), Period.of_month(2569, 12), Period.of_quarter(2570, 1)]
    with services.sessions() as session:
        for span in spans:
            ids = {p.code: p.id for p in session.scalars(select(RiskPoint))}
            expected = oracle(points, cameras, patrols, checks, span)
            per_point = rc.by_point(session, span)
            for code, figures in expected.items():
                got = per_point[ids[code]]
                assert (got.patrols_done, got.patrols_required, got.cameras_done, got.cameras_required) == figures
            levels = [*per_point.values(), *rc.by_district(session, span).values(), rc.compliance(session, span)]
            for level in levels:
                assert level.patrols_done <= level.patrols_required
                assert level.cameras_done <= level.cameras_required
                assert level.defects_fixed <= level.defects_opened
                assert level.reports_on_time + level.reports_late <= level.reports_expected
            office = rc.compliance(session, span)
            assert office.cameras_done == sum(e[2] for e in expected.values())
            assert office.cameras_required == sum(e[3] for e in expected.values())


def test_the_invariant_refuses_a_part_done_beyond_required():
    broken = {"office": rc.Compliance(cameras_done=5, cameras_required=0)}
    with pytest.raises(rc.ComplianceInvariantError, match="cameras"):
        rc.check_within_required(broken)
