"""The admin web's clock page: quota use by job, runs, and frozen reports that later edits cannot change."""

from __future__ import annotations

import time_machine
from sqlalchemy import select

from line.messages import text
from models import Chat, MonthlySubmission, ReportVersion, Role, UnitKind
from models.settings import set_setting
from runtime import delivery
from scheduler.runner import Runner
from scheduler.versions import MONTH_REPORT
from tests.test_admin_support import login, make_staff
from tests.test_scheduler_support import RecordingLine, add_group, bkk, user_id


def test_only_admin_and_secretariat_see_the_clock_page(app, services, client):
    assert app.test_client().get("/admin/scheduler/").status_code == 302  # to the sign-in page
    make_staff(services, "viewer1", Role.VIEWER)
    login(client, "viewer1")
    assert client.get("/admin/scheduler/").status_code == 403
    make_staff(services, "admin1", Role.ADMIN)
    admin = app.test_client()
    login(admin, "admin1")
    assert admin.get("/admin/scheduler/").status_code == 200


def test_usage_by_job_runs_and_a_frozen_report_that_notices_later_edits(services, client):
    from services.riskpoints.units import create_unit

    with services.sessions.begin() as session:
        group = add_group(session, "ฝ่ายโยธา", "department", members=12)
        office = add_group(session, "ฝ่ายเลขานุการ", "secretariat", members=3)
        unit = create_unit(session, code="works", name="ฝ่ายโยธา", kind=UnitKind.DEPARTMENT)
        unit.chat_id = session.scalar(select(Chat.id).where(Chat.line_chat_id == group))
        set_setting(session, "scheduler.recipients.supervisors", [user_id()], by="test")
        unit_id = unit.id
    line = RecordingLine(quota=(1000, 790))
    runner = Runner(services.sessions, line, base_url="http://localhost")
    with time_machine.travel(bkk(2026, 4, 7, 17, 0, 5), tick=False):
        assert runner.run("monthly-compile", "2569-03").status == "done"
        with services.sessions.begin() as session:
            delivery.enqueue(session, group, [text("x")], purpose="monthly-reminder", urgent=False)
        runner.deliver()
        with services.sessions.begin() as session:  # a report that comes in after the freeze
            session.add(MonthlySubmission(unit_id=unit_id, year=2026, month=3, submitted_at=bkk(2026, 4, 7, 18)))
        make_staff(services, "sec1", Role.SECRETARIAT)
        login(client, "sec1")
        page = client.get("/admin/scheduler/").get_data(as_text=True)
        assert "โควตาข้อความ LINE เดือนเมษายน 2569" in page
        assert "1,000 ข้อความ" in page and "805 ข้อความ" in page  # 790 read from LINE + 3 + 12 pushed since
        assert "รวบรวมรายงานประจำเดือน · เดือนมีนาคม 2569" in page  # the run, by its Thai name and month
        assert "เตือนหน่วยที่ยังไม่ส่งรายงานประจำเดือน" in page  # the quota used by the reminder, in Thai
        assert "monthly-compile" not in page and "monthly-reminder" not in page and "2569-03" not in page
        assert "รายงานจุดเสี่ยงภัยประจำเดือน" in page
        with services.sessions() as session:
            frozen_id = session.scalar(select(ReportVersion.id).where(ReportVersion.kind == MONTH_REPORT))
        report = client.get(f"/admin/scheduler/reports/{frozen_id}")
        body = report.get_data(as_text=True)
    assert report.status_code == 200
    assert "ฉบับที่ 1" in body and "ฝ่ายโยธา" in body and "ยังไม่ส่ง" in body
    assert "ต่างจากฉบับที่ตรึงไว้" in body  # the late submission changed the live figures, not the version
    with time_machine.travel(bkk(2026, 10, 10, 9, 0, 5), tick=False):
        assert runner.run("quarterly-summary", "2569-Q4").status == "done"
    with services.sessions() as session:
        year_end = session.scalar(select(ReportVersion).where(ReportVersion.kind == "year-end"))
    login(client, "sec1")  # the session signed in under the travelled clock has expired by now
    page = client.get(f"/admin/scheduler/reports/{year_end.id}").get_data(as_text=True)
    assert "สรุปผลการดำเนินงานปลายปีงบประมาณ ปีงบประมาณ 2569" in page and "หลักฐานอ้างอิง" in page
    assert "ร้อยละการส่งรายงานทันกำหนด" in page  # the KPI figures are labelled in Thai
    assert office in [to for _, recipients, _, _ in line.calls for to in recipients]
