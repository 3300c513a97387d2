"""'สรุปของฉัน' through the LINE emulator: the volunteer's reports and where they stand, a patrol officer's day,
a clerk's open work orders, the secretariat's counts, and a newcomer's explanation."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from sqlalchemy import select

from models import Member, MemberStatus, ReportItem, Role, RosterStatus, StaffUser, UnitKind, UnitMembership
from models.timeutil import BANGKOK, thai_date, utcnow
from services.riskpoints.defects import open_defect
from services.riskpoints.registry import save_point
from services.riskpoints.units import create_unit, ensure_default_units
from services.workgroup.staff import create_link_code
from tests import workgroup_factories as make
from tests.line_fixtures import line  # noqa: F401 - the emulator fixture
from tests.test_admin_support import make_staff
from texts import common
from texts import summary as t

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=BANGKOK)
BASE = (13.7291, 100.5215)


def flex_text(replies) -> str:
    """Every Flex message of the replies as one JSON string (Thai kept readable)."""
    return json.dumps([m for m in replies if m.get("type") == "flex"], ensure_ascii=False)


def bubbles(replies) -> list[dict]:
    """The bubbles of the first Flex carousel in the replies."""
    carousel = next(m for m in replies if m.get("type") == "flex" and m["contents"]["type"] == "carousel")
    return carousel["contents"]["contents"]


def bubble_ref(bubble: dict) -> str:
    """The reference in a report bubble's title."""
    return bubble["body"]["contents"][0]["text"]


def reports_for(line, person, count: int, *, start: int = 1) -> list[int]:  # noqa: F811
    """`count` confirmed reports by this person, one hour apart, the last the newest."""
    with line.services.sessions.begin() as session:
        member = session.scalar(select(Member).where(Member.line_user_id == person.user_id))
        made = []
        for offset in range(count):
            number = start + offset
            report = make.report(session, NOW - timedelta(hours=count - offset), number=number, text=f"ข่าวที่ {number}")
            report.reporter_id, report.sender_key, report.place = member.id, person.user_id, "ตลาดคลองเตย"
            made.append(report.id)
        return made


def test_a_volunteer_sees_their_reports_newest_first_and_the_status_moves(line):  # noqa: F811
    line.clock.set(NOW)
    alice = line.user("อาสา สมใจ")
    alice.follow()
    first, second = reports_for(line, alice, 2)
    replies = alice.says("สรุปของฉัน")
    shown = bubbles(replies)
    assert [bubble_ref(b) for b in shown] == ["NR-2599-000002", "NR-2599-000001"]
    text = flex_text(replies)
    assert text.count(t.REPORT_STAGES["received"]) == 2 and "ดูรายละเอียด" in text and "เพิ่มข้อมูล" in text
    assert thai_date(NOW, short=True) in text and common.NOT_UNDERSTOOD not in replies.texts

    with line.services.sessions.begin() as session:
        found = make.agencies(session)
        make.forward(
            session, report_ids=[first], agency_ids=[found["immigration"].id], subject="ส่งข่าว", by="test", now=NOW
        )
    line.process()  # the sender hears of the forward first
    shown = bubbles(alice.says("ข่าวของฉัน"))
    statuses = [b["body"]["contents"][3]["contents"][1]["text"] for b in shown]
    assert statuses == [t.REPORT_STAGES["received"], t.REPORT_STAGES["forwarded"]]

    detail = alice.chooses("ดูรายละเอียด")  # the newest report's button
    body = detail.texts[0]
    assert body.startswith("ข่าว NR-2599-000002") and "ข่าวที่ 2" in body and "ตลาดคลองเตย" in body
    assert "รูปภาพ: 0 รูป" in body and "ความคืบหน้า" in body and "ได้รับแล้ว" in body
    assert "เพิ่มข้อมูล" in detail.quick_replies
    assert "ได้รับข่าว NR-2599-000002" not in body
    added = alice.taps(f"action=my_news_detail&id={first}").texts[0]
    assert "ส่งต่อหน่วยงานแล้ว" in added and thai_date(NOW, short=True) in added
    assert alice.says("สรุปของฉัน") and "NR-2599-000002" in alice.chooses("เพิ่มข้อมูล").texts[0]


