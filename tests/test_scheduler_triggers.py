"""The clock's triggers as pure functions: given a policy and a moment, what is due and when."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from models import workdays as calendar
from models.periods import Period
from scheduler import triggers
from scheduler.periods import parse_day, parse_round, round_key
from scheduler.policy import Policy
from tests.test_scheduler_support import bkk

POLICY = Policy()


def steps(year: int, month: int, policy: Policy = POLICY) -> dict[str, str]:
    """A report month's cycle as 'YYYY-MM-DD HH:MM' strings."""
    return {
        name: f"{when:%Y-%m-%d %H:%M}"
        for name, when in triggers.monthly_steps(Period.of_month(year, month), policy).items()
    }


def test_a_plain_month_runs_on_days_1_5_7_and_8():
    # March 2569's report: April 2026; the 5th is a Sunday, so its reminder comes on Friday the 3rd.
    assert steps(2026, 3) == {
        "monthly-open": "2026-04-01 08:00",
        "monthly-reminder:day5": "2026-04-03 09:00",
        "monthly-reminder:day7": "2026-04-07 09:00",
        "monthly-compile": "2026-04-07 17:00",
        "monthly-overdue": "2026-04-08 09:00",
    }


def test_a_sunday_deadline_moves_to_friday_and_absorbs_the_day5_reminder():
    # June 2026: the 7th is a Sunday -> Friday the 5th; the day-5 reminder would fall on that day too.
    assert steps(2026, 5) == {
        "monthly-open": "2026-06-01 08:00",
        "monthly-reminder:day7": "2026-06-05 09:00",
        "monthly-compile": "2026-06-05 17:00",
        "monthly-overdue": "2026-06-08 09:00",
    }


def test_a_public_holiday_in_lieu_moves_the_deadline_to_the_working_day_before():
    # 7 December 2026 is the Father's Day holiday in lieu (Monday); 5-6 are the weekend -> Friday 4.
    assert calendar.holiday_name(date(2026, 12, 7)) is not None
    assert steps(2026, 11)["monthly-compile"] == "2026-12-04 17:00"


def test_as_is_policy_keeps_the_seventh_and_local_holidays_count():
    as_is = Policy(holiday_policy=calendar.AS_IS)
    assert steps(2026, 5, as_is)["monthly-compile"] == "2026-06-07 17:00"
    assert steps(2026, 9)["monthly-compile"] == "2026-10-07 17:00"  # a Wednesday
    local = Policy(extra_holidays=calendar.parse_extra_days(["2569-10-07"]))  # a local day off, BE date
    assert steps(2026, 9, local)["monthly-compile"] == "2026-10-06 17:00"
    assert calendar.parse_extra_days(["2026-10-07"]) == local.extra_holidays


def test_working_days_skip_weekends_and_thai_holidays():
    assert calendar.is_working_day(date(2026, 4, 10))  # a Friday
    assert not calendar.is_working_day(date(2026, 4, 11))  # Saturday
    assert not calendar.is_working_day(date(2026, 4, 13))  # Songkran
    assert calendar.adjust(date(2026, 4, 15), calendar.PREVIOUS_WORKING_DAY) == date(2026, 4, 10)
    assert calendar.adjust(date(2026, 4, 15), calendar.AS_IS) == date(2026, 4, 15)


def test_configured_times_move_the_steps():
    policy = Policy(compile_time=Policy().compile_time.replace(hour=15, minute=30), due_day=10)
    cycle = steps(2026, 7, policy)  # August 2026: the 10th is a Monday
    assert cycle["monthly-compile"] == "2026-08-10 15:30"
    assert cycle["monthly-reminder:day8"] == "2026-08-07 09:00"  # the 8th is a Saturday
    assert cycle["monthly-overdue"] == "2026-08-11 09:00"


