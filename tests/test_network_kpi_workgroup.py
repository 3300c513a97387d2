"""KPI levels 3 to 5 and the scheduler's checks: fiscal-year edges, expired orders, unacknowledged forwards."""

from __future__ import annotations

from datetime import date

from line.workgroup_cards import action_items_messages, meetings_warning_messages
from models.periods import Period
from models.settings import set_setting
from models.workgroup import MeetingStatus
from reports.network_kpi import kpi_by_quarter, level_3, level_4, level_5, network_kpi
from runtime.delivery import notifier
from services.workgroup.acknowledgements import remind_unacknowledged, unacknowledged
from services.workgroup.action_items import add_action_item, complete_action_item
from services.workgroup.committees import update_member
from services.workgroup.measures import record_measure
from services.workgroup.meetings import link_reports
from services.workgroup.reminders import action_items_due, meetings_behind
from tests import workgroup_factories as make


def test_meetings_on_30_september_and_1_october_fall_in_different_fiscal_years(services):
    with services.sessions.begin() as session:
        committee = make.committee(session)
        make.meeting(session, committee.id, make.bkk(2021, 3, 1))
        make.meeting(session, committee.id, make.bkk(2021, 9, 30, 23, 30))  # 16:30 UTC, still FY 2564
        make.meeting(session, committee.id, make.bkk(2021, 10, 1, 0, 30))  # 30 Sep 17:30 UTC, FY 2565
        fy64 = level_4(session, Period.of_fiscal_year(2564))
        fy65 = level_4(session, Period.of_fiscal_year(2565))
        q4 = level_4(session, Period.of_quarter(2564, 4))
    assert len(fy64.evidence["meetings"]) == 2 and fy64.achieved
    assert [m["date"] for m in fy64.evidence["meetings"]] == ["1 มีนาคม 2564", "30 กันยายน 2564"]
    assert [m["date"] for m in fy65.evidence["meetings"]] == ["1 ตุลาคม 2564"]
    assert not fy65.achieved
    assert len(q4.evidence["meetings"]) == 1


def test_a_committee_whose_order_expired_mid_year(services):
    with services.sessions.begin() as session:
        committee = make.committee(session, valid_from=date(2020, 10, 1), valid_until=date(2021, 3, 31))
        make.meeting(session, committee.id, make.bkk(2021, 2, 15))
        late = make.meeting(session, committee.id, make.bkk(2021, 5, 20))
        fy64 = network_kpi(session, Period.of_fiscal_year(2564))
        three, four = fy64.levels[2], fy64.levels[3]
        q3_alone = level_3(session, Period.of_quarter(2564, 3))
        fy65 = level_3(session, Period.of_fiscal_year(2565))
        late_id = late.id
    assert three.achieved and three.evidence["committees"][0]["expired_in_period"]
    assert "31 มีนาคม 2564" in three.evidence["committees"][0]["validity"]
    assert not four.achieved  # the May meeting was held after the order lapsed
    assert [m["meeting_id"] for m in four.evidence["not_counted"]] == [late_id]
    assert "ไม่มีผล" in four.evidence["not_counted"][0]["why_not"]
    assert not q3_alone.achieved and "ยังไม่มีคำสั่ง" in q3_alone.reason
    assert not fy65.achieved


def test_level_3_needs_an_outside_agency_with_authority_over_immigration(services):
    with services.sessions.begin() as session:
        make.committee(session, outside=None)
        bma_only = level_3(session, Period.of_fiscal_year(2564))
    assert not bma_only.achieved and "ยังขาด" in bma_only.reason
    with services.sessions.begin() as session:
        found = make.agencies(session)
        found["employment"].immigration_authority = False
        make.committee(session, outside="employment", name="อีกคณะ")
        result = level_3(session, Period.of_fiscal_year(2564))
    assert not result.achieved
    assert result.evidence["committees"][1]["outside_agencies"] == ["กรมการจัดหางาน"]
    assert result.evidence["committees"][1]["immigration_agencies"] == []


def test_a_member_who_left_before_the_year_does_not_count(services):
    with services.sessions.begin() as session:
        committee = make.committee(session)
        outside = next(m for m in committee.members if m.agency.code == "immigration")
        update_member(session, outside.id, by="test", left_on=date(2020, 9, 30))
        result = level_3(session, Period.of_fiscal_year(2564))
        history = [change.action for change in committee.changes]
    assert not result.achieved
    assert history == ["created", "member_added", "member_added", "member_added", "member_left"]


def test_meetings_that_did_not_consider_network_information_or_were_not_held_do_not_count(services):
    with services.sessions.begin() as session:
        committee = make.committee(session)
        make.meeting(session, committee.id, make.bkk(2021, 1, 10), exchanged=False)
        make.meeting(session, committee.id, make.bkk(2021, 2, 10), status=MeetingStatus.CANCELLED)
        planned = make.meeting(session, committee.id, make.bkk(2021, 3, 10), status=MeetingStatus.PLANNED)
        with_reports = make.meeting(session, committee.id, make.bkk(2021, 4, 10), exchanged=False)
        link_reports(session, with_reports.id, [make.report(session, make.bkk(2021, 4, 1)).id])
        result = level_4(session, Period.of_fiscal_year(2564))
        planned_id = planned.id
    assert len(result.evidence["meetings"]) == 1 and result.evidence["meetings"][0]["reports_considered"] == 1
    reasons = {row["meeting_id"]: row["why_not"] for row in result.evidence["not_counted"]}
    assert reasons[planned_id] == "ยังไม่ได้ประชุม"
    assert sorted(reasons.values()) == sorted(
        ["ไม่ได้แลกเปลี่ยนข้อมูลหรือพิจารณาข่าวสารจากเครือข่าย", "ยกเลิกการประชุม", "ยังไม่ได้ประชุม"]
    )
    with services.sessions.begin() as session:
        set_setting(session, "workgroup.min_meetings", 1, by="test")
        assert level_4(session, Period.of_fiscal_year(2564)).achieved