def test_paging_and_someone_elses_report_stays_hidden(line):  # noqa: F811
    line.clock.set(NOW)
    alice, bob = line.user("อาสา หนึ่ง"), line.user("อาสา สอง")
    alice.follow()
    bob.follow()
    made = reports_for(line, alice, 12)
    shown = bubbles(alice.says("สรุปของฉัน"))
    assert len(shown) == 11 and bubble_ref(shown[0]) == "NR-2599-000012"
    assert "ยังมีข่าวอีก 2 เรื่อง" in json.dumps(shown[-1], ensure_ascii=False)
    page_two = bubbles(alice.chooses("ดูเพิ่มเติม"))
    assert [bubble_ref(b) for b in page_two] == ["NR-2599-000002", "NR-2599-000001"]
    assert bob.taps(f"action=my_news_detail&id={made[0]}").texts == [t.REPORT_NOT_YOURS]
    assert bob.taps("action=my_order&id=99999999999999999999").texts == [t.ITEM_NOT_YOURS]
    assert bob.taps("action=my_news&page=²").texts == [t.NO_MORE_REPORTS]


def test_a_photo_and_a_held_meeting_show_in_the_detail(line):  # noqa: F811
    line.clock.set(NOW)
    alice = line.user("อาสา สาม")
    alice.follow()
    (report_id,) = reports_for(line, alice, 1)
    with line.services.sessions.begin() as session:
        session.add(ReportItem(report_id=report_id, kind="image", sent_at=NOW - timedelta(minutes=50)))
        committee = make.committee(session)
        held = make.meeting(session, committee.id, NOW - timedelta(minutes=30))
        from services.workgroup.meetings import link_reports

        link_reports(session, held.id, [report_id])
    text = flex_text(alice.says("สรุปของฉัน"))
    assert t.REPORT_STAGES["considered"] in text
    body = alice.chooses("ดูรายละเอียด").texts[0]
    assert "รูปภาพ: 1 รูป" in body and "ที่ประชุมพิจารณาแล้ว" in body


def test_a_newcomer_gets_the_explanation_and_buttons(line):  # noqa: F811
    newcomer = line.user("คนใหม่")
    newcomer.follow()
    replies = newcomer.says("สรุปของฉัน")
    assert replies.texts == [t.NEWCOMER]
    assert set(replies.quick_replies) == {"แจ้งข่าว", "ลงทะเบียน"}
    with line.services.sessions.begin() as session:
        member = session.scalar(select(Member).where(Member.line_user_id == newcomer.user_id))
        member.status, member.full_name = MemberStatus.APPROVED, "คนใหม่ ใจดี"
    newcomer.says("ยกเลิก")
    replies = newcomer.says("งานของฉัน")
    assert replies.texts == [t.NO_REPORTS_YET] and replies.quick_replies == ["แจ้งข่าว"]


def _patrol_world(line):  # noqa: F811
    """A patrol unit with two points (RP-0001 at BASE), the secretariat and department units."""
    with line.services.sessions.begin() as session:
        ensure_default_units(session)
        unit = create_unit(session, code="patrol-1", name="สายตรวจเทศกิจ 1", kind=UnitKind.PATROL)
        base = {"district": "บางรัก", "kind": "dark_spot", "patrol_unit": "patrol-1", "active_from": date(2026, 11, 1)}
        save_point(
            session, {**base, "code": "RP-0001", "name": "ซอยเจริญกรุง 30", "latitude": BASE[0], "longitude": BASE[1]}
        )
        save_point(
            session,
            {**base, "code": "RP-0002", "name": "ป้ายรถเมล์หน้าวัด", "latitude": BASE[0] + 0.03, "longitude": BASE[1]},
        )
        return unit.id


def _on_roster(line, person, unit_id: int) -> None:  # noqa: F811
    with line.services.sessions.begin() as session:
        member = session.scalar(select(Member).where(Member.line_user_id == person.user_id))
        session.add(UnitMembership(unit_id=unit_id, member_id=member.id, status=RosterStatus.ACTIVE, invited_by="test"))