def test_quarterly_summaries_follow_each_fiscal_quarter():
    found = triggers.occurrences("quarterly-summary", POLICY, bkk(2025, 10, 1), bkk(2026, 10, 31))
    assert [(o.period, f"{o.due_at:%Y-%m-%d %H:%M}") for o in found] == [
        ("2568-Q4", "2025-10-10 09:00"),
        ("2569-Q1", "2026-01-10 09:00"),
        ("2569-Q2", "2026-04-10 09:00"),
        ("2569-Q3", "2026-07-10 09:00"),
        ("2569-Q4", "2026-10-10 09:00"),
    ]
    assert Period.parse_quarter("2569-Q1") == Period.of_quarter(2569, 1)


def test_rounds_warn_before_they_close_including_the_overnight_one():
    found = triggers.occurrences("patrol-round-warning", POLICY, bkk(2026, 3, 15), bkk(2026, 3, 16))
    assert [(o.period, f"{o.due_at:%d %H:%M}") for o in found] == [
        ("2569-03-14:r2", "15 05:00"),
        ("2569-03-15:r1", "15 17:00"),
    ]
    closes = triggers.occurrences("patrol-round-close", POLICY, bkk(2026, 3, 15), bkk(2026, 3, 16))
    assert [o.key for o in closes] == ["patrol-round-close:2569-03-14:r2", "patrol-round-close:2569-03-15:r1"]
    assert triggers.occurrences("patrol-round-close", Policy(round_rule="gap"), bkk(2026, 3, 1), bkk(2026, 4, 1)) == []
    assert parse_round(round_key(date(2026, 3, 14), 2)) == (date(2026, 3, 14), 2)


def test_due_lists_only_what_has_come_and_is_not_stale():
    now = bkk(2026, 4, 7, 17, 0)
    due = triggers.due("monthly-reminder", POLICY, now, timedelta(hours=8))
    assert [o.key for o in due] == ["monthly-reminder:2569-03:day7"]
    assert triggers.due("monthly-compile", POLICY, now, timedelta(days=24))[0].key == "monthly-compile:2569-03"
    assert triggers.due("monthly-compile", POLICY, now - timedelta(seconds=1), timedelta(days=24)) == []
    # after a stop over the 7th: on the 9th the compile is still due, the morning reminder is stale
    restart = bkk(2026, 4, 9, 8, 0)
    assert [o.key for o in triggers.due("monthly-compile", POLICY, restart, timedelta(days=24))] == [
        "monthly-compile:2569-03"
    ]
    assert triggers.due("monthly-reminder", POLICY, restart, timedelta(hours=8)) == []


def test_upcoming_and_the_apscheduler_trigger_agree():
    now = bkk(2026, 3, 31, 12, 0)
    upcoming = triggers.upcoming("monthly-compile", POLICY, now, 2)
    assert [o.period for o in upcoming] == ["2569-03", "2569-04"]
    trigger = triggers.PolicyTrigger("monthly-compile", POLICY)
    first = trigger.get_next_fire_time(None, now)
    assert first == upcoming[0].due_at
    assert trigger.get_next_fire_time(first, first) == upcoming[1].due_at


def test_interval_slots_are_aligned_in_bangkok_time():
    found = triggers.occurrences("quota-watch", POLICY, bkk(2026, 3, 15, 10, 7), bkk(2026, 3, 15, 11, 0))
    assert [o.period for o in found] == ["2569-03-15T10:15", "2569-03-15T10:30", "2569-03-15T10:45"]


@pytest.mark.parametrize("key", ["2569-13", "69-03", "2569-Q5", "2569-03-15:x", "2569/03/15"])
def test_bad_period_keys_are_refused(key):
    parsers = (Period.parse_month, Period.parse_quarter, parse_round, parse_day)
    for parse in parsers:
        with pytest.raises(ValueError):
            parse(key)


def test_month_keys_are_buddhist_era():
    march = Period.parse_month("2569-03")
    assert (march.year, march.month, march.key, march.label()) == (2026, 3, "2569-03", "มีนาคม 2569")
    assert Period.of_month(2026, 12).next().key == "2570-01" and Period.of_month(2026, 1).previous().key == "2568-12"
