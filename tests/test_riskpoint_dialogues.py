"""Emulator dialogues of the risk-point programme: check-ins, camera checks, letters, work orders."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from docx import Document
from PIL import Image
from sqlalchemy import func, select

from models import (
    CameraCheck,
    Chat,
    CheckAttempt,
    CoordinationLetter,
    Defect,
    DefectStatus,
    OrderStatus,
    PatrolCheck,
    RiskCamera,
    RiskPoint,
    RiskUnit,
    UnitKind,
    WorkOrder,
)
from models.timeutil import BANGKOK, thai_date, utcnow
from reports.documents.coordination_letter import render_letter
from reports.documents.official_letter import thai_digits
from runtime.delivery import notifier
from services.riskpoints.patrols import close_round
from services.riskpoints.registry import save_point
from services.riskpoints.units import create_unit, ensure_default_units, find_unit
from tests.line_fixtures import line  # noqa: F401 - the emulator fixture
from tests.roster_factories import enrol

BASE = (13.7291, 100.5215)  # RP-0001
METRE = 180 / (3.141592653589793 * 6_371_000)  # degrees of latitude per metre (haversine sphere)


def north(metres: float, origin: tuple[float, float] = BASE) -> tuple[float, float]:
    """A point some metres north of the origin."""
    return origin[0] + metres * METRE, origin[1]


def jpeg(colour=(200, 30, 30)) -> bytes:
    """A small JPEG photo."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="JPEG")
    return out.getvalue()


def bind(session, unit: RiskUnit, group, purpose: str) -> None:
    """Register the emulator's group as FieldLine would, and bind the unit to it."""
    chat = session.scalar(select(Chat).where(Chat.line_chat_id == group.chat_id))
    chat.name, chat.purpose, chat.registered_at, chat.registered_by = group.name, purpose, utcnow(), "test"
    unit.chat_id = chat.id


@pytest.fixture
def world(line):  # noqa: F811 - the imported fixture
    """Officer, a patrol unit, two departments, the secretariat, and four points (one with a camera)."""
    emu = line
    emu.clock.set(datetime(2026, 11, 16, 8, 0, tzinfo=BANGKOK))
    officer = emu.user("ส.ต.ต. สมชาย")
    fixer = emu.user("นายช่าง วิชัย")
    clerk = emu.user("เลขา สมศรี")
    officer.follow()
    fixer.follow()
    patrol_group = emu.group("สายตรวจเทศกิจ 1", [officer])
    cleaning_group = emu.group("ฝ่ายรักษาความสะอาด", [fixer])
    works_group = emu.group("ฝ่ายโยธา", [fixer])
    secretariat_group = emu.group("เลขาโครงการ", [clerk])
    with emu.services.sessions.begin() as session:
        ensure_default_units(session)
        patrol = create_unit(session, code="patrol-1", name="สายตรวจเทศกิจ 1", kind=UnitKind.PATROL)
        bind(session, patrol, patrol_group, "patrol")
        bind(session, find_unit(session, "cleaning"), cleaning_group, "department")
        bind(session, find_unit(session, "public_works"), works_group, "department")
        bind(session, find_unit(session, "secretariat"), secretariat_group, "department")
        enrol(session, officer.user_id, patrol)
        enrol(session, fixer.user_id, find_unit(session, "public_works"))
        base = {"district": "บางรัก", "kind": "dark_spot", "patrol_unit": "patrol-1", "active_from": date(2026, 11, 1)}
        save_point(
            session, {**base, "code": "RP-0001", "name": "ซอยเจริญกรุง 30", "latitude": BASE[0], "longitude": BASE[1]}
        )
        second = north(180)
        save_point(
            session, {**base, "code": "RP-0002", "name": "ป้ายรถเมล์หน้าวัด", "latitude": second[0], "longitude": second[1]}
        )
        third = north(3000)
        save_point(
            session,
            {
                **base,
                "code": "RP-0003",
                "name": "ลานจอดรถริมคลอง",
                "latitude": third[0],
                "longitude": third[1],
                "cameras": "CAM-0003: สำนักการจราจรและขนส่ง",
            },
        )
        fourth = north(6000)
        save_point(
            session,
            {
                **base,
                "code": "RP-0004",
                "name": "อาคารร้างซอย 9",
                "latitude": fourth[0],
                "longitude": fourth[1],
                "photo_required": "ใช่",
            },
        )
    return {
        "emu": emu,
        "officer": officer,
        "fixer": fixer,
        "patrol": patrol_group,
        "cleaning": cleaning_group,
        "works": works_group,
        "secretariat": secretariat_group,
    }


