"""Guards on the network KPI (issue 14): a meeting ahead is planned, not held; an order without members is a draft."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from models import Role, StaffUser
from models.periods import Period
from models.settings import set_setting
from models.timeutil import be_year, thai_datetime, to_bangkok, utcnow
from models.workgroup import Committee, CommitteeRole, Meeting, MeetingKind, MeetingStatus
from reports.network_kpi import counted_meetings, level_3, level_4, network_kpi
from services.workgroup.committees import add_member, create_committee
from services.workgroup.meetings import create_meeting, update_meeting
from services.workgroup.staff import create_link_code
from tests import workgroup_factories as make
from tests.test_admin_support import make_staff
from tests.test_workgroup_admin import one, page, post_form, signed_in
from texts import workgroup as t

TODAY = make.bkk(2026, 12, 4, 10)  # 4 ธันวาคม 2569
MEETING_AT = make.bkk(2027, 1, 3, 9, 30)  # 3 มกราคม 2570, fiscal year 2570
FY2570 = Period.of_fiscal_year(2570)


def _committee(session):
    """A full committee in force for fiscal year 2570, and one meeting a year is enough for level 4."""
    set_setting(session, "workgroup.min_meetings", 1, by="test")
    return make.committee(session, valid_from=date(2026, 10, 1))


def _meeting_submitted_as_held(session, committee_id, warnings):
    return create_meeting(
        session,
        committee_id=committee_id,
        kind=MeetingKind.FULL,
        title="ประชุมคณะทำงาน ครั้งที่ 1/2570",
        starts_at=MEETING_AT,
        exchanged_information=True,
        status=MeetingStatus.HELD,
        by="test",
        now=TODAY,
        warn=warnings.append,
    )


def test_a_meeting_ahead_submitted_as_held_is_planned_and_counts_once_marked_held_on_its_day(services):
    with services.sessions.begin() as session:
        committee = _committee(session)
        warnings = []
        meeting = _meeting_submitted_as_held(session, committee.id, warnings)
        assert meeting.status == MeetingStatus.PLANNED
        assert warnings == [t.MEETING_NOT_YET_HELD.format(when=thai_datetime(MEETING_AT))]
        assert "3 ม.ค. 2570" in warnings[0]
        assert not level_4(session, FY2570, now=TODAY).achieved
        assert network_kpi(session, FY2570, now=TODAY).level < 4

        early = []  # marked held the day before: still planned
        update_meeting(session, meeting.id, status=MeetingStatus.HELD, now=make.bkk(2027, 1, 2, 16), warn=early.append)
        assert meeting.status == MeetingStatus.PLANNED and len(early) == 1

        on_the_day = make.bkk(2027, 1, 3, 12)
        done = []
        update_meeting(session, meeting.id, status=MeetingStatus.HELD, now=on_the_day, warn=done.append)
        assert meeting.status == MeetingStatus.HELD and done == []
        assert level_4(session, FY2570, now=on_the_day).achieved
        assert [m.id for m in counted_meetings(session, FY2570.starts, FY2570.ends, now=on_the_day)] == [meeting.id]
        assert network_kpi(session, FY2570, now=on_the_day).levels[3].achieved

        moved = []  # moved to a later date while held: planned again
        update_meeting(session, meeting.id, starts_at=make.bkk(2027, 2, 1), now=on_the_day, warn=moved.append)
        assert meeting.status == MeetingStatus.PLANNED and len(moved) == 1


def test_a_held_meeting_ahead_in_the_data_is_never_counted(services):
    with services.sessions.begin() as session:
        committee = _committee(session)
        meeting = _meeting_submitted_as_held(session, committee.id, [])
        meeting.status = MeetingStatus.HELD  # written around the rule (an old row, a script)
        session.flush()
        result = level_4(session, FY2570, now=TODAY)
        assert not result.achieved and result.evidence["meetings"] == []
        assert [row["why_not"] for row in result.evidence["not_counted"]] == [t.VERDICT_NOT_YET_HELD]
        assert counted_meetings(session, FY2570.starts, FY2570.ends, now=TODAY) == []
        assert counted_meetings(session, FY2570.starts, FY2570.ends) == [] or utcnow() >= MEETING_AT
        assert level_4(session, FY2570, now=make.bkk(2027, 1, 3, 12)).achieved  # once its day has come


def test_an_order_without_members_is_a_draft_until_members_are_added(services):
    with services.sessions.begin() as session:
        found = make.agencies(session)
        order = create_committee(
            session, by="test", name="คณะทำงานร่าง", order_no="1/2570", order_date=date(2026, 10, 1)
        )
        assert session.get(Committee, order.id) is not None  # saved, so members can be added later
        result = level_3(session, FY2570)
        assert not result.achieved and result.reason == t.LEVEL_3_ONLY_DRAFTS
        assert [(c["draft"], c["qualifies"]) for c in result.evidence["committees"]] == [(True, False)]

        add_member(session, order.id, by="test", role=CommitteeRole.CHAIR, agency_id=found["opr"].id)
        assert not level_3(session, FY2570).achieved  # BMA only: the immigration authority is still missing
        add_member(session, order.id, by="test", role=CommitteeRole.MEMBER, agency_id=found["immigration"].id)
        result = level_3(session, FY2570)
        assert result.achieved
        assert [(c["draft"], c["qualifies"]) for c in result.evidence["committees"]] == [(False, True)]


def _be(day: date) -> str:
    return f"{day:%d/%m}/{be_year(day)}"


def test_the_admin_forms_say_why_a_meeting_is_planned_and_show_a_draft_order(app, services):
    client = signed_in(app, services, Role.SECRETARIAT)
    with services.sessions.begin() as session:
        make.agencies(session)
    order = {"name": "คณะทำงานใหม่", "order_no": "2/2570", "order_date": "01/10/2569", "valid_from": "01/10/2569"}
    response = post_form(client, "/admin/workgroup/committees", order)
    assert response.status_code == 302
    committee = one(services, select(Committee))
    html = page(client, response.headers["Location"])
    assert t.COMMITTEE_DRAFT_SAVED in html and t.COMMITTEE_DRAFT in html
    assert t.COMMITTEE_DRAFT in page(client, "/admin/workgroup/committees")

    ahead = to_bangkok(utcnow()).date() + timedelta(days=30)
    data = {
        "committee_id": committee.id,
        "title": "ประชุมคณะทำงาน ครั้งที่ 1",
        "kind": "full",
        "date": _be(ahead),
        "time": "09:30",
        "status": "held",
    }
    response = post_form(client, "/admin/workgroup/meetings", data)
    assert response.status_code == 302
    meeting = one(services, select(Meeting))
    assert meeting.status == MeetingStatus.PLANNED
    html = page(client, response.headers["Location"])
    assert t.MEETING_NOT_YET_HELD.format(when=thai_datetime(meeting.starts_at)) in html


def test_line_shows_a_meeting_ahead_as_next_and_does_not_count_it(line):
    make_staff(line.services, "secretariat1", Role.SECRETARIAT)
    secretary = line.user("เลขา สปท.")
    secretary.follow()
    with line.services.sessions.begin() as session:
        set_setting(session, "workgroup.min_meetings", 1, by="test")
        staff = session.scalar(select(StaffUser).where(StaffUser.username == "secretariat1"))
        code = create_link_code(session, staff.id, utcnow()).code
        committee = make.committee(session, valid_from=to_bangkok(utcnow()).date() - timedelta(days=30))
        warnings = []
        submitted = create_meeting(
            session,
            committee_id=committee.id,
            kind=MeetingKind.FULL,
            title="ประชุมที่ยังไม่ถึงวัน",
            starts_at=utcnow() + timedelta(days=3),
            exchanged_information=True,
            status=MeetingStatus.HELD,
            by="test",
            warn=warnings.append,
        )
        assert submitted.status == MeetingStatus.PLANNED and warnings
        sneaked = make.meeting(session, committee.id, utcnow() + timedelta(days=1))
        sneaked.status = MeetingStatus.HELD  # held in the data, ahead in time
        title = sneaked.title
    assert secretary.says(f"เชื่อมบัญชี {code}").texts == [t.LINK_OK.format(name="secretariat1")]
    meeting, _waiting = secretary.says("ประชุม").texts
    assert meeting.startswith(f"การประชุมครั้งถัดไป\n{title}\n")
    assert "ประชุมที่พิจารณาข่าวสารจากเครือข่ายแล้ว 0 จากเกณฑ์อย่างน้อย 1 ครั้ง" in meeting
