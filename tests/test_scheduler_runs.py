"""Claims, resumption, the one sender, and what each job sends (with a fake risk-point source)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from linebot.v3.messaging import FlexMessage
from sqlalchemy import func, select

from line.messages import text
from models import JobRun, JobSend, OutgoingMessage, ReportVersion, RunStatus
from models.settings import set_setting
from models.timeutil import utcnow
from scheduler import claims
from scheduler.__main__ import main
from scheduler.context import JobSpec
from scheduler.jobs.registry import JOBS
from scheduler.jobs.riskpoint_jobs import Unit
from scheduler.sender import Recipient, RunSender, compact
from tests.test_scheduler_support import FakeRiskPoints, RecordingLine, add_group, bkk, make_runner, user_id


@pytest.fixture
def groups(services):
    """Two unit groups, a secretariat group and two supervisors (users)."""
    with services.sessions.begin() as session:
        found = {
            "patrol": add_group(session, "สายตรวจ 1", "patrol", members=6),
            "works": add_group(session, "ฝ่ายโยธา", "department", members=4),
            "secretariat": add_group(session, "ฝ่ายเลขานุการ", "secretariat", members=3),
        }
        found["boss1"], found["boss2"] = user_id(), user_id()
        set_setting(session, "scheduler.recipients.supervisors", [found["boss1"], found["boss2"]], by="test")
    return found


@pytest.fixture
def risk(groups, monkeypatch):
    """Two units, bound to the two unit groups."""
    fake = FakeRiskPoints(
        units=[
            Unit(1, "สายตรวจ 1", "patrol", groups["patrol"], "• ตรวจตรา 100/120 ครั้ง"),
            Unit(2, "ฝ่ายโยธา", "department", groups["works"], None),
            Unit(3, "ฝ่ายรักษาความสะอาด", "department", None, None),
        ]
    )
    return fake.install(monkeypatch)


def test_a_claim_is_taken_once_and_a_failed_run_is_resumed(services):
    now = utcnow()
    first = claims.claim(services.sessions, "j:1", job="j", period="1", owner="a", now=now)
    assert first is not None
    assert claims.claim(services.sessions, "j:1", job="j", period="1", owner="b", now=now) is None
    claims.fail(services.sessions, first, now, "boom")
    assert claims.claim(services.sessions, "j:1", job="j", period="1", owner="b", now=now) == first
    # a run whose owner died is taken over once its lease has run out, not before
    assert claims.claim(services.sessions, "j:1", job="j", period="1", owner="c", now=now) is None
    later = now + claims.LEASE + timedelta(seconds=1)
    assert claims.claim(services.sessions, "j:1", job="j", period="1", owner="c", now=later) == first
    with services.sessions() as session:
        run = session.get(JobRun, first)
        assert (run.owner, run.attempts, run.status) == ("c", 3, RunStatus.RUNNING)


def test_the_sender_sends_once_per_recipient_and_batches_users_by_500(services):
    run = claims.claim(services.sessions, "j:2", job="j", period="2", owner="a", now=utcnow())
    sender = RunSender(services.sessions, run, "j", utcnow())
    users = [Recipient(user_id()) for _ in range(1201)]
    assert sender.to_all(users, [text("สวัสดี")]) == 1201
    assert sender.to_all(users, [text("สวัสดี")]) == 0  # a resumed run skips everyone already served
    with services.sessions() as session:
        rows = session.scalars(select(OutgoingMessage).order_by(OutgoingMessage.id)).all()
        assert [len(row.multicast_to) for row in rows] == [500, 500, 201]
        assert all(row.purpose == "j" and not row.urgent for row in rows)
        assert session.scalar(select(func.count()).select_from(JobSend)) == 1201
    line = RecordingLine()
    make_runner(services, line).deliver()
    assert [(method, len(to)) for method, to, _, _ in line.calls] == [
        ("multicast", 500),
        ("multicast", 500),
        ("multicast", 201),
    ]


def test_compact_merges_texts_into_one_push():
    merged = compact([text(f"ข้อ {n}") for n in range(8)])
    assert len(merged) == 5
    assert "\n\n".join(m.text for m in merged) == "\n\n".join(f"ข้อ {n}" for n in range(8))
    assert len(compact([text("a"), text("b")])) == 2


RISK_JOBS = {job: spec for job, spec in JOBS.items() if not job.startswith("workgroup-")}


def test_the_monthly_cycle_with_reminders_only_for_units_that_have_not_submitted(services, groups, risk):
    line = RecordingLine()
    runner = make_runner(services, line, jobs=RISK_JOBS)
    with time_machine.travel(bkk(2026, 4, 1, 8, 0, 5), tick=False) as traveller:
        runs = runner.run_due()
        assert "monthly-open:2569-03" in [o.key for o in runs if o.status == "done"]
        opening = line.texts_to(groups["patrol"])
        assert len(opening) == 1 and "ประจำเดือนมีนาคม 2569" in opening[0] and "ตรวจตรา 100/120" in opening[0]
        assert "ภายในวันอังคารที่ 7 เมษายน 2569 เวลา 17:00 น." in opening[0]
        risk.submissions[(1, "2569-03")] = bkk(2026, 4, 2, 10, 0)
        traveller.move_to(bkk(2026, 4, 3, 9, 0, 5))
        runner.run_due()
        assert len(line.texts_to(groups["patrol"])) == 1  # submitted: no reminder
        reminder = line.texts_to(groups["works"])[-1]
        assert "ยังไม่ได้ส่งรายงาน" in reminder
        traveller.move_to(bkk(2026, 4, 7, 9, 0, 5))
        assert "monthly-reminder:2569-03:day7" in {o.key for o in runner.run_due()}
        assert "วันสุดท้าย" in line.texts_to(groups["works"])[-1]
        traveller.move_to(bkk(2026, 4, 7, 17, 0, 5))
        assert "monthly-compile:2569-03" in {o.key for o in runner.run_due()}
        card = line.calls[-1]
        assert card[1] == [groups["secretariat"]]
        flex = card[2][0]
        assert flex["type"] == "flex" and len(flex["altText"]) <= 1500
        assert "ฉบับที่ 1" in str(flex) and "https://fieldline.example/admin/scheduler/reports/" in str(flex)
        traveller.move_to(bkk(2026, 4, 8, 9, 0, 5))
        runner.run_due()
        overdue = line.calls[-1]
        assert overdue[0] == "multicast" and set(overdue[1]) == {groups["boss1"], groups["boss2"]}
        assert "ฝ่ายโยธา" in overdue[2][0]["text"] and "ฝ่ายรักษาความสะอาด" in overdue[2][0]["text"]
        assert "สายตรวจ 1" not in overdue[2][0]["text"]
        again = runner.run_due()
        assert [o for o in again if o.status == "done"] == []
    assert line.received()[groups["secretariat"]] == 1


def test_a_run_by_hand_is_still_exactly_once(services, groups, risk, capsys):
    line = RecordingLine()
    runner = make_runner(services, line)
    with time_machine.travel(bkk(2026, 4, 7, 18, 0), tick=False):
        assert main(["--run", "monthly-compile", "--period", "2569-03"], runner=runner) == 0
        assert "ส่งถึง 1 ผู้รับ" in capsys.readouterr().out
        assert main(["--run", "monthly-compile", "--period", "2569-03"], runner=runner) == 0
        assert "ทำครั้งเดียว" in capsys.readouterr().out
        assert runner.run_due() == [] or all(o.key != "monthly-compile:2569-03" for o in runner.run_due())
        assert main(["--run", "monthly-compile", "--period", "March"], runner=runner) == 2
    assert line.received()[groups["secretariat"]] == 1
    with services.sessions() as session:
        run = session.scalar(select(JobRun).where(JobRun.key == "monthly-compile:2569-03"))
        assert run.by_hand and run.status == RunStatus.DONE and run.sent == 1


def test_a_run_that_fails_part_way_resumes_without_resending(services, groups):
    calls = []

    def flaky(ctx, period):
        calls.append(period)
        ctx.send.to(groups["patrol"], [text("หนึ่ง")])
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        ctx.send.to(groups["works"], [text("สอง")])
        return "ok"

    jobs = {"flaky": JobSpec("flaky", flaky, scheduled=False)}
    line = RecordingLine()
    runner = make_runner(services, line, jobs=jobs)
    assert runner.run("flaky", "2569-03").status == "failed"
    assert runner.run("flaky", "2569-03").status == "done"
    assert runner.run("flaky", "2569-03").status == "skipped"
    assert line.received() == {groups["patrol"]: 1, groups["works"]: 1}


def test_quarterly_summary_sends_cards_to_the_secretariat_and_text_to_supervisors(services, groups, risk):
    line = RecordingLine()
    runner = make_runner(services, line)
    with time_machine.travel(bkk(2026, 10, 10, 9, 0, 5), tick=False):
        outcome = runner.run("quarterly-summary", "2569-Q4")
    assert outcome.status == "done" and outcome.sent == 3
    (secretariat_call,) = [c for c in line.calls if c[1] == [groups["secretariat"]]]
    cards = secretariat_call[2]
    assert [c["type"] for c in cards] == ["flex", "flex"]  # the quarter, then the year-end summary
    assert "ไตรมาสที่ 4" in cards[0]["altText"] and "สรุปผลการดำเนินงาน (ปลายปีงบประมาณ)" in cards[1]["altText"]
    for card in cards:
        FlexMessage.from_dict(card)
        assert len(card["altText"]) <= 1500
    (supervisors,) = [c for c in line.calls if c[0] == "multicast"]
    assert "เครือข่ายข่าวความมั่นคง ระดับ" in supervisors[2][0]["text"] and "88.5" in supervisors[2][0]["text"]
    with services.sessions() as session:
        kinds = sorted(session.scalars(select(ReportVersion.kind)))
    assert kinds == ["quarterly", "year-end"]


def test_round_close_records_and_notifies_in_one_transaction(services, groups, risk):
    risk.pending_points = {groups["patrol"]: ["RP-0001 ซอยมืด"]}
    line = RecordingLine()
    runner = make_runner(services, line)
    with time_machine.travel(bkk(2026, 3, 15, 17, 0, 5), tick=False) as traveller:
        runner.run_due()
        assert "RP-0001 ซอยมืด" in line.texts_to(groups["patrol"])[0]
        traveller.move_to(bkk(2026, 3, 15, 18, 0, 5))
        runner.run_due()
        runner.run_due()
    assert risk.closed.count((date(2026, 3, 15), 1)) == 1
    texts = line.texts_to(groups["patrol"])
    assert "พลาด RP-0001" in texts[-1]
    assert sum("พลาด" in body for body in texts) == len(risk.closed)  # one message per closed round
    assert sum("อีก 60 นาทีจะปิดรอบกลางวัน 06:00–18:00 น." in body for body in texts) == 1


def test_recipients_come_from_settings_as_purposes_or_line_ids(services, groups):
    from scheduler.sender import resolve

    with services.sessions.begin() as session:
        found = resolve(session, ["secretariat", groups["works"], groups["boss1"], "nobody"])
    assert [r.line_id for r in found] == [groups["secretariat"], groups["works"], groups["boss1"]]
    assert [r.is_user for r in found] == [False, False, True]


def test_every_job_is_listed_in_thai_with_buddhist_era_times(services, capsys):
    runner = make_runner(services, RecordingLine())
    with time_machine.travel(bkk(2026, 3, 31, 12, 0), tick=False):
        assert main(["--list"], runner=runner) == 0
    out = capsys.readouterr().out
    for job in JOBS:
        assert f"{job}:" in out
    assert "7 เม.ย. 2569 17:00 น.  [2569-03]" in out
    assert "10 เม.ย. 2569 09:00 น.  [2569-Q2]" in out


def test_the_working_group_warning_goes_once_a_month_in_the_second_half_of_the_year(services, groups):
    line = RecordingLine()
    runner = make_runner(services, line)
    workgroup = {job: spec for job, spec in JOBS.items() if job.startswith("workgroup-")}
    runner.jobs = workgroup
    with time_machine.travel(bkk(2026, 3, 1, 8, 30, 5), tick=False) as traveller:
        runner.run_due()
        assert line.texts_to(groups["secretariat"]) == []  # the first half of the fiscal year: no warning
        for moment in (bkk(2026, 4, 1, 8, 30, 5), bkk(2026, 4, 2, 8, 30, 5), bkk(2026, 5, 1, 8, 30, 5)):
            traveller.move_to(moment)
            runner.run_due()
            runner.run_due()
    warnings = line.texts_to(groups["secretariat"])
    assert len(warnings) == 2 and all("2569" in body for body in warnings)
    with services.sessions() as session:
        keys = set(session.scalars(select(JobRun.key).where(JobRun.job == "workgroup-meetings")))
    assert keys == {"workgroup-meetings:2569-04", "workgroup-meetings:2569-05"}


def test_register_jobs_uses_explicit_ids_and_fire_runs_what_is_due(services, groups, risk):
    from apscheduler.schedulers.background import BackgroundScheduler

    from scheduler import registration
    from scheduler.triggers import PolicyTrigger

    line = RecordingLine()
    runner = make_runner(services, line, jobs=RISK_JOBS)
    scheduler = BackgroundScheduler(timezone="Asia/Bangkok")
    assert registration.register_jobs(scheduler, runner) == len([s for s in JOBS.values() if s.scheduled])
    assert registration.register_jobs(scheduler, runner) == len([s for s in JOBS.values() if s.scheduled])  # replaced
    ids = {job.id for job in scheduler.get_jobs()}
    assert ids == {job for job, spec in JOBS.items() if spec.scheduled} | {"sweep"}
    assert isinstance(scheduler.get_job("monthly-compile").trigger, PolicyTrigger)
    with time_machine.travel(bkk(2026, 4, 7, 17, 0, 5), tick=False):
        registration.fire("monthly-compile")
        registration.fire("monthly-compile")
    assert line.received()[groups["secretariat"]] == 1


def test_seed_fy2564_gives_the_secretariat_level_5_at_the_year_end(services, groups, risk):
    from bot.seed_fy2564 import load_fy2564

    with services.sessions.begin() as session:
        load_fy2564(session)
    line = RecordingLine()
    runner = make_runner(services, line)
    with time_machine.travel(bkk(2021, 10, 10, 9, 0, 5), tick=False):
        assert runner.run("quarterly-summary", "2564-Q4").status == "done"
        assert runner.run("quarterly-summary", "2564-Q2").status == "done"
    cards = [m["altText"] for _, to, messages, _ in line.calls if to == [groups["secretariat"]] for m in messages]
    assert "ไตรมาสที่ 4" in cards[0] and "ระดับ 5 (เป้าหมาย 4)" in cards[0]
    assert "สรุปผลการดำเนินงาน (ปลายปีงบประมาณ) ปีงบประมาณ 2564" in cards[1] and "ระดับ 5" in cards[1]
    assert "ไตรมาสที่ 2" in cards[2] and "ระดับ 3 (เป้าหมาย 4)" in cards[2]  # as reached by the end of March
    with services.sessions() as session:
        year_end = session.scalar(select(ReportVersion).where(ReportVersion.kind == "year-end"))
    assert [item["present"] for item in year_end.data["network"]["checklist"]] == [True] * 5
