"""Unit rosters: invited from the admin web, accepted in LINE; only members act for their unit."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from bot.auth import Role
from line.messages import button_label
from models import CheckAttempt, Conversation, Member, MonthlySubmission, PatrolCheck, RosterStatus, UnitKind
from models import UnitMembership as Membership
from models.timeutil import BANGKOK, utcnow
from services.riskpoints.errors import RiskPointError
from services.riskpoints.registry import save_point
from services.riskpoints.roster import accept, candidates, invite
from services.riskpoints.units import create_unit, ensure_default_units, find_unit
from tests.line_fixtures import line  # noqa: F401 - the emulator fixture
from tests.roster_factories import enrol
from tests.test_admin_support import audit_entries, csrf_token
from tests.test_network_admin_support import page, signed_in
from tests.test_riskpoint_dialogues import BASE, bind, north

OTHER = north(3000)  # RP-0009, a point of the second patrol unit


@pytest.fixture
def world(line):  # noqa: F811 - the imported fixture
    """Two patrol units with a point each, an officer and a volunteer (both friends), a secretariat client."""
    emu = line
    emu.clock.set(datetime(2026, 11, 16, 8, 0, tzinfo=BANGKOK))
    officer, volunteer = emu.user("ส.ต.ต. สมชาย"), emu.user("อาสา มานี")
    for person in (officer, volunteer):
        person.follow()
        person.says("ยกเลิก")  # not now, thanks: the network registration offered on follow
    with emu.services.sessions.begin() as session:
        ensure_default_units(session)
        first = create_unit(session, code="patrol-1", name="สายตรวจเทศกิจ 1", kind=UnitKind.PATROL)
        create_unit(session, code="patrol-2", name="สายตรวจเทศกิจ 2", kind=UnitKind.PATROL)
        base = {"district": "บางรัก", "kind": "dark_spot", "active_from": date(2026, 11, 1)}
        save_point(
            session,
            {**base, "code": "RP-0001", "name": "ซอยเจริญกรุง 30", "patrol_unit": "patrol-1", "latitude": BASE[0]}
            | {"longitude": BASE[1]},
        )
        save_point(
            session,
            {**base, "code": "RP-0009", "name": "ลานจอดรถริมคลอง", "patrol_unit": "patrol-2", "latitude": OTHER[0]}
            | {"longitude": OTHER[1]},
        )
        unit_id = first.id
    client = signed_in(emu.app, emu.services, Role.SECRETARIAT)
    return {"emu": emu, "officer": officer, "volunteer": volunteer, "unit_id": unit_id, "client": client}


def roster_path(world) -> str:
    return f"/admin/riskpoints/units/{world['unit_id']}/roster"


def member_id(emu, person) -> int:
    with emu.services.sessions() as session:
        return session.scalar(select(Member.id).where(Member.line_user_id == person.user_id))


def invite_from_web(world, person):
    """The secretariat finds the person by name on the roster page and presses "เชิญ"."""
    client, path = world["client"], roster_path(world)
    html = page(client, f"{path}?q={person.name.split()[-1]}")
    assert person.name in html
    form = {"csrf_token": csrf_token(client, path), "member_id": member_id(world["emu"], person)}
    response = client.post(f"{path}/invite", data=form)
    assert response.status_code == 302
    world["emu"].process()


def membership(emu, person) -> Membership:
    with emu.services.sessions() as session:
        return session.scalars(
            select(Membership)
            .join(Member, Member.id == Membership.member_id)
            .where(Member.line_user_id == person.user_id)
        ).one()


def count(emu, model) -> int:
    with emu.services.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_an_invitation_from_the_web_is_accepted_in_line_and_the_member_checks_in(world):
    emu, officer = world["emu"], world["officer"]
    invite_from_web(world, officer)
    invitation = emu.deliveries(officer)[-1]
    assert invitation.method == "push" and invitation.messages[0]["type"] == "flex"
    assert "สายตรวจเทศกิจ 1" in invitation.messages[0]["altText"]
    assert membership(emu, officer).status == RosterStatus.INVITED
    (entry,) = audit_entries(emu.services, "riskpoint.roster_invite")
    assert entry.object_id == str(membership(emu, officer).id)
    assert "รอตอบรับ" in page(world["client"], roster_path(world))
    assert roster_path(world) in page(world["client"], "/admin/riskpoints/units")  # linked from the units list
    assert signed_in(emu.app, emu.services, Role.VIEWER).get(roster_path(world)).status_code == 403

    replies = officer.chooses("รับคำเชิญ")
    assert replies.texts[0].startswith("คุณเป็นสมาชิกของ สายตรวจเทศกิจ 1 แล้ว")
    assert {"เช็คอิน", "ตรวจกล้อง", "ส่งรายงาน"} <= set(replies.quick_replies)
    assert membership(emu, officer).status == RosterStatus.ACTIVE
    with emu.services.sessions() as session:
        assert session.get(Member, member_id(emu, officer)).menu_wanted == "patrol"
    html = page(world["client"], roster_path(world))
    assert "เป็นสมาชิก" in html and "16 พ.ย. 2569" in html and "2026" not in html

    again = officer.taps(f"action=roster&id={membership(emu, officer).id}&answer=yes")  # twice changes nothing
    assert again.texts[0].startswith("คุณเป็นสมาชิกของ")
    assert "ส่งตำแหน่งปัจจุบัน" in officer.chooses("เช็คอิน").quick_replies
    officer.shares_location(*north(40))
    assert "บันทึกการตรวจ RP-0001" in officer.says("ไม่มีรูป").texts[0]
    assert count(emu, PatrolCheck) == 1


def test_a_volunteer_is_refused_politely_and_nothing_is_recorded(world):
    emu, volunteer = world["emu"], world["volunteer"]
    for command in ("เช็คอิน", "ตรวจกล้อง", "เช็คอิน RP-0001"):
        replies = volunteer.says(command)
        assert "ใช้ได้เฉพาะเจ้าหน้าที่สายตรวจ" in replies.texts[0] and "ฝ่ายเลขานุการ" in replies.texts[0]
        assert {"แจ้งข่าว", "สรุปของฉัน"} <= set(replies.quick_replies)
    assert count(emu, Conversation) == 0
    volunteer.shares_location(*north(40))  # a location sent after the refusal is no check-in either
    assert count(emu, CheckAttempt) == 0 and count(emu, PatrolCheck) == 0


def test_only_the_invited_person_answers_and_a_declined_person_can_be_invited_again(world):
    emu, officer, volunteer = world["emu"], world["officer"], world["volunteer"]
    invite_from_web(world, officer)
    mine = membership(emu, officer).id
    replies = volunteer.taps(f"action=roster&id={mine}&answer=yes")
    assert "ส่งถึงบุคคลอื่น" in replies.texts[0]
    assert membership(emu, officer).status == RosterStatus.INVITED
    assert "ไม่พบคำเชิญ" in volunteer.taps("action=roster&id=999999&answer=yes").texts[0]

    assert "ปฏิเสธคำเชิญของสายตรวจเทศกิจ 1แล้ว" in officer.chooses("ปฏิเสธ").texts[0]
    assert membership(emu, officer).status == RosterStatus.DECLINED
    assert "ปฏิเสธคำเชิญ" in officer.taps(f"action=roster&id={mine}&answer=yes").texts[0]
    assert membership(emu, officer).status == RosterStatus.DECLINED
    assert "ใช้ได้เฉพาะเจ้าหน้าที่สายตรวจ" in officer.says("เช็คอิน").texts[0]

    invite_from_web(world, officer)  # invited again: the same row, waiting again
    assert membership(emu, officer).status == RosterStatus.INVITED
    assert officer.chooses("รับคำเชิญ").texts[0].startswith("คุณเป็นสมาชิกของ")


def test_a_removed_member_can_no_longer_check_in(world):
    emu, officer, client = world["emu"], world["officer"], world["client"]
    invite_from_web(world, officer)
    officer.chooses("รับคำเชิญ")
    mine = membership(emu, officer).id
    path = roster_path(world)
    response = client.post(f"{path}/{mine}/remove", data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 302
    assert "นำออกแล้ว" in page(client, path)
    assert len(audit_entries(emu.services, "riskpoint.roster_remove")) == 1
    assert client.post(f"{path}/{mine}/remove", data={}).status_code == 400  # no CSRF token, no change
    with emu.services.sessions() as session:
        assert session.get(Member, member_id(emu, officer)).menu_wanted != "patrol"
    assert "ใช้ได้เฉพาะเจ้าหน้าที่สายตรวจ" in officer.says("เช็คอิน").texts[0]
    assert "ถูกนำออก" in officer.taps(f"action=roster&id={mine}&answer=yes").texts[0]
    assert count(emu, CheckAttempt) == 0


def test_an_officer_checks_only_the_points_of_their_own_units(world):
    emu, officer = world["emu"], world["officer"]
    with emu.services.sessions.begin() as session:
        enrol(session, officer.user_id, find_unit(session, "patrol-1"))
    replies = officer.says("เช็คอิน RP-0009")
    assert "อยู่ในความรับผิดชอบของสายตรวจเทศกิจ 2" in replies.texts[0]
    officer.says("เช็คอิน")
    replies = officer.shares_location(*north(20, OTHER))
    assert "RP-0009" in replies.texts[0] and "สายตรวจเทศกิจ 2" in replies.texts[0]
    assert count(emu, PatrolCheck) == 0


def test_invitations_go_only_to_friends_of_the_bot(world):
    emu, volunteer = world["emu"], world["volunteer"]
    sent = []
    with emu.services.sessions.begin() as session:
        stranger = Member(line_user_id="U" + "0" * 32, display_name="คนแปลกหน้า", is_friend=False)
        session.add(stranger)
        session.flush()
        unit = find_unit(session, "patrol-1")
        names = [m.display_name for m in candidates(session, "")]
        assert "คนแปลกหน้า" not in names and volunteer.name in names
        with pytest.raises(RiskPointError, match="เพื่อนกับบอท"):
            invite(session, unit, stranger, by="test", now=utcnow(), notify=lambda *a: sent.append(a))
        friend = session.scalar(select(Member).where(Member.line_user_id == volunteer.user_id))
        row = invite(session, unit, friend, by="test", now=utcnow(), notify=lambda *a: sent.append(a))
        accept(session, row, friend, utcnow())
        with pytest.raises(RiskPointError, match="อยู่แล้ว"):
            invite(session, unit, friend, by="test", now=utcnow(), notify=lambda *a: sent.append(a))
    assert len(sent) == 1 and sent[0][0] == volunteer.user_id


# --- month reports --------------------------------------------------------------------------------------


@pytest.fixture
def units(line):  # noqa: F811 - the imported fixture
    """Public works (bound to a group) with its head; cleaning with its own clerk; December 3rd 2569."""
    emu = line
    emu.clock.set(datetime(2026, 12, 3, 10, 0, tzinfo=BANGKOK))
    head, cleaner = emu.user("นายช่าง วิชัย"), emu.user("หัวหน้า สมปอง")
    for person in (head, cleaner):
        person.follow()
        person.says("ยกเลิก")  # the network registration offered on follow
    works = emu.group("ฝ่ายโยธา", [head, cleaner])
    with emu.services.sessions.begin() as session:
        ensure_default_units(session)
        bind(session, find_unit(session, "public_works"), works, "department")
        enrol(session, head.user_id, find_unit(session, "public_works"))
        enrol(session, cleaner.user_id, find_unit(session, "cleaning"))
    return {"emu": emu, "head": head, "cleaner": cleaner, "works": works}


def test_only_ended_months_of_own_units_are_offered(units):
    emu, head = units["emu"], units["head"]
    replies = head.says("ส่งรายงาน")  # one unit: no question which
    assert "เดือนใด" in replies.texts[0]
    assert replies.quick_replies == ["พ.ย. 2569", "ต.ค. 2569", "ยกเลิก"]  # never ธ.ค. 2569, still running
    replies = head.says("ธ.ค. 2569")
    assert "เฉพาะเดือนที่สิ้นสุดแล้ว" in replies.texts[0] and "ธ.ค. 2569" not in replies.quick_replies
    head.chooses("ต.ค. 2569")
    head.chooses("ไม่มี")
    assert "ส่งรายงานประจำเดือนตุลาคม 2569 ของฝ่ายโยธา" in head.chooses("ยืนยันส่ง").texts[0]
    assert head.says("ส่งรายงาน").quick_replies == ["พ.ย. 2569", "ยกเลิก"]  # October is sent
    head.says("ยกเลิก")

    with emu.services.sessions.begin() as session:
        enrol(session, head.user_id, find_unit(session, "cleaning"))
    replies = head.says("ส่งรายงาน")
    cleaning = button_label("ฝ่ายรักษาความสะอาดและสวนสาธารณะ")
    assert sorted(replies.quick_replies) == sorted(["ฝ่ายโยธา", cleaning, "ยกเลิก"])  # not ฝ่ายเทศกิจ
    replies = head.chooses(cleaning)
    assert replies.quick_replies == ["พ.ย. 2569", "ต.ค. 2569", "ยกเลิก"]


def test_at_most_three_months_are_offered(units):
    emu, head = units["emu"], units["head"]
    emu.clock.set(datetime(2027, 2, 10, 10, 0, tzinfo=BANGKOK))
    assert head.says("ส่งรายงาน").quick_replies == ["ม.ค. 2570", "ธ.ค. 2569", "พ.ย. 2569", "ยกเลิก"]


def test_a_member_of_another_unit_is_refused_in_a_units_group(units):
    emu, cleaner = units["emu"], units["cleaner"]
    replies = cleaner.in_group(units["works"]).says("ส่งรายงาน")
    assert "เฉพาะสมาชิกในรายชื่อของหน่วยนี้" in replies.texts[0] and "ฝ่ายโยธา" in replies.texts[0]
    assert count(emu, Conversation) == 0 and count(emu, MonthlySubmission) == 0
    stranger = emu.user("ผู้ใช้ทั่วไป")
    stranger.follow()
    stranger.says("ยกเลิก")
    replies = stranger.says("ส่งรายงาน")
    assert "เฉพาะสมาชิกของหน่วยสายตรวจหรือหน่วยงาน" in replies.texts[0] and "แจ้งข่าว" in replies.quick_replies