def test_a_patrol_officer_sees_todays_progress_checkins_and_open_defects(line):  # noqa: F811
    line.clock.set(NOW)
    officer = line.user("ส.ต.ต. สมชาย")
    officer.follow()
    unit_id = _patrol_world(line)
    _on_roster(line, officer, unit_id)
    officer.says("เช็คอิน RP-0001")
    officer.shares_location(BASE[0] + 0.00005, BASE[1])
    officer.says("ไม่มีรูป")
    officer.says("ยกเลิก")
    with line.services.sessions.begin() as session:
        from models import RiskPoint

        member = session.scalar(select(Member).where(Member.line_user_id == officer.user_id))
        point = session.scalar(select(RiskPoint).where(RiskPoint.code == "RP-0002"))
        open_defect(
            session, point, "lighting", NOW - timedelta(days=3), lambda *a: None, member=member, note="ไฟดับทั้งซอย"
        )

    replies = officer.says("สรุปของฉัน")
    text = flex_text(replies)
    assert "สายตรวจเทศกิจ 1" in text and "ตรวจแล้ว 1/2 จุด" in text and "ทั้งวัน: ตรวจแล้ว 1/4 ครั้ง" in text
    assert "RP-0001 ซอยเจริญกรุง 30" in text and "09:00 น." in text
    assert "ไฟส่องสว่างดับ ที่ RP-0002 · 3 วัน · รอรับงาน" in text
    assert common.NOT_UNDERSTOOD not in replies.texts

    points = officer.chooses("ดูจุดที่ยังไม่ครบ").texts[0]
    assert "RP-0001 ซอยเจริญกรุง 30 (1/2)" in points and "RP-0002" in points
    officer.says("สรุปของฉัน")
    check = officer.chooses("RP-0001 09:00").texts[0]
    assert check.startswith("เช็คอิน RP-0001 ซอยเจริญกรุง 30") and "รอบกลางวัน" in check and "รูปถ่าย: ไม่มี" in check
    officer.says("สรุปของฉัน")
    defect = officer.chooses("เรื่องชำรุด RP-0002").texts[0]
    assert "ไฟดับทั้งซอย" in defect and "ลำดับเหตุการณ์" in defect and "รอรับงาน" in defect
    stranger = line.user("คนอื่น")
    stranger.follow()
    assert stranger.taps(f"action=my_unit&id={unit_id}").texts == [t.ITEM_NOT_YOURS]


def test_a_clerk_sees_an_open_work_order_and_its_timeline(line):  # noqa: F811
    line.clock.set(NOW)
    clerk = line.user("เสมียน ฝ่ายโยธา")
    clerk.follow()
    _patrol_world(line)
    with line.services.sessions.begin() as session:
        from models import RiskPoint

        point = session.scalar(select(RiskPoint).where(RiskPoint.code == "RP-0001"))
        defect = open_defect(session, point, "lighting", NOW - timedelta(days=2), lambda *a: None)
        order_unit, ref = defect.order.unit_id, defect.order.ref
    _on_roster(line, clerk, order_unit)
    replies = clerk.says("งานของฉัน")
    text = flex_text(replies)
    assert f"{ref} · 2 วัน · รอรับงาน" in text and "RP-0001 ซอยเจริญกรุง 30" in text
    detail = clerk.chooses(ref).texts[0]
    assert detail.startswith(f"ใบงาน {ref}") and "ลำดับเหตุการณ์" in detail and "รอรับงาน" in detail


def test_the_secretariat_sees_todays_counts_and_the_meeting_button(line):  # noqa: F811
    line.clock.set(NOW)
    make_staff(line.services, "secretariat1", Role.SECRETARIAT)
    secretary, alice = line.user("เลขา สปท."), line.user("อาสา สี่")
    secretary.follow()
    alice.follow()
    reports_for(line, alice, 3)
    with line.services.sessions.begin() as session:
        staff = session.scalar(select(StaffUser).where(StaffUser.username == "secretariat1"))
        code = create_link_code(session, staff.id, utcnow()).code
    assert "secretariat1" in secretary.says(f"เชื่อมบัญชี {code}").texts[0]
    replies = secretary.says("สรุปของฉัน")
    card = next(m for m in replies if m.get("type") == "flex")
    assert card["altText"] == t.SECRETARIAT_ALT
    rows = {
        r["contents"][0]["text"]: r["contents"][1]["text"]
        for r in card["contents"]["body"]["contents"]
        if r.get("type") == "box"
    }
    assert rows[t.COUNT_REPORTS] == "3" and rows[t.COUNT_WAITING] == "3" and rows[t.COUNT_CHECKS] == "0"
    assert "ประชุม" in json.dumps(card, ensure_ascii=False)
    assert secretary.chooses("ประชุม").texts  # the existing command answers
