"""Messaging within the quota: costs, the cached quota, the 80% warning and waiting for next month at 100%."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from line.messages import text
from line.messenger import LineApiError
from models import JobRun, OutboxStatus, OutgoingMessage, QuotaSnapshot
from models.settings import set_setting
from runtime import delivery, quota
from tests.test_scheduler_support import RecordingLine, add_group, bkk, make_runner, user_id


def queue(services, recipient: str, *, urgent: bool, purpose: str = "monthly-reminder") -> int:
    with services.sessions.begin() as session:
        return delivery.enqueue(session, recipient, [text("เตือน")], purpose=purpose, urgent=urgent)[0].id


def row(services, row_id: int) -> OutgoingMessage:
    with services.sessions() as session:
        return session.get(OutgoingMessage, row_id)


def test_a_group_push_costs_its_member_count_and_usage_is_kept_by_job(services):
    with services.sessions.begin() as session:
        group = add_group(session, "สายตรวจ", "patrol", members=42)
    line = RecordingLine()
    with time_machine.travel(bkk(2026, 3, 10, 9, 0), tick=False):
        first = queue(services, group, urgent=False)
        second = queue(services, user_id(), urgent=False, purpose="monthly-overdue")
        delivery.deliver_due(services.sessions, line)
        with services.sessions() as session:
            assert quota.usage_by_purpose(session, "2026-03") == {"monthly-reminder": 42, "monthly-overdue": 1}
            assert quota.current_state(session).used == 1 + 42  # LINE's figure when read, plus pushes since
    assert (row(services, first).quota_cost, row(services, second).quota_cost) == (42, 1)


def test_the_quota_is_read_from_line_at_most_every_ten_minutes(services):
    line = RecordingLine(quota=(1000, 10))
    with time_machine.travel(bkk(2026, 3, 10, 9, 0), tick=False) as traveller:
        delivery.deliver_due(services.sessions, line)
        delivery.deliver_due(services.sessions, line)
        assert line.quota_calls == 1
        traveller.shift(timedelta(minutes=11))
        delivery.deliver_due(services.sessions, line)
        assert line.quota_calls == 2
        with services.sessions() as session:
            snapshot = session.get(QuotaSnapshot, "2026-03")
            assert (snapshot.quota_limit, snapshot.used, snapshot.known) == (1000, 10, True)


def test_at_100_percent_non_urgent_pushes_wait_for_next_month_and_urgent_ones_go(services):
    with services.sessions.begin() as session:
        group = add_group(session, "ฝ่ายโยธา", "department", members=10)
    line = RecordingLine(quota=(100, 95))
    with time_machine.travel(bkk(2026, 3, 31, 20, 0), tick=False) as traveller:
        waiting = queue(services, group, urgent=False)
        urgent = queue(services, group, urgent=True, purpose="push")
        delivery.deliver_due(services.sessions, line)
        assert row(services, urgent).status == OutboxStatus.SENT
        deferred = row(services, waiting)
        assert deferred.status == OutboxStatus.PENDING and deferred.last_error == quota.DEFERRED
        assert deferred.next_attempt_at == bkk(2026, 4, 1)
        assert deferred.attempts == 0
        line.quota_value = (100, 0)  # a new month: LINE's count starts again
        traveller.move_to(bkk(2026, 4, 1, 0, 0, 30))
        delivery.deliver_due(services.sessions, line)
    assert row(services, waiting).status == OutboxStatus.SENT
    assert [to for _, to, _, _ in line.calls] == [[group], [group]]


def test_line_refusing_for_the_monthly_limit_also_moves_non_urgent_rows_to_next_month(services):
    line = RecordingLine(errors=[LineApiError(429, '{"message":"You have reached your monthly limit."}')])
    with time_machine.travel(bkk(2026, 3, 20, 9, 0), tick=False):
        waiting = queue(services, user_id(), urgent=False)
        delivery.deliver_due(services.sessions, line)
    deferred = row(services, waiting)
    assert deferred.status == OutboxStatus.PENDING and deferred.next_attempt_at == bkk(2026, 4, 1)


def test_admins_are_warned_once_at_80_and_once_at_100_percent(services):
    with services.sessions.begin() as session:
        admins = add_group(session, "ผู้ดูแลระบบ", "admin", members=2)
        set_setting(session, "scheduler.recipients.admins", ["admin"], by="test")
    line = RecordingLine(quota=(1000, 790))
    runner = make_runner(services, line)
    with time_machine.travel(bkk(2026, 3, 20, 9, 0), tick=False) as traveller:
        runner.run("quota-watch", "2569-03-20T09:00")
        assert line.texts_to(admins) == []
        line.quota_value = (1000, 820)
        traveller.shift(timedelta(minutes=15))
        runner.run("quota-watch", "2569-03-20T09:15")
        traveller.shift(timedelta(minutes=15))
        runner.run("quota-watch", "2569-03-20T09:30")
        assert len(line.texts_to(admins)) == 1 and "820 จาก 1,000 ข้อความ (82.0%)" in line.texts_to(admins)[0]
        line.quota_value = (1000, 1000)
        traveller.shift(timedelta(minutes=15))
        runner.run("quota-watch", "2569-03-20T09:45")
        runner.run("quota-watch", "2569-03-20T10:00")
    texts = line.texts_to(admins)
    assert len(texts) == 2 and "หมดแล้ว" in texts[1]
    with services.sessions() as session:
        keys = sorted(session.scalars(select(JobRun.key).where(JobRun.job == "quota-warning")))
    assert keys == ["quota-warning:2569-03:100", "quota-warning:2569-03:80"]
