"""Emulator transcripts: a department gets the day-1 message and submits its month report by LINE; the
secretariat receives the day-7 card and the quarterly card; every request is checked against LINE's spec.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime

import time_machine
from sqlalchemy import select

from models import Chat, JobRun, MonthlySubmission, ReportVersion, UnitKind
from models.settings import set_setting
from models.timeutil import utcnow
from scheduler.runner import Runner
from services.riskpoints.units import create_unit
from tests.line_fixtures import line  # noqa: F401 - the emulator fixture
from tests.roster_factories import enrol
from tests.test_scheduler_support import bkk


def bind(session, unit, group, purpose: str) -> None:
    """Register the emulator's group and bind the unit to it."""
    chat = session.scalar(select(Chat).where(Chat.line_chat_id == group.chat_id))
    chat.name, chat.purpose, chat.registered_at, chat.registered_by = group.name, purpose, utcnow(), "test"
    unit.chat_id = chat.id


@contextmanager
def clock(emu, start: datetime):
    """Move the bot (time-machine) and the emulator (its manual clock) together."""
    with time_machine.travel(start, tick=False) as traveller:

        def at(moment: datetime) -> None:
            traveller.move_to(moment)
            emu.clock.set(moment)

        at(start)
        yield at


def test_a_department_submits_by_line_and_the_secretariat_gets_the_day7_and_quarterly_cards(line):  # noqa: F811
    emu = line
    with clock(emu, bkk(2026, 10, 31, 16, 0)) as at:
        head = emu.user("นายช่าง วิชัย")
        clerk = emu.user("เลขา สมศรี")
        director = emu.user("ผอ.เขต บางรัก")
        head.follow()
        director.follow()
        works = emu.group("ฝ่ายโยธา เขตบางรัก", [head])
        secretariat = emu.group("ฝ่ายเลขานุการ โครงการจุดเสี่ยง", [clerk])
        with emu.services.sessions.begin() as session:
            unit = create_unit(session, code="works-bangrak", name="ฝ่ายโยธา เขตบางรัก", kind=UnitKind.DEPARTMENT)
            bind(session, unit, works, "department")
            enrol(session, head.user_id, unit)
            office = create_unit(session, code="secretariat", name="ฝ่ายเลขานุการ", kind=UnitKind.SECRETARIAT)
            bind(session, office, secretariat, "department")
            set_setting(session, "scheduler.recipients.supervisors", [director.user_id], by="test")
        runner = Runner(emu.services.sessions, emu.services.messenger, base_url="https://fieldline.example")
        mark = emu.platform.last_seq

        at(bkk(2026, 11, 1, 8, 0, 5))  # day 1: the department is told what October's report needs
        runner.run_due()
        opening = emu.deliveries(works)[-1]
        assert opening.method == "push" and "ประจำเดือนตุลาคม 2569" in opening.messages[0]["text"]

        at(bkk(2026, 11, 3, 10, 0))  # the department submits from its group, continuing one-to-one
        assert "แชตส่วนตัว" in head.in_group(works).says("ส่งรายงาน").texts[0]
        head.chooses("ต.ค. 2569")
        head.chooses("ไม่มี")
        assert "ทันกำหนด" in head.chooses("ยืนยันส่ง").texts[0]

        for moment in (bkk(2026, 11, 5, 9, 0, 5), bkk(2026, 11, 6, 9, 0, 5)):  # submitted: no reminders
            at(moment)
            runner.run_due()
        at(bkk(2026, 11, 6, 17, 0, 5))  # 7 November 2569 is a Saturday: the report closes on Friday the 6th
        runner.run_due()
        at(bkk(2026, 11, 8, 9, 0, 5))  # day 8: nothing overdue, so the director is not disturbed
        runner.run_due()

        at(bkk(2027, 1, 10, 9, 0, 5))  # the first quarter of fiscal year 2570 is over
        assert runner.run("quarterly-summary", "2570-Q1", due_at=bkk(2027, 1, 10, 9, 0)).status == "done"

    works_log = emu.transcript(works)
    assert "FieldLine (push): 📋 รายงานผลการดำเนินงานจุดเสี่ยงภัย ประจำเดือนตุลาคม 2569" in works_log
    assert "ภายในวันศุกร์ที่ 6 พฤศจิกายน 2569 เวลา 17:00 น." in works_log
    assert "นายช่าง วิชัย: ส่งรายงาน" in works_log
    assert "เตือนส่งรายงาน" not in works_log

    office_log = emu.transcript(secretariat)
    assert "FieldLine (push): [flex: รายงานจุดเสี่ยงภัย ประจำเดือนตุลาคม 2569 ฉบับที่ 1: ตรวจตราจุดเสี่ยง" in office_log
    assert "หน่วยส่งรายงานทันกำหนด" in office_log and "1/1" in office_log
    assert "[flex: สรุปผลตัวชี้วัดรายไตรมาส ปีงบประมาณ 2570 ไตรมาสที่ 1" in office_log
    assert "เครือข่ายข่าวความมั่นคง: ระดับ" in office_log
    director_log = emu.transcript(director)
    assert "📊 สรุปผลตัวชี้วัดรายไตรมาส ปีงบประมาณ 2570 ไตรมาสที่ 1" in director_log
    assert "รายงานประจำเดือน" not in director_log  # nothing was overdue

    sent = [d for d in emu.platform.deliveries if d.seq > mark and d.method != "reply"]
    assert all(d.retry_key for d in sent)  # every push carried X-Line-Retry-Key
    assert len({d.retry_key for d in sent}) == len(sent)
    with emu.services.sessions() as session:
        (submission,) = session.scalars(select(MonthlySubmission)).all()
        assert (submission.year, submission.month) == (2026, 10)
        version = session.scalar(select(ReportVersion).where(ReportVersion.kind == "riskpoint-month"))
        assert version.period == "2569-10" and version.version == 1
        assert version.data["submissions"][0]["on_time"] is True
        reminders = session.execute(select(JobRun.key, JobRun.sent).where(JobRun.job == "monthly-reminder")).all()
    assert sorted(reminders) == [("monthly-reminder:2569-10:day5", 0), ("monthly-reminder:2569-10:day7", 0)]
    print(works_log, office_log, director_log, sep="\n\n")


def test_a_clock_that_catches_up_after_the_deadline_does_not_invite_or_remind(line):  # noqa: F811
    emu = line
    # A new install started on 4 December 2569 at 22:00: November's report closed at 17:00 that day (the 7th is
    # the substitute holiday for Father's Day, so the deadline moves back to Friday), three days after day 1.
    with clock(emu, bkk(2026, 12, 4, 22, 0)) as at:
        head = emu.user("นายช่าง วิชัย")
        head.follow()
        works = emu.group("ฝ่ายโยธา เขตบางรัก", [head])
        with emu.services.sessions.begin() as session:
            unit = create_unit(session, code="works-bangrak", name="ฝ่ายโยธา เขตบางรัก", kind=UnitKind.DEPARTMENT)
            bind(session, unit, works, "department")
        runner = Runner(emu.services.sessions, emu.services.messenger, base_url="https://fieldline.example")
        at(bkk(2026, 12, 4, 22, 0, 5))
        runner.run_due()
    works_log = emu.transcript(works)
    assert "พฤศจิกายน 2569" not in works_log  # no invitation to a deadline already past
    with emu.services.sessions() as session:
        runs = dict(
            session.execute(
                select(JobRun.key, JobRun.sent).where(JobRun.job.in_(("monthly-open", "monthly-reminder")))
            ).all()
        )
    assert runs == {"monthly-open:2569-11": 0}  # recorded (never repeated later), with nothing sent
