"""The proof: a whole fiscal year on a controlled clock, two clock processes at once, stopped over a day 7.

The risk-point registry is the real one (models.riskpoints, reports.riskpoint_month): four units bound
to LINE groups, each submitting its month report on its own habit (early, after the day-5 reminder,
never, late). Every expected message to every recipient must be delivered exactly once. The clocks run
the monthly and quarterly jobs here; the daily round and camera jobs have their own test over a few
days with real points (tests/test_scheduler_daily.py), where they have something to say.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import select

from models import Chat, JobRun, MonthlySubmission, RiskUnit, RunStatus, UnitKind
from models.periods import Period
from models.settings import set_setting
from models.timeutil import BANGKOK
from runtime.db import make_engine, make_session_factory
from scheduler import triggers
from scheduler.jobs.registry import JOBS
from scheduler.policy import Policy
from scheduler.runner import Runner
from tests.test_scheduler_support import RecordingLine, add_group, bkk, delivered_by_run, sends_by_run, user_id

START, END = bkk(2025, 10, 1), bkk(2026, 10, 15)  # fiscal year 2569 and the cycles that report on it
STOP, RESTART = bkk(2026, 4, 6, 18, 0), bkk(2026, 4, 9, 8, 0)  # both clocks down over 7 April 2569
# (code, name, kind, day of the following month its report comes in at 10:00, or None: never)
UNITS = [
    ("P1", "สายตรวจเขตบางรัก", UnitKind.PATROL, 2),
    ("P2", "สายตรวจเขตปทุมวัน", UnitKind.PATROL, 6),
    ("D1", "ฝ่ายโยธา", UnitKind.DEPARTMENT, None),
    ("D2", "ฝ่ายรักษาความสะอาด", UnitKind.DEPARTMENT, 9),
]


def report_months() -> list[Period]:
    month, found = Period.of_month(2025, 9), []
    while month <= Period.of_month(2026, 9):
        found.append(month)
        month = month.next()
    return found


@pytest.fixture
def office(services):
    """The units and their groups, the secretariat group and two supervisors."""
    with services.sessions.begin() as session:
        groups = {}
        for code, name, kind, _ in UNITS:
            groups[code] = add_group(session, name, kind.value, members=8)
            unit = RiskUnit(code=code, name=name, kind=kind)
            session.add(unit)
            session.flush()
            unit.chat_id = session.scalar(select(Chat.id).where(Chat.line_chat_id == groups[code]))
        groups["secretariat"] = add_group(session, "ฝ่ายเลขานุการ สปท.", "secretariat", members=5)
        supervisors = [user_id(), user_id()]
        set_setting(session, "scheduler.recipients.supervisors", supervisors, by="test")
        units = {u.code: u.id for u in session.scalars(select(RiskUnit))}
    return groups, supervisors, units


def submission_times() -> dict[tuple[str, Period], datetime]:
    return {
        (code, month): datetime.combine(month.next().day(day), time(10, 0), BANGKOK)
        for month in report_months()
        for code, _, _, day in UNITS
        if day is not None
    }


CALENDAR_JOBS = {job: JOBS[job] for job in JOBS if job.startswith(("monthly-", "quarterly-"))}


def visits(policy: Policy) -> list[datetime]:
    """Every moment a clock fires in the window (each due time), minus the stop, plus the restart."""
    moments = {
        occurrence.due_at for job in CALENDAR_JOBS for occurrence in triggers.occurrences(job, policy, START, END)
    }
    kept = {moment for moment in moments if not STOP <= moment < RESTART}
    return sorted(kept | {RESTART})


def expected_deliveries(groups, supervisors, policy: Policy) -> Counter:
    """(run key, recipient) -> 1 for every message the year should bring."""
    submitted = submission_times()
    expected: Counter = Counter()
    for month in report_months():
        for name, due_at in triggers.monthly_steps(month, policy).items():
            job, _, step = name.partition(":")
            key = f"{job}:{month.key}" + (f":{step}" if step else "")
            if not START <= due_at < END:
                continue
            if STOP <= due_at < RESTART and RESTART - due_at > JOBS[job].stale_after:
                continue  # missed while the clocks were down and no longer worth sending
            when = max(due_at, RESTART) if STOP <= due_at < RESTART else due_at
            if job == "monthly-open":
                for code, *_ in UNITS:
                    expected[(key, groups[code])] += 1
            elif job == "monthly-reminder":
                for code, *_ in UNITS:
                    if not submitted.get((code, month)) or submitted[(code, month)] > when:
                        expected[(key, groups[code])] += 1
            elif job == "monthly-compile":
                expected[(key, groups["secretariat"])] += 1
            elif job == "monthly-overdue":
                for person in supervisors:
                    expected[(key, person)] += 1
    for occurrence in triggers.occurrences("quarterly-summary", policy, START, END):
        expected[(occurrence.key, groups["secretariat"])] += 1
        for person in supervisors:
            expected[(occurrence.key, person)] += 1
    return expected


def test_a_fiscal_year_with_two_clocks_and_a_stop_over_day_7_sends_everything_exactly_once(
    services, office, database_url
):
    groups, supervisors, units = office
    line = RecordingLine()
    second_engine = make_engine(database_url)
    clocks = [
        Runner(services.sessions, line, base_url="https://fieldline.example", owner="clock-a", jobs=CALENDAR_JOBS),
        Runner(
            make_session_factory(second_engine),
            line,
            base_url="https://fieldline.example",
            owner="clock-b",
            jobs=CALENDAR_JOBS,
        ),
    ]
    policy = Policy.load(None)
    pending = sorted(submission_times().items(), key=lambda item: item[1])
    try:
        with time_machine.travel(START, tick=False) as traveller, ThreadPoolExecutor(2) as pool:
            for turn, moment in enumerate(visits(policy)):
                while pending and pending[0][1] <= moment:  # units submit whether or not the clock runs
                    (code, month), at = pending.pop(0)
                    traveller.move_to(at)
                    with services.sessions.begin() as session:
                        session.add(
                            MonthlySubmission(
                                unit_id=units[code], year=month.year, month=month.month, submitted_at=at, figures={}
                            )
                        )
                traveller.move_to(moment + timedelta(seconds=5))
                first = clocks if turn % 2 else clocks[::-1]  # each clock starts first every other visit
                outcomes = [future.result() for future in [pool.submit(clock.run_due) for clock in first]]
                assert not [o for run in outcomes for o in run if o.status == "failed"], outcomes
    finally:
        second_engine.dispose()

    expected = expected_deliveries(groups, supervisors, policy)
    delivered = delivered_by_run(services, line)
    assert delivered == expected
    assert sends_by_run(services) == expected
    assert len({retry_key for *_, retry_key in line.calls}) == len(line.calls)

    with services.sessions() as session:
        runs = {run.key: run for run in session.scalars(select(JobRun))}
    assert {run.status for run in runs.values()} == {RunStatus.DONE}
    assert {run.owner for run in runs.values()} == {"clock-a", "clock-b"}  # both clocks did share the work
    assert runs["monthly-compile:2569-03"].late and runs["monthly-overdue:2569-03"].late
    assert "monthly-reminder:2569-03:day7" not in runs  # stale by the restart: the compile went instead
    assert not runs["monthly-compile:2569-02"].late
    assert len([key for key in runs if key.startswith("quarterly-summary:")]) == 5
    assert f"quarterly-summary:{Period.of_quarter(2569, 4).key}" in runs
    late_card = [m for _, to, messages, _ in line.calls if to == [groups["secretariat"]] for m in messages]
    assert sum("ส่งล่าช้ากว่ากำหนด" in str(card) for card in late_card) == 1