def check_in_without_photo(officer, code: str, metres: float):
    """Check in at a point from `metres` north of the base, skipping the photo; return the replies to the skip."""
    officer.says(f"เช็คอิน {code}")
    officer.shares_location(*north(metres))
    return officer.says("ไม่มีรูป")


def rows(emu, model, *where):
    with emu.services.sessions() as session:
        return list(session.scalars(select(model).where(*where)))


def test_checkin_inside_the_geofence_then_a_second_round(world):
    emu, officer = world["emu"], world["officer"]
    replies = officer.says("เช็คอิน")
    assert "ส่งตำแหน่งปัจจุบัน" in replies.quick_replies
    replies = officer.shares_location(*north(40))
    assert "RP-0001" in replies.texts[-1] and "ไม่มีรูป" in replies.quick_replies
    emu.clock.advance(seconds=30)
    replies = officer.sends_image(jpeg())
    assert "บันทึกการตรวจ RP-0001" in replies.texts[0]
    assert "รอบกลางวัน 06:00–18:00 น." in replies.texts[0] and "1/2" in replies.texts[0]
    assert "ปกติ ไม่มีเหตุ" in replies.quick_replies
    assert "ขอบคุณ" in officer.chooses("ปกติ ไม่มีเหตุ").texts[0]

    emu.clock.set(datetime(2026, 11, 16, 21, 15, tzinfo=BANGKOK))  # the night round
    officer.says("เช็คอิน RP-0001")
    officer.shares_location(*north(10))
    replies = officer.chooses("ไม่มีรูป")
    assert "รอบกลางคืน 18:00–06:00 น." in replies.texts[0] and "2/2" in replies.texts[0]
    checks = rows(emu, PatrolCheck)
    assert sorted(c.round_no for c in checks) == [1, 2]
    assert {c.patrol_day for c in checks} == {date(2026, 11, 16)}
    assert any(c.photo_media_id for c in checks)


def test_checkin_outside_the_geofence_is_refused_with_the_distance_and_recorded(world):
    emu, officer = world["emu"], world["officer"]
    officer.says("เช็คอิน RP-0001")
    replies = officer.shares_location(*north(-450))
    assert "ห่างจาก RP-0001" in replies.texts[0] and "450 ม." in replies.texts[0]
    officer.says("เช็คอิน")
    replies = officer.shares_location(*north(-1500))
    assert "ไม่มีจุดเสี่ยงในรัศมี" in replies.texts[0] and "RP-0001" in replies.texts[0] and "1.5 กม." in replies.texts[0]
    attempts = rows(emu, CheckAttempt)
    assert [a.reason for a in attempts] == ["outside", "outside"]
    assert round(attempts[0].distance_m) == 450
    assert rows(emu, PatrolCheck) == []


def test_two_points_in_range_let_the_officer_pick(world):
    emu, officer = world["emu"], world["officer"]
    officer.says("เช็คอิน")
    replies = officer.shares_location(*north(90))
    assert "พบจุดเสี่ยง 2 จุด" in replies.texts[0]
    assert replies[-1]["type"] == "flex" and replies.quick_replies == ["ยกเลิก"]
    assert "RP-0001" in replies[-1]["altText"] and "RP-0002" in replies[-1]["altText"]
    officer.says("RP-0002")
    replies = officer.chooses("ไม่มีรูป")
    assert "บันทึกการตรวจ RP-0002" in replies.texts[0]
    (check,) = rows(emu, PatrolCheck)
    with emu.services.sessions() as session:
        assert session.get(RiskPoint, check.point_id).code == "RP-0002"