def test_a_forward_never_acknowledged_is_listed_reminded_once_and_level_5_waits_for_a_measure(services):
    with services.sessions.begin() as session:
        agency, forward = make.forward_one_report(
            session, "immigration", make.bkk(2021, 6, 1), make.bkk(2021, 6, 2), members=30
        )
        assert not level_5(session, Period.of_fiscal_year(2564)).achieved
        assert [r.agency.code for r in unacknowledged(session)] == ["immigration"]
        assert (
            remind_unacknowledged(session, make.bkk(2021, 6, 3), notifier(session, "forward-reminder", urgent=False))
            == 0
        )  # not yet three days
        assert (
            remind_unacknowledged(session, make.bkk(2021, 6, 6), notifier(session, "forward-reminder", urgent=False))
            == 1
        )
        assert (
            remind_unacknowledged(session, make.bkk(2021, 6, 20), notifier(session, "forward-reminder", urgent=False))
            == 0
        )  # reminded once only
        assert [r.agency.code for r in unacknowledged(session)] == ["immigration"]  # still listed
        record_measure(
            session,
            forward_id=forward.id,
            agency_id=agency.id,
            title="ตรวจสอบพื้นที่ร่วมกับเขต",
            by="test",
            reported_on=date(2021, 6, 25),
        )
        assert level_5(session, Period.of_fiscal_year(2564)).achieved
        assert unacknowledged(session) == []  # reporting back counts as having received it


def test_a_measure_reported_after_the_quarter_counts_only_from_then(services):
    with services.sessions.begin() as session:
        agency, forward = make.forward_one_report(
            session,
            "employment",
            make.bkk(2021, 3, 1),
            make.bkk(2021, 3, 20),
            members=None,
            via_line=False,
            via_letter=True,
        )
        record_measure(
            session,
            forward_id=forward.id,
            agency_id=agency.id,
            title="ออกตรวจสถานประกอบการ",
            by="test",
            reported_on=date(2021, 4, 5),
            kind="action",
        )
        q2 = level_5(session, kpi_by_quarter(session, 2564)[1].period)
        q3 = level_5(session, kpi_by_quarter(session, 2564)[2].period)
    assert not q2.achieved and q3.achieved
    assert q3.evidence["forwards"][0]["letters"] == ["กท/1"]


def test_meetings_behind_warns_after_half_year_only_when_meetings_are_missing(services):
    with services.sessions.begin() as session:
        committee = make.committee(session)
        make.meeting(session, committee.id, make.bkk(2021, 2, 1))
        assert meetings_behind(session, 2564, date(2021, 3, 31)) is None  # first half
        warning = meetings_behind(session, 2564, date(2021, 4, 1))
        assert warning is not None and (warning.held, warning.required) == (1, 2)
        assert warning.days_left == 182
        assert "ผ่านครึ่งปีแล้ว" in warning.text() and "ยังไม่มีการนัดประชุม" in warning.text()
        make.meeting(session, committee.id, make.bkk(2021, 6, 1, 9), status=MeetingStatus.PLANNED)
        assert "ครั้งถัดไป 1 มิ.ย. 2564 09:00 น." in meetings_behind(session, 2564, date(2021, 4, 1)).text()
        assert meetings_behind(session, 2564, date(2021, 10, 1)) is None  # another fiscal year
        make.meeting(session, committee.id, make.bkk(2021, 4, 20))
        assert meetings_behind(session, 2564, date(2021, 4, 19)) is not None
        assert meetings_behind(session, 2564, date(2021, 4, 20)) is None
        assert len(meetings_warning_messages(meetings_behind(session, 2564, date(2021, 4, 1)))) == 1


def test_action_items_due_lists_open_tasks_due_within_the_days_ahead(services):
    with services.sessions.begin() as session:
        found = make.agencies(session)
        committee = make.committee(session)
        held = make.meeting(session, committee.id, make.bkk(2021, 7, 2))
        soon = add_action_item(session, held.id, text="ส่งแผน", agency_id=found["opr"].id, due_on=date(2021, 7, 10))
        add_action_item(session, held.id, text="ไกลออกไป", due_on=date(2021, 8, 30))
        add_action_item(session, held.id, text="มติ", is_decision=True, due_on=date(2021, 7, 9))
        done = add_action_item(session, held.id, text="เสร็จแล้ว", due_on=date(2021, 7, 9))
        complete_action_item(session, done.id, make.bkk(2021, 7, 5))
        due = action_items_due(session, date(2021, 7, 7), 3)
        today = action_items_due(session, date(2021, 7, 10), 0)
        messages = action_items_messages(due)
    assert [(item.item_id, item.days_left, item.agency) for item in due] == [(soon.id, 3, "สำนักงานปกครองและทะเบียน")]
    assert [item.days_left for item in today] == [0]
    assert len(messages) == 1 and "ครบกำหนด 10 กรกฎาคม 2564 อีก 3 วัน" in messages[0].text
    assert action_items_messages([]) == []
