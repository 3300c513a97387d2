"""Buttons instead of typing, Flex where labels do not fit, and words that say what really happened (issue 13)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select

from models import (
    Conversation,
    GroupRegistrationCode,
    Member,
    MemberStatus,
    Role,
    RosterStatus,
    UnitKind,
    UnitMembership,
    WorkOrder,
)
from models.districts import ZONES
from models.timeutil import BANGKOK
from models.workgroup import StaffLineLink
from services.network.groups import create_group_code
from services.riskpoints.units import create_unit, find_unit
from tests.line_fixtures import line  # noqa: F401 - the emulator fixture
from tests.test_admin_support import make_staff, post_form
from tests.test_network_admin_support import page, signed_in
from tests.test_riskpoint_dialogues import check_in_without_photo, north, world  # noqa: F401 - the fixture
from texts import network as t
from texts import riskpoints as rt

LONG_OCCUPATION = "พนักงานรักษาความปลอดภัย"  # 23 characters: a quick reply would cut it


def labels_of(replies) -> list[str]:
    """Every button label in these replies: quick replies, Flex buttons and tappable boxes."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            action = node.get("action")
            if isinstance(action, dict) and action.get("label"):
                found.append(action["label"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(list(replies))
    return found


def flex_actions(message: dict) -> list[dict]:
    """The actions of a Flex message's buttons, in order."""
    found: list[dict] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "button":
                found.append(node["action"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message["contents"])
    return found


def bubbles(message: dict) -> list[dict]:
    """The bubbles of a Flex message (one for a bubble, several for a carousel)."""
    contents = message["contents"]
    return contents["contents"] if contents["type"] == "carousel" else [contents]


def bubble_texts(bubble: dict) -> list[str]:
    """The texts shown in a bubble's body."""
    return [c["text"] for c in bubble["body"]["contents"] if c.get("type") == "text"]


def member_of(line, user) -> Member:  # noqa: F811 - the fixture's name
    with line.services.sessions() as session:
        return session.scalar(select(Member).where(Member.line_user_id == user.user_id))


def test_registration_is_done_entirely_by_tapping(line):  # noqa: F811
    somsri = line.user("สมศรี")
    said = [somsri.follow(), somsri.says("สมศรี รักดี"), somsri.says("0812345678")]
    occupation = said[-1]
    assert occupation[-1]["type"] == "flex" and occupation.quick_replies == [t.CANCEL]
    assert LONG_OCCUPATION in [a["label"] for a in flex_actions(occupation[-1])]  # named in full, not cut
    said.append(somsri.chooses(LONG_OCCUPATION))
    zones = said[-1]
    assert zones.texts == [t.ASK_DISTRICT]
    assert zones.quick_replies == [z.removeprefix("กลุ่ม") for z in ZONES] + [t.CANCEL]
    said.append(somsri.chooses("กรุงเทพใต้"))
    districts = said[-1]
    assert districts.quick_replies == [*ZONES["กลุ่มกรุงเทพใต้"], t.OTHER_ZONE, t.CANCEL]
    assert len(districts.quick_replies) <= 13
    said.append(somsri.chooses(t.OTHER_ZONE))
    assert said[-1].quick_replies[0] == "กรุงเทพกลาง"
    said.append(somsri.chooses("กรุงเทพตะวันออก"))
    assert "ประเวศ" in said[-1].quick_replies and "คลองเตย" not in said[-1].quick_replies
    said.append(somsri.chooses("ประเวศ"))
    assert said[-1].quick_replies == [t.CONSENT_YES, t.CONSENT_NO]
    said.append(somsri.chooses(t.CONSENT_YES))
    assert said[-1].texts == [t.REGISTERED_PENDING]

    member = member_of(line, somsri)
    assert (member.occupation_code, member.district, member.status) == (
        "security_guard",
        "ประเวศ",
        MemberStatus.PENDING,
    )
    every_label = [label for replies in said for label in labels_of(replies)]
    assert every_label and not [label for label in every_label if label.endswith("…")]
    assert all(len(label) <= 20 for replies in said for label in replies.quick_replies)
    assert not [text for replies in said for text in replies.texts if "พิมพ์ “ยกเลิก”" in text]


def test_a_typo_in_the_district_gets_suggestion_buttons_never_an_empty_list(line):  # noqa: F811
    nid = line.user("นิด")
    nid.follow()
    nid.says("นิด ใจงาม")
    nid.says("0898765432")
    nid.chooses("จิตอาสา")
    typo = nid.says("คลองเตน")
    assert typo.texts == [t.DISTRICT_SUGGESTIONS.format(typed="คลองเตน")]
    assert "คลองเตย" in typo.quick_replies and typo.quick_replies[-2:] == [t.OTHER_ZONE, t.CANCEL]
    nonsense = nid.says("ไม่รู้จัก xyz")
    assert nonsense.texts == [t.BAD_DISTRICT.format(typed="ไม่รู้จัก xyz")]
    assert len(nonsense.quick_replies) == 7  # the six district groups and cancel
    assert nid.says("คลองเตน").quick_replies  # still buttons
    consent = nid.chooses("คลองเตย")
    assert consent.quick_replies == [t.CONSENT_YES, t.CONSENT_NO]
    nid.chooses(t.CONSENT_YES)
    assert member_of(line, nid).district == "คลองเตย"


def test_a_person_on_a_unit_roster_is_not_asked_to_register_on_follow(line):  # noqa: F811
    invited, active, staff = line.user("ผู้ได้รับเชิญ"), line.user("เจ้าหน้าที่สายตรวจ"), line.user("เลขา")
    staff_id = make_staff(line.services, "secretary", Role.SECRETARIAT)
    with line.services.sessions.begin() as session:
        session.add(StaffLineLink(staff_user_id=staff_id, line_user_id=staff.user_id))
        unit = create_unit(session, code="patrol-9", name="สายตรวจ 9", kind=UnitKind.PATROL)
        for person, status in ((invited, RosterStatus.INVITED), (active, RosterStatus.ACTIVE)):
            member = Member(line_user_id=person.user_id, is_friend=False)
            session.add(member)
            session.flush()
            session.add(UnitMembership(unit_id=unit.id, member_id=member.id, status=status, invited_by="test"))
    for person in (invited, active, staff):
        greeting = person.follow()
        assert t.START_REGISTRATION not in greeting.texts and greeting.texts
    with line.services.sessions() as session:
        assert session.scalars(select(Conversation)).all() == []
    stranger = line.user("คนทั่วไป")
    assert t.START_REGISTRATION in stranger.follow().texts  # everyone else is still invited


def test_several_points_in_range_are_a_carousel_and_tapping_picks_one(world):  # noqa: F811
    emu, officer = world["emu"], world["officer"]
    check_in_without_photo(officer, "RP-0002", 175)
    officer.chooses("ปกติ ไม่มีเหตุ")
    emu.clock.set(datetime(2026, 11, 16, 9, 30, tzinfo=BANGKOK))
    officer.says("เช็คอิน")
    replies = officer.shares_location(*north(85))
    assert replies.texts == [rt.PICK_POINT.format(count=2)]
    carousel = replies[-1]
    assert carousel["type"] == "flex" and carousel["contents"]["type"] == "carousel"
    assert replies.quick_replies == [rt.CANCEL]
    first, second = (bubble_texts(b) for b in bubbles(carousel))
    assert first == ["RP-0001", "ซอยเจริญกรุง 30", "ห่างจากท่าน 85 ม.", rt.PICK_NOT_CHECKED]
    assert second == ["RP-0002", "ป้ายรถเมล์หน้าวัด", "ห่างจากท่าน 95 ม.", "ตรวจล่าสุดวันนี้ 08:00 น."]
    actions = flex_actions(carousel)
    assert [(a["label"], a["text"]) for a in actions] == [(rt.PICK_THIS, "RP-0001"), (rt.PICK_THIS, "RP-0002")]
    picked = officer.chooses(rt.PICK_THIS)  # the nearest point's button
    assert "RP-0001" in picked.texts[-1] and "ไม่มีรูป" in picked.quick_replies


def test_a_patrol_groups_registration_says_what_the_bot_does_there(line):  # noqa: F811
    chief = line.user("หัวหน้าสายตรวจ")
    group = line.group("สายตรวจเทศกิจ 2", [chief])
    with line.services.sessions.begin() as session:
        code = create_group_code(session, name="สายตรวจเทศกิจ 2", purpose="patrol", occupation=None, by="test")
        typed = f"ลงทะเบียนกลุ่ม {code.code}"
    said = chief.in_group(group).says(typed).texts[0]
    assert "สายตรวจ" in said and "จุดเสี่ยง" in said and "ข่าว" not in said
    with line.services.sessions() as session:
        assert session.scalar(select(GroupRegistrationCode)).used_at is not None


def test_the_secretariats_approval_is_pushed_to_the_volunteer(line):  # noqa: F811
    vee, wan = line.user("วี"), line.user("วัน")
    for person, name in ((vee, "วี มีสุข"), (wan, "วัน ดีใจ")):
        person.follow()
        person.says(name)
        person.says("0811112222" if person is vee else "0822223333")
        person.chooses("จิตอาสา")
        person.says("บางรัก")
        person.chooses(t.CONSENT_YES)
    client = signed_in(line.app, line.services, Role.SECRETARIAT)
    for person, decision in ((vee, "approve"), (wan, "reject")):
        member_id = member_of(line, person).id
        post_form(client, f"/admin/members/{member_id}/decide", {"decision": decision}, form_page="/admin/members")
    line.process()
    told = line.deliveries(vee)[-1]
    assert told.method == "push" and told.messages[0]["text"] == t.MEMBER_DECIDED["approved"]
    buttons = [item["action"]["label"] for item in told.messages[0]["quickReply"]["items"]]
    assert buttons == ["แจ้งข่าว", "สรุปของฉัน"]
    assert line.deliveries(wan)[-1].messages[0]["text"] == t.MEMBER_DECIDED["rejected"]
    assert member_of(line, vee).status == MemberStatus.APPROVED


def test_a_defect_for_a_department_without_a_group_says_so_and_the_web_warns(world):  # noqa: F811
    emu, officer = world["emu"], world["officer"]
    with emu.services.sessions.begin() as session:
        find_unit(session, "public_works").chat_id = None  # ฝ่ายโยธา has no LINE group
    check_in_without_photo(officer, "RP-0001", 15)
    officer.chooses("ไฟส่องสว่างดับ")
    answer = officer.chooses("เสร็จ").texts[0]
    assert "ฝ่ายโยธายังไม่มีกลุ่ม LINE: เลขานุการจะประสานต่อ" in answer and "ส่งถึง" not in answer
    assert not [d for d in emu.deliveries(world["works"]) if d.method != "reply" and d.messages[0]["type"] == "flex"]
    (order,) = _orders(emu)
    secretariat = emu.deliveries(world["secretariat"])[-1].messages[0]["text"]
    assert order.ref in secretariat and "ยังไม่มีกลุ่ม LINE" in secretariat

    client = signed_in(emu.app, emu.services, Role.ADMIN)
    badge = "ยังไม่ได้ส่งถึงฝ่าย (ไม่มีกลุ่ม LINE)"
    listing = page(client, "/admin/riskpoints/defects")
    row = re.search(r'<tr id="defect-\d+">.*?</tr>', listing, re.S).group(0)  # the filters name every status
    assert badge in row and "รอรับงาน" not in row
    assert badge in page(client, "/admin/riskpoints/board")

    with emu.services.sessions.begin() as session:  # the group is bound: the card is resent and the warning goes
        works = find_unit(session, "public_works")
        works.chat_id = _chat_id(session, world["works"])
    post_form(client, f"/admin/riskpoints/orders/{order.id}/resend", form_page="/admin/riskpoints/defects")
    listing = page(client, "/admin/riskpoints/defects")
    assert badge not in listing and "รอรับงาน" in listing


def test_a_defect_for_a_department_with_a_group_says_it_was_sent_there(world):  # noqa: F811
    officer = world["officer"]
    check_in_without_photo(officer, "RP-0001", 15)
    officer.chooses("ไฟส่องสว่างดับ")
    answer = officer.chooses("เสร็จ").texts[0]
    assert "ส่งถึงกลุ่ม LINE ของฝ่ายโยธาแล้ว" in answer


def _orders(emu) -> list[WorkOrder]:
    with emu.services.sessions() as session:
        return list(session.scalars(select(WorkOrder)))


def _chat_id(session, group) -> int:
    from models import Chat

    return session.scalar(select(Chat.id).where(Chat.line_chat_id == group.chat_id))


def test_no_text_tells_the_user_to_type_cancel():
    from texts import common, riskpoints, scheduler, workgroup

    for module in (t, common, riskpoints, scheduler, workgroup):
        words = [value for value in vars(module).values() if isinstance(value, str)]
        assert not [w for w in words if "พิมพ์ “ยกเลิก”" in w], module.__name__