def test_a_required_photo_cannot_be_skipped_nor_be_older_than_the_checkin(world):
    emu, officer = world["emu"], world["officer"]
    officer.says("เช็คอิน RP-0004")
    replies = officer.shares_location(*north(6010))
    assert "ต้องมีรูป" in replies.texts[0] and "ไม่มีรูป" not in replies.quick_replies
    replies = officer.says("ไม่มีรูป")
    assert "ต้องมีรูปถ่าย" in replies.texts[0]
    emu.clock.advance(seconds=-120)  # a photo LINE stamps before the location was sent
    replies = officer.sends_image(jpeg())
    assert "ส่งก่อนเวลาเช็คอิน" in replies.texts[0]
    assert rows(emu, PatrolCheck) == []
    emu.clock.advance(seconds=180)
    replies = officer.sends_image(jpeg((0, 90, 200)))
    assert "บันทึกการตรวจ RP-0004" in replies.texts[0]
    (check,) = rows(emu, PatrolCheck)
    assert check.photo_media_id is not None and check.photo_sent_at > check.checked_at


def test_a_location_cannot_be_reused_for_another_check(world):
    emu, officer = world["emu"], world["officer"]
    check_in_without_photo(officer, "RP-0001", 5)
    officer.says("ปกติ ไม่มีเหตุ")
    officer.says("เช็คอิน RP-0001")
    replies = officer.shares_location(*north(5))  # same coordinates, same LINE timestamp (the clock stood still)
    assert "ถูกใช้เช็คอินไปแล้ว" in replies.texts[0]
    assert len(rows(emu, PatrolCheck)) == 1
    assert [a.reason for a in rows(emu, CheckAttempt)] == ["reused"]


def test_a_location_used_for_a_checkin_cannot_be_reused_for_a_camera_check(world):
    emu, officer = world["emu"], world["officer"]
    check_in_without_photo(officer, "RP-0003", 3005)
    officer.says("ปกติ ไม่มีเหตุ")
    officer.says("ตรวจกล้อง RP-0003")
    replies = officer.shares_location(*north(3005))  # the same location again: the camera flow refuses it too
    assert "ถูกใช้เช็คอินไปแล้ว" in replies.texts[0] and "ชำรุด" not in replies.quick_replies
    assert [a.reason for a in rows(emu, CheckAttempt)] == ["reused"]
    assert rows(emu, CameraCheck) == []
    emu.clock.advance(seconds=60)
    replies = officer.shares_location(*north(3004))  # a fresh location is taken
    assert "CAM-0003" in replies.texts[0] and "ชำรุด" in replies.quick_replies


