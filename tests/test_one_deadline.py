"""One deadline per month report (models/deadlines.py), used by every message, the on-time rule and the frozen report.

November 2569's report: 5 December 2569 (Father's Day) is a Saturday and the 7th its substitute holiday, so
the units are told "ภายในวันศุกร์ที่ 4 ธันวาคม 2569 เวลา 17:00 น."; a report sent at 16:59 that day is on
time, one at 17:01 or on Monday the 7th is late, in the LINE answer, the frozen report, the compliance
figures and the supervisors' overdue list alike.
"""

from __future__ import annotations

from datetime import date, datetime

import time_machine
from sqlalchemy import select

from models import MonthlySubmission, ReportVersion, UnitKind
from models.deadlines import DeadlineRule, month_deadline, on_time
from models.periods import Period
from models.settings import set_setting
from reports.riskpoint_compliance import compliance
from reports.riskpoint_month import compile_month
from scheduler import triggers
from scheduler.policy import Policy
from scheduler.runner import Runner
from services.riskpoints.units import create_unit
from tests.line_fixtures import line  # noqa: F401 - the emulator fixture
from tests.roster_factories import enrol
from tests.test_admin_support import login, make_staff
from tests.test_scheduler_emulator import bind, clock
from tests.test_scheduler_support import bkk

TOLD = "วันศุกร์ที่ 4 ธันวาคม 2569 เวลา 17:00 น."


def test_the_deadline_is_the_compile_instant_moved_for_holidays():
    assert DeadlineRule().instant(2026, 11) == bkk(2026, 12, 4, 17, 0)  # 5 Dec Saturday, 7 Dec in lieu
    assert DeadlineRule().instant(2569, 11) == bkk(2026, 12, 4, 17, 0)  # a Buddhist Era year reads the same
    assert DeadlineRule().instant(2026, 9) == bkk(2026, 10, 7, 17, 0)  # a Wednesday: unchanged
    assert DeadlineRule().instant(2026, 12) == bkk(2027, 1, 7, 17, 0)
    assert DeadlineRule(holiday_policy="as_is").instant(2026, 11) == bkk(2026, 12, 7, 17, 0)
    assert on_time(bkk(2026, 12, 4, 16, 59), bkk(2026, 12, 4, 17, 0))
    assert not on_time(bkk(2026, 12, 4, 17, 0), bkk(2026, 12, 4, 17, 0))
    policy = Policy()
    month = Period.of_month(2026, 1)
    for _ in range(24):  # the clock compiles at the very instant every other caller calls the deadline
        assert triggers.monthly_steps(month, policy)["monthly-compile"] == month_deadline(None, month.year, month.month)
        month = month.next()


def test_the_deadline_follows_the_settings(line):  # noqa: F811
    with line.services.sessions.begin() as session:
        assert month_deadline(session, 2026, 9) == bkk(2026, 10, 7, 17, 0)
        set_setting(session, "scheduler.extra_holidays", ["2569-10-07"], by="test")
        set_setting(session, "scheduler.compile_time", "16:30", by="test")
        assert month_deadline(session, 2026, 9) == bkk(2026, 10, 6, 16, 30)
        assert Policy.load(session).deadline == DeadlineRule.load(session)


def _submit(unit_head, group, month_choice: str = "พ.ย. 2569") -> str:
    """A unit's head sends the month report from its group (continuing one-to-one); the bot's answer."""
    unit_head.in_group(group).says("ส่งรายงาน")
    unit_head.chooses(month_choice)
    unit_head.chooses("ไม่มี")
    return unit_head.chooses("ยืนยันส่ง").texts[0]


