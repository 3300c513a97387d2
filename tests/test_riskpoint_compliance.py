"""A simulated month for 20 points with scripted gaps gives exactly the expected compliance figures."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from handlers.month_reports import submit
from models import CameraCheck, CameraStatus, OrderStatus, PatrolCheck, RiskCamera, RiskPoint, UnitKind
from models.periods import Period
from models.timeutil import BANGKOK
from reports import riskpoint_compliance as rc
from reports import riskpoint_rounds as rounds
from reports.riskpoint_month import compile_month, units_pending
from services.riskpoints.cameras import cameras_unchecked, record_camera_check
from services.riskpoints.crime_stats import save_crime_stat
from services.riskpoints.defects import close_defect, move_order, open_defect, verify_order
from services.riskpoints.registry import retire_point, save_point
from services.riskpoints.units import create_unit, ensure_default_units, find_unit

NOV = [date(2026, 11, d) for d in range(1, 31)]
WINDOWS = [{"name": "กลางวัน", "start": "06:00", "end": "18:00"}, {"name": "กลางคืน", "start": "18:00", "end": "06:00"}]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Bangkok moment."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BANGKOK)


def nothing(_recipient, _messages) -> None:
    """Discard notifications (no group is bound in this simulation)."""


def test_round_windows_and_the_gap_rule():
    assert rounds.locate(at(date(2026, 11, 16), 6), WINDOWS) == (date(2026, 11, 16), 1)
    assert rounds.locate(at(date(2026, 11, 16), 17, 59), WINDOWS) == (date(2026, 11, 16), 1)
    assert rounds.locate(at(date(2026, 11, 16), 18), WINDOWS) == (date(2026, 11, 16), 2)
    assert rounds.locate(at(date(2026, 11, 17), 5, 59), WINDOWS) == (date(2026, 11, 16), 2)
    gappy = [{"start": "08:00", "end": "12:00"}]
    assert rounds.locate(at(date(2026, 11, 16), 13), gappy) == (date(2026, 11, 16), 0)
    first = at(date(2026, 11, 16), 8)
    assert rounds.gap_round(first, [], 6) == (date(2026, 11, 16), 1)
    assert rounds.gap_round(first + timedelta(hours=5), [(first, 1)], 6) == (date(2026, 11, 16), 1)
    assert rounds.gap_round(first + timedelta(hours=6), [(first, 1)], 6) == (date(2026, 11, 16), 2)


@pytest.fixture
def month(services):
    """November 2026 for 20 points, with the gaps listed in each comment."""
    with services.sessions.begin() as session:
        units = {
            "patrol-1": create_unit(session, code="patrol-1", name="สายตรวจ 1", kind=UnitKind.PATROL, district="บางรัก"),
            "patrol-2": create_unit(session, code="patrol-2", name="สายตรวจ 2", kind=UnitKind.PATROL, district="ปทุมวัน"),
        }
        ensure_default_units(session)  # cleaning, public_works, municipal (departments), secretariat
        points = {}
        for n in range(1, 21):
            code = f"RP-{n:04d}"
            values = {
                "code": code,
                "name": f"จุดที่ {n}",
                "district": "บางรัก" if n <= 10 else "ปทุมวัน",
                "latitude": 13.70 + n / 1000,
                "longitude": 100.50,
                "kind": "alley",
                "patrol_unit": "patrol-1" if n <= 10 else "patrol-2",
                "required_patrols": 1 if n == 18 else 2,
                "active_from": date(2026, 10, 1),
            }
            if n <= 6:
                values["cameras"] = f"CAM-{n:04d}: สำนักการจราจรและขนส่ง"
            points[code] = save_point(session, values)
        retire_point(session, points["RP-0020"], date(2026, 11, 21))  # in service 20 days of November
        late_camera = RiskCamera(
            point_id=points["RP-0006"].id, code="CAM-0006B", owner_agency="สำนักงานเขต", active_from=date(2026, 11, 16)
        )
        session.add(late_camera)
        session.flush()

        def patrol(code: str, moment: datetime) -> None:
            """A check as patrols.record_check stores it (its round from the same pure function), without a flush."""
            day, number = rounds.locate(moment, WINDOWS)
            session.add(PatrolCheck(point_id=points[code].id, checked_at=moment, patrol_day=day, round_no=number))

        for code, point in points.items():
            for day in NOV:
                if point.retired_on and day >= point.retired_on:
                    continue
                if code == "RP-0003" and day == date(2026, 11, 10):
                    continue  # gap: a whole day (2 rounds)
                patrol(code, at(day, 9))
                if code == "RP-0004" and day == date(2026, 11, 12):
                    patrol(code, at(day, 15))  # gap: two visits in the day round, none at night (1 round)
                    continue
                if code == "RP-0002" and day <= date(2026, 11, 5):
                    continue  # gap: no night round on 1-5 November (5 rounds)
                if code == "RP-0005" and day in (date(2026, 11, 14), date(2026, 11, 30)):
                    patrol(code, at(day + timedelta(days=1), 2))  # the night round after midnight still counts
                    continue
                patrol(code, at(day, 21))

        cameras = {c.code: c for c in session.query(RiskCamera)}
        for day in NOV:
            for code, camera in cameras.items():
                if day < camera.active_from:
                    continue
                if code == "CAM-0001" and day in (date(2026, 11, 3), date(2026, 11, 4)):
                    continue  # gap: 2 camera-days
                if code == "CAM-0006B" and day == date(2026, 11, 30):
                    continue  # gap: 1 camera-day
                status = CameraStatus.WORKING
                if code == "CAM-0003" and day in (date(2026, 11, 8), date(2026, 11, 9)):
                    status = CameraStatus.BROKEN  # opens one defect (2 days to the working check on the 10th)
                moments = (
                    [at(day, 10), at(day, 16)] if code == "CAM-0002" and day == date(2026, 11, 7) else [at(day, 10)]
                )
                for moment in moments:
                    if code == "CAM-0003":  # through the domain: broken opens a defect, working closes it
                        record_camera_check(session, camera, status, moment, nothing, method="centre", staff="ศูนย์")
                        continue
                    session.add(
                        CameraCheck(
                            camera_id=camera.id,
                            point_id=camera.point_id,
                            checked_at=moment,
                            check_day=day,
                            status=status,
                            method="centre",
                        )
                    )

        trees = open_defect(session, points["RP-0007"], "trees", at(date(2026, 11, 5), 12), nothing)
        move_order(session, trees.order, OrderStatus.DONE, at(date(2026, 11, 8), 12), actor="ฝ่ายรักษาฯ")
        verify_order(session, trees.order, True, at(date(2026, 11, 9), 12), "สายตรวจ", nothing)  # 4 days
        open_defect(session, points["RP-0011"], "lighting", at(date(2026, 11, 20), 20), nothing)  # still open
        october = open_defect(session, points["RP-0012"], "other", at(date(2026, 10, 28), 12), nothing)
        close_defect(session, october, at(date(2026, 11, 2), 12), actor="เลขา")  # fixed in November, 5 days

        figures = {"kind": "patrol"}
        submit(session, units["patrol-1"], 2026, 11, at=at(date(2026, 12, 3), 10), by="x", figures=figures, note=None)
        submit(session, units["patrol-2"], 2026, 11, at=at(date(2026, 12, 8), 9), by="x", figures=figures, note=None)
        cleaning = find_unit(session, "cleaning")
        # November's deadline is Friday 4 December 17:00 (5 Dec a Saturday, 7 Dec its substitute holiday)
        submit(session, cleaning, 2026, 11, at=at(date(2026, 12, 4), 16, 59), by="x", figures={}, note=None)
        # public_works and municipal never submit

        save_crime_stat(session, year=2569, month=11, crime_type="ลักทรัพย์", cases=3, point_code="RP-0001", by="x")
        save_crime_stat(session, year=2569, month=11, crime_type="ชิงทรัพย์", cases=1, area="ตลาดบางรัก", by="x")
        save_crime_stat(session, year=2569, month=10, crime_type="ลักทรัพย์", cases=5, point_code="RP-0001", by="x")
    return services


def test_the_office_figures_of_the_month(month):
    with month.sessions() as session:
        office = rc.compliance(session, Period.of_month(2569, 11))
    # 18 points × 30 days × 2 + RP-0018 30 days × 1 + RP-0020 20 days × 2; gaps 5 + 2 + 1
    assert (office.patrols_done, office.patrols_required) == (1142, 1150)
    assert office.patrol_percent == 99.3
    # 6 cameras × 30 days + CAM-0006B 15 days; gaps 2 + 1; a second check on one day counts once
    assert (office.cameras_done, office.cameras_required) == (192, 195)
    assert office.camera_percent == 98.46
    assert (office.defects_opened, office.defects_fixed, office.fixed_in_span, office.open_at_end) == (3, 2, 3, 1)
    assert office.defect_percent == 66.67
    assert (office.avg_days_to_fix, office.max_days_to_fix) == (3.67, 5.0)
    assert (office.reports_expected, office.reports_on_time, office.reports_late) == (5, 2, 1)
    assert office.report_percent == 40.0
    assert office.overall_percent == round((99.3 + 98.46 + 66.67 + 40.0) / 4, 2)


def test_the_district_and_point_figures_of_the_month(month):
    span = Period.of_month(2026, 11)
    with month.sessions() as session:
        districts = rc.by_district(session, span)
        points = {session.get(RiskPoint, pid).code: c for pid, c in rc.by_point(session, span).items()}
        bangrak = rc.compliance(session, span, district="บางรัก")
    assert (districts["บางรัก"].patrols_done, districts["บางรัก"].patrols_required) == (592, 600)
    assert (districts["ปทุมวัน"].patrols_done, districts["ปทุมวัน"].patrols_required) == (550, 550)
    assert bangrak.as_dict() == districts["บางรัก"].as_dict()
    assert (districts["บางรัก"].reports_expected, districts["บางรัก"].reports_on_time) == (1, 1)
    assert (districts["ปทุมวัน"].reports_expected, districts["ปทุมวัน"].reports_late) == (1, 1)
    expected = {"RP-0002": (55, 60), "RP-0003": (58, 60), "RP-0004": (59, 60), "RP-0005": (60, 60)}
    expected |= {"RP-0018": (30, 30), "RP-0020": (40, 40), "RP-0001": (60, 60)}
    assert {code: (points[code].patrols_done, points[code].patrols_required) for code in expected} == expected
    assert (points["RP-0001"].cameras_done, points["RP-0001"].cameras_required) == (28, 30)
    assert (points["RP-0006"].cameras_done, points["RP-0006"].cameras_required) == (44, 45)
    assert points["RP-0003"].defects_opened == 1 and points["RP-0003"].avg_days_to_fix == 2.0


def test_a_day_a_quarter_and_a_span_in_progress(month):
    with month.sessions() as session:
        day = rc.by_point(session, Period.of_day(date(2026, 11, 10)))
        code = {session.get(RiskPoint, pid).code: c for pid, c in day.items()}
        quarter = rc.compliance(session, Period.of_quarter(2570, 1))  # October to December 2026
        so_far = rc.compliance(session, Period.of_month(2026, 11), as_of=date(2026, 11, 10))
    assert (code["RP-0003"].patrols_done, code["RP-0003"].patrols_required) == (0, 2)
    assert (code["RP-0001"].patrols_done, code["RP-0001"].patrols_required) == (2, 2)
    assert quarter.patrols_done == 1142  # October had no checks; 92 days are required
    assert quarter.patrols_required == 18 * 2 * 92 + 1 * 92 + 2 * 51
    assert (so_far.patrols_required, so_far.reports_expected) == (20 * 2 * 10 - 10, 0)


def test_compile_month_gives_the_day_7_report(month):
    with month.sessions() as session:
        report = compile_month(session, 2569, 11)
        pending = [unit.code for unit in units_pending(session, 2026, 11)]
        unchecked = {day: [c.code for c in cameras_unchecked(session, day)] for day in (NOV[2], NOV[29])}
    assert sorted(pending) == ["municipal", "public_works"]
    assert unchecked == {NOV[2]: ["CAM-0001"], NOV[29]: ["CAM-0006B"]}
    assert report["label"] == "พฤศจิกายน 2569"
    assert report["office"]["patrols_done"] == 1142
    assert report["defects"]["opened_by_kind"] == {"cctv": 1, "trees": 1, "lighting": 1}
    assert report["work_orders"] == {"closed": 2, "new": 1}
    assert report["letters"] == 1
    assert {row["crime_type"]: (row["cases"], row["previous_month"]) for row in report["crime"]} == {
        "ชิงทรัพย์": (1, 0),
        "ลักทรัพย์": (3, 5),
    }
    on_time = {row["code"]: row["on_time"] for row in report["submissions"]}
    assert on_time == {"patrol-1": True, "patrol-2": False, "cleaning": True, "public_works": False, "municipal": False}
    assert len(report["points"]) == 20