def test_broken_camera_opens_a_defect_and_a_letter_and_a_later_working_check_closes_it(world, tmp_path):
    emu, officer = world["emu"], world["officer"]
    officer.says("ตรวจกล้อง")
    replies = officer.shares_location(*north(3005))
    assert "CAM-0003" in replies.texts[0] and "ชำรุด" in replies.quick_replies
    replies = officer.chooses("ชำรุด")
    assert "ถ่ายรูปกล้อง CAM-0003" in replies.texts[0]
    emu.clock.advance(seconds=20)
    replies = officer.sends_image(jpeg((10, 10, 10)))
    assert "หนังสือประสานสำนักการจราจรและขนส่ง" in replies.texts[0] and "กท/1" in replies.texts[0]
    secretariat = emu.deliveries(world["secretariat"])[-1].messages[0]["text"]
    assert "CAM-0003" in secretariat and "กท/1" in secretariat
    card = emu.deliveries(world["works"])[-1].messages[0]
    assert card["type"] == "flex" and "กล้อง CCTV ชำรุด" in card["altText"]

    (defect,) = rows(emu, Defect)
    assert defect.status == DefectStatus.OPEN and defect.kind == "cctv"
    with emu.services.sessions() as session:
        letter = session.scalar(select(CoordinationLetter))
        document = Document(io.BytesIO(render_letter(session, letter, emu.app.config["MEDIA_DIR"])))
    text = "\n".join(p.text for p in document.paragraphs) + document.tables[0].rows[0].cells[0].text
    assert thai_digits("ที่ กท/1") in text
    assert thai_digits(thai_date(date(2026, 11, 16))) in text
    assert "RP-0003 ลานจอดรถริมคลอง" in text and "CAM-0003" in text and "ผู้อำนวยการสำนักการจราจรและขนส่ง" in text
    assert len(document.inline_shapes) == 2  # the Garuda, and the photo downloaded by the worker from LINE

    # A department saying it is fixed does not close it; the next day's working check does.
    emu.clock.set(datetime(2026, 11, 17, 9, 0, tzinfo=BANGKOK))
    officer.says("ตรวจกล้อง RP-0003")
    officer.shares_location(*north(2995))
    replies = officer.chooses("ใช้งานได้")
    assert "ปิดเรื่องชำรุด" in replies.texts[0]
    (defect,) = rows(emu, Defect)
    assert defect.status == DefectStatus.CLOSED and defect.closed_by_check_id is not None
    (order,) = rows(emu, WorkOrder)
    assert order.status == OrderStatus.CLOSED


def test_department_accepts_finishes_with_a_photo_and_a_patrol_reopens_then_confirms(world):
    emu, officer, fixer = world["emu"], world["officer"], world["fixer"]
    check_in_without_photo(officer, "RP-0001", 15)
    replies = officer.chooses("ต้นไม้รก")
    assert "ส่งรูป" in replies.texts[0]
    officer.sends_image(jpeg((20, 120, 20)))
    officer.says("กิ่งไม้บังไฟทางเข้าซอย")
    replies = officer.chooses("เสร็จ")
    assert "WO-2569-0001" in replies.texts[0] and "ฝ่ายรักษาความสะอาดและสวนสาธารณะ" in replies.texts[0]
    officer.chooses("ปกติ ไม่มีเหตุ")

    in_group = fixer.in_group(world["cleaning"])
    card = emu.deliveries(world["cleaning"])[-1].messages[0]
    assert card["type"] == "flex" and "WO-2569-0001" in card["altText"]
    replies = in_group.chooses("รับงาน")
    assert "รับงานแล้ว" in replies.texts[0]
    replies = in_group.chooses("เสร็จแล้ว")
    assert "ส่งรูปหลังแก้ไข" in replies.texts[0]
    assert rows(emu, WorkOrder)[0].status == OrderStatus.ACCEPTED  # no photo, not done
    emu.clock.advance(minutes=5)
    replies = in_group.sends_image(jpeg((240, 240, 240)))
    assert "แก้ไขเสร็จแล้ว" in replies.texts[0]
    assert rows(emu, WorkOrder)[0].status == OrderStatus.DONE

    emu.clock.set(datetime(2026, 11, 16, 20, 0, tzinfo=BANGKOK))
    replies = check_in_without_photo(officer, "RP-0001", 20)
    assert "WO-2569-0001" in replies.texts[-1] and "ยังไม่เรียบร้อย" in replies.quick_replies
    replies = officer.chooses("ยังไม่เรียบร้อย")
    assert "ส่งงาน WO-2569-0001 กลับ" in replies.texts[0]
    (order,) = rows(emu, WorkOrder)
    assert order.status == OrderStatus.REOPENED and order.reopened_count == 1
    assert "ส่งกลับครั้งที่ 1" in str(emu.deliveries(world["cleaning"])[-1].messages[0]["contents"])
    officer.chooses("ปกติ ไม่มีเหตุ")

    in_group.chooses("เสร็จแล้ว")
    emu.clock.advance(minutes=2)
    in_group.sends_image(jpeg((250, 250, 250)))
    emu.clock.set(datetime(2026, 11, 17, 7, 0, tzinfo=BANGKOK))
    check_in_without_photo(officer, "RP-0001", 20)
    replies = officer.chooses("เรียบร้อยแล้ว")
    assert "ปิดงานแล้ว" in replies.texts[0]
    (order,) = rows(emu, WorkOrder)
    (defect,) = rows(emu, Defect)
    assert order.status == OrderStatus.CLOSED and defect.status == DefectStatus.CLOSED
    with emu.services.sessions() as session:
        statuses = [e.status for e in session.get(WorkOrder, order.id).events]
        photos = session.scalar(select(func.count()).select_from(RiskCamera))
    assert statuses == ["new", "accepted", "done", "reopened", "done", "closed"]
    assert photos == 1