def test_december_2569_every_message_and_figure_agrees_on_friday_the_4th(line):  # noqa: F811
    emu = line
    with clock(emu, bkk(2026, 11, 30, 16, 0)) as at:
        director = emu.user("ผอ.เขต บางรัก")
        director.follow()
        clerk = emu.user("เลขา สมศรี")
        secretariat = emu.group("ฝ่ายเลขานุการ โครงการจุดเสี่ยง", [clerk])
        names = {"early": "ฝ่ายโยธา", "minute": "ฝ่ายรักษาความสะอาด", "monday": "ฝ่ายเทศกิจ"}
        heads, groups = {}, {}
        for code, name in names.items():
            heads[code] = emu.user(f"หัวหน้า{name}")
            heads[code].follow()
            groups[code] = emu.group(f"{name} เขตบางรัก", [heads[code]])
        with emu.services.sessions.begin() as session:
            for code, name in names.items():
                unit = create_unit(session, code=code, name=f"{name} เขตบางรัก", kind=UnitKind.DEPARTMENT)
                bind(session, unit, groups[code], "department")
                enrol(session, heads[code].user_id, unit)
            office = create_unit(session, code="secretariat", name="ฝ่ายเลขานุการ", kind=UnitKind.SECRETARIAT)
            bind(session, office, secretariat, "department")
            set_setting(session, "scheduler.recipients.supervisors", [director.user_id], by="test")
        runner = Runner(emu.services.sessions, emu.services.messenger, base_url="https://fieldline.example")

        at(bkk(2026, 12, 1, 8, 0, 5))  # day 1: the units are told the deadline
        runner.run_due()

        at(bkk(2026, 12, 4, 16, 59))
        answers = {"early": _submit(heads["early"], groups["early"])}
        at(bkk(2026, 12, 4, 17, 0, 5))  # the deadline: the month report is compiled and frozen
        runner.run_due()
        at(bkk(2026, 12, 4, 17, 1))
        answers["minute"] = _submit(heads["minute"], groups["minute"])
        at(bkk(2026, 12, 7, 10, 0))  # the substitute holiday, once (wrongly) counted as the last day
        answers["monday"] = _submit(heads["monday"], groups["monday"])
        at(bkk(2026, 12, 8, 9, 0, 5))  # day 8: the supervisors' overdue list
        runner.run_due()

    for code in heads:  # what the units were told
        assert f"ภายใน{TOLD}" in emu.transcript(groups[code])
    assert "ทันกำหนด" in answers["early"]  # the LINE answer
    for code in ("minute", "monday"):
        assert "ทันกำหนด" not in answers[code] and f"เกินกำหนดส่ง{TOLD}" in answers[code]

    overdue = emu.transcript(director)
    assert f"กำหนดส่ง{TOLD}" in overdue and "7 ธันวาคม" not in overdue
    late_part = overdue.split("ส่งหลังกำหนด 2 หน่วย", 1)[1]
    assert "ฝ่ายรักษาความสะอาด" in late_part and "ฝ่ายเทศกิจ" in late_part and "ฝ่ายโยธา" not in late_part

    with emu.services.sessions() as session:
        frozen = session.scalar(select(ReportVersion).where(ReportVersion.kind == "riskpoint-month"))
        assert frozen.period == "2569-11" and frozen.version == 1
        assert {row["code"]: row["on_time"] for row in frozen.data["submissions"]} == {
            "early": True,
            "minute": False,  # not yet in when the report froze
            "monday": False,
        }
        later = compile_month(session, 2026, 11)  # compiled again now, the late ones are in and still late
        assert {row["code"]: row["on_time"] for row in later["submissions"]} == {
            "early": True,
            "minute": False,
            "monday": False,
        }
        assert all(row["submitted_at"] for row in later["submissions"])
        figures = compliance(session, Period.of_month(2026, 11))
        assert (figures.reports_expected, figures.reports_on_time, figures.reports_late) == (3, 1, 2)
        assert session.scalar(select(MonthlySubmission).where(MonthlySubmission.submitted_at >= bkk(2026, 12, 7)))


def test_a_month_without_holidays_keeps_the_seventh(line):  # noqa: F811
    emu = line
    with emu.services.sessions.begin() as session:
        assert month_deadline(session, 2026, 9) == bkk(2026, 10, 7, 17, 0)
        unit = create_unit(session, code="works", name="ฝ่ายโยธา เขตบางรัก", kind=UnitKind.DEPARTMENT)
        for day, hour, minute in ((7, 16, 59), (7, 17, 1)):
            session.add(
                MonthlySubmission(unit_id=unit.id, year=2026, month=9, submitted_at=bkk(2026, 10, day, hour, minute))
            )
            session.flush()
            on = compliance(session, Period.of_month(2026, 9)).reports_on_time
            assert on == (1 if minute == 59 else 0)
            assert compile_month(session, 2026, 9)["submissions"][0]["on_time"] is (minute == 59)
            session.delete(session.scalar(select(MonthlySubmission)))
            session.flush()
    steps = triggers.monthly_steps(Period.of_month(2026, 9), Policy())
    assert steps["monthly-compile"] == datetime(2026, 10, 7, 17, 0, tzinfo=steps["monthly-compile"].tzinfo)
    assert steps["monthly-reminder:day5"].date() == date(2026, 10, 5)


def test_the_admin_units_page_judges_by_the_same_deadline(client, services):
    with services.sessions.begin() as session:
        for code, minute in (("early", 59), ("minute", 1)):
            unit = create_unit(session, code=code, name=f"หน่วย {code}", kind=UnitKind.DEPARTMENT)
            hour = 16 if minute == 59 else 17
            session.add(
                MonthlySubmission(unit_id=unit.id, year=2026, month=11, submitted_at=bkk(2026, 12, 4, hour, minute))
            )
    make_staff(services, "admin")
    with time_machine.travel(bkk(2026, 12, 8, 10, 0), tick=True):
        login(client, "admin")
        page = client.get("/admin/riskpoints/units").get_data(as_text=True)
    assert page.count("ทันกำหนด") == 1 and page.count("เกินกำหนด") == 1