def test_a_stranger_group_cannot_move_an_order(world):
    emu, officer, fixer = world["emu"], world["officer"], world["fixer"]
    check_in_without_photo(officer, "RP-0001", 15)
    officer.chooses("ไฟส่องสว่างดับ")
    officer.chooses("เสร็จ")
    (order,) = rows(emu, WorkOrder)
    replies = fixer.in_group(world["cleaning"]).taps(f"action=wo&id={order.id}&to=accepted")
    assert "ไม่ได้อยู่ในความรับผิดชอบ" in replies.texts[0]
    assert rows(emu, WorkOrder)[0].status == OrderStatus.NEW


def test_missed_round_is_listed_in_the_unit_group_and_a_reason_recorded(world):
    from models import RoundMiss

    emu, officer = world["emu"], world["officer"]
    check_in_without_photo(officer, "RP-0001", 15)
    with emu.services.sessions.begin() as session:
        misses = close_round(session, date(2026, 11, 16), 1, utcnow(), notifier(session, "riskpoints:round"))
        assert sorted(m.point.code for m in misses) == ["RP-0002", "RP-0003", "RP-0004"]
    emu.process()
    message = emu.deliveries(world["patrol"])[-1].messages[0]
    assert "RP-0002" in message["text"] and "RP-0001" not in message["text"]
    in_group = officer.in_group(world["patrol"])
    buttons = emu.deliveries(world["patrol"])[-1].messages[1]
    assert buttons["type"] == "flex" and "เหตุผล RP-0003" in str(buttons)  # buttons that stay, not quick replies
    replies = in_group.chooses("เหตุผล RP-0002")
    assert replies[0]["type"] == "flex" and "น้ำท่วม" in str(replies[0])
    replies = in_group.chooses("น้ำท่วม")
    assert "บันทึกเหตุผล RP-0002: น้ำท่วม" in replies.texts[0]
    reasons = {m.point_id: m.reason for m in rows(emu, RoundMiss)}
    assert sorted(r for r in reasons.values() if r) == ["flood"]
    with emu.services.sessions.begin() as session:  # closing the same round again sends nothing more
        assert close_round(session, date(2026, 11, 16), 1, utcnow(), notifier(session, "riskpoints:round")) == []


def test_department_submits_its_month_report_from_its_group(world):
    from models import MonthlySubmission

    emu, fixer = world["emu"], world["fixer"]
    emu.clock.set(datetime(2026, 12, 3, 10, 0, tzinfo=BANGKOK))
    replies = fixer.in_group(world["works"]).says("ส่งรายงาน")
    assert "แชตส่วนตัว" in replies.texts[0]
    private = emu.deliveries(fixer.user_id)[-1]
    assert "เดือนใด" in private.messages[0]["text"]
    replies = fixer.chooses("พ.ย. 2569")
    assert "รายงานประจำเดือนพฤศจิกายน 2569 ของฝ่ายโยธา" in replies.texts[0] and "งานแก้ไขที่ได้รับ" in replies.texts[0]
    fixer.says("ซ่อมไฟครบทุกจุด")
    replies = fixer.chooses("ยืนยันส่ง")
    assert "ทันกำหนด" in replies.texts[0]
    (row,) = rows(emu, MonthlySubmission)
    assert (row.year, row.month, row.note) == (2026, 11, "ซ่อมไฟครบทุกจุด")
    assert row.figures["kind"] == "department"
