"""The journeys of issue 13, each from the first follow to the end, by tapping, through the real webhook and worker.

A volunteer registers and reports (a photo out of the blue offered as news, photos at every step kept) and
follows their report's status; a patrol officer is invited from the admin web, gets the patrol menu,
checks in by buttons and reports a broken camera; a volunteer who tries a patrol action is refused
politely; a department clerk takes a work order to the end; a department without a LINE group is shown as
not reached, and nobody is told it was.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from PIL import Image
from sqlalchemy import func, select

from bot import richmenu
from bot.auth import Role
from bot.demo import DEMO_POINTS
from models import (
    CameraCheck,
    CheckAttempt,
    Member,
    MemberStatus,
    NewsReport,
    OrderStatus,
    ReportStatus,
    UnitKind,
    UnitMembership,
    WorkOrder,
)
from models.timeutil import BANGKOK
from runtime.delivery import notifier
from services.network.members import decide_member
from services.riskpoints.registry import save_point
from services.riskpoints.units import create_unit, ensure_default_units, find_unit
from services.roles import Menu
from tests import workgroup_factories as make
from tests.line_fixtures import line  # noqa: F401 - the emulator fixture
from tests.roster_factories import enrol
from tests.test_admin_support import csrf_token
from tests.test_network_admin_support import page, signed_in
from tests.test_riskpoint_dialogues import bind
from texts import common
from texts import network as tn
from texts import riskpoints as tr

POINT = (DEMO_POINTS[0]["latitude"], DEMO_POINTS[0]["longitude"])  # RP-0001, the emulator's default location
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=BANGKOK)


def jpeg(shade: int = 90) -> bytes:
    """A small JPEG photo."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (shade, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def never_misunderstood(*said) -> None:
    """No answer in the journey was "ไม่เข้าใจ"."""
    for replies in said:
        assert not [text for text in replies.texts if common.NOT_UNDERSTOOD in text]


@pytest.fixture
def district(line):  # noqa: F811 - the imported fixture
    """A patrol unit with its group, public works with its group, cleaning without one, and a point with a camera."""
    line.clock.set(NOW)
    clerk = line.user("สมศักดิ์ ช่างโยธา")
    clerk.follow()
    patrol_group = line.group("สายตรวจเขตพระนคร", ["ด.ต. สมาน เฝ้าระวัง"])
    works_group = line.group("ฝ่ายโยธา เขตพระนคร", [clerk])
    with line.services.sessions.begin() as session:
        ensure_default_units(session)
        patrol = create_unit(session, code="patrol-pn", name="สายตรวจเขตพระนคร", kind=UnitKind.PATROL)
        bind(session, patrol, patrol_group, "patrol")
        works = find_unit(session, "public_works")
        bind(session, works, works_group, "department")
        enrol(session, clerk.user_id, works)
        save_point(session, {**DEMO_POINTS[0], "patrol_unit": "patrol-pn", "active_from": date(2026, 11, 1)})
        unit_id = patrol.id
    richmenu.deploy(line.services.messenger, line.services.sessions)
    return {"clerk": clerk, "works": works_group, "patrol_group": patrol_group, "unit_id": unit_id}


def linked_menu(line, person) -> str | None:  # noqa: F811
    """The name of the rich menu LINE shows the person (None: the default)."""
    answer = line.call("GET", f"/v2/bot/user/{person.user_id}/richmenu")
    if answer.status_code == 404:
        return None
    menu_id = answer.json()["richMenuId"]
    return line.call("GET", f"/v2/bot/richmenu/{menu_id}").json()["name"]


def media_in(line, ref: str) -> int:  # noqa: F811
    """How many photos a report holds."""
    with line.services.sessions() as session:
        report = session.scalar(select(NewsReport).where(NewsReport.ref_no == ref))
        return sum(1 for item in report.items if item.kind == "image")


def test_a_volunteer_registers_reports_by_tapping_and_follows_the_status(line, district):  # noqa: F811
    somchai = line.user("สมชาย ใจดี")
    said = [somchai.follow(), somchai.says("สมชาย ใจดี"), somchai.says("0812345678")]
    said += [somchai.chooses("จิตอาสา"), somchai.chooses("กรุงเทพกลาง"), somchai.chooses("พระนคร")]
    said.append(somchai.chooses(tn.CONSENT_YES))
    assert said[-1].texts == [tn.REGISTERED_PENDING]
    with line.services.sessions.begin() as session:
        member = session.scalar(select(Member).where(Member.line_user_id == somchai.user_id))
        decide_member(session, member.id, MemberStatus.APPROVED, by="secretariat", notify=notifier(session, "member"))
    line.process()
    approved = line.deliveries(somchai)[-1]
    assert tn.MEMBER_DECIDED["approved"] in approved.texts[0]
    assert linked_menu(line, somchai) == f"{richmenu.PREFIX}{Menu.VOLUNTEER.value}"

    # A photo out of the blue: kept, and offered as news with one tap
    said.append(somchai.sends_image(jpeg(10)))
    assert said[-1].texts[0] == common.LOOSE_KEPT.format(kind=common.LOOSE_KINDS["image"], count=1)
    said.append(somchai.chooses(common.LOOSE_NEW_REPORT))
    said.append(somchai.chooses("ยาเสพติด"))
    said.append(somchai.chooses(common.TAKE_PHOTO))  # the "what" step: a photo first, then the words
    said.append(somchai.says("มีการซื้อขายยาเสพติดหลังตลาดช่วงค่ำ"))
    said.append(somchai.sends_image(jpeg(30)))  # at the place step: kept, and the place asked again
    assert "2" in said[-1].texts[0] or "3" in said[-1].texts[0]
    said.append(somchai.chooses(tn.SEND_LOCATION))
    said.append(somchai.chooses(common.CHOOSE_PHOTO))  # the photos step
    said.append(somchai.chooses(tn.DONE))
    confirmation = said[-1].texts[0]
    assert "4" in confirmation  # four photos: out of the blue, at "what", at the place step, at "photos"
    said.append(somchai.chooses(tn.CONFIRM_YES))
    with line.services.sessions() as session:
        report = session.scalar(select(NewsReport).where(NewsReport.status == ReportStatus.NEW))
        ref, place = report.ref_no, (report.latitude, report.longitude)
    assert ref in said[-1].texts[0] and place == POINT
    assert media_in(line, ref) == 4

    summary = somchai.says("สรุปของฉัน")
    assert ref in str(summary) and "ได้รับแล้ว" in str(summary)
    with line.services.sessions.begin() as session:
        found = make.agencies(session)
        make.forward(
            session, report_ids=[report.id], agency_ids=[found["immigration"].id], subject="ส่งข่าว", by="t", now=NOW
        )
    line.process()
    pushed = line.deliveries(somchai)[-1]
    assert pushed.texts == [tn.STATUS_UPDATES["forwarded"].format(ref=ref)]
    summary = somchai.says("สรุปของฉัน")
    assert "ส่งต่อหน่วยงานแล้ว" in str(summary)
    never_misunderstood(*said, summary)


def test_a_patrol_officer_invited_from_the_web_checks_in_by_buttons_and_reports_a_broken_camera(line, district):  # noqa: F811
    officer = line.user("ด.ต. สมาน เฝ้าระวัง")
    said = [officer.follow()]
    line.process()
    assert linked_menu(line, officer) == f"{richmenu.PREFIX}{Menu.NEWCOMER.value}"
    client = signed_in(line.app, line.services, Role.SECRETARIAT)
    path = f"/admin/riskpoints/units/{district['unit_id']}/roster"
    assert "สมาน" in page(client, f"{path}?q=สมาน")
    with line.services.sessions() as session:
        member_id = session.scalar(select(Member.id).where(Member.line_user_id == officer.user_id))
    assert client.post(f"{path}/invite", data={"csrf_token": csrf_token(client, path), "member_id": member_id})
    line.process()
    said.append(officer.chooses("รับคำเชิญ"))
    line.process()
    assert linked_menu(line, officer) == f"{richmenu.PREFIX}{Menu.PATROL.value}"

    said.append(officer.chooses("เช็คอิน"))
    said.append(officer.chooses(tr.SEND_LOCATION))
    said.append(officer.chooses(common.TAKE_PHOTO))
    assert "บันทึกการตรวจ RP-0001" in said[-1].texts[0]
    said.append(officer.chooses(tr.CONDITIONS["cctv"]))
    said.append(officer.chooses(common.TAKE_PHOTO))
    said.append(officer.chooses(tr.DONE))
    assert "CAM-0001" in str(said[-1]) or "กล้อง" in said[-1].texts[0]
    said.append(officer.chooses(tr.ALL_NORMAL))
    assert said[-1].texts == [tr.CHECK_FINISHED]
    with line.services.sessions() as session:
        (check,) = session.scalars(select(CameraCheck)).all()
        assert check.status.value == "broken"
    never_misunderstood(*said)


def test_a_volunteer_who_tries_a_patrol_action_is_refused_politely(line, district):  # noqa: F811
    mani = line.user("อาสา มานี")
    mani.follow()
    mani.says(common.CANCEL_WORDS[0])
    for command in ("เช็คอิน", "ตรวจกล้อง", "เช็คอิน RP-0001"):
        replies = mani.says(command)
        assert replies.texts and "สายตรวจ" in replies.texts[0]
        assert replies.quick_replies  # what they can do instead, as buttons
        never_misunderstood(replies)
    with line.services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(CheckAttempt)) == 0
        assert session.scalar(select(func.count()).select_from(UnitMembership)) == 1  # the clerk only


def officer_reports(line, condition: str):  # noqa: F811
    """An officer on the patrol unit's roster checks in at RP-0001 by buttons and reports a condition."""
    officer = line.user("ด.ต. สมาน เฝ้าระวัง")
    officer.follow()
    with line.services.sessions.begin() as session:
        enrol(session, officer.user_id, find_unit(session, "patrol-pn"))
    officer.says("เช็คอิน")
    officer.chooses(tr.SEND_LOCATION)
    officer.chooses(tr.NO_PHOTO)
    officer.chooses(tr.CONDITIONS[condition])
    return officer, officer.chooses(tr.DONE)


def test_a_department_clerk_accepts_and_closes_a_work_order(line, district):  # noqa: F811
    officer, opened = officer_reports(line, "lighting")
    assert "ส่งถึงกลุ่ม LINE ของฝ่ายโยธาแล้ว" in opened.texts[0]
    officer.chooses(tr.ALL_NORMAL)

    clerk, works = district["clerk"], district["works"]
    in_group = clerk.in_group(works)
    said = [in_group.chooses("รับงาน"), in_group.chooses("กำลังดำเนินการ"), in_group.chooses("เสร็จแล้ว")]
    said.append(in_group.chooses(common.TAKE_PHOTO))
    with line.services.sessions() as session:
        (order,) = session.scalars(select(WorkOrder)).all()
        assert order.status == OrderStatus.DONE
    mine = clerk.says("สรุปของฉัน")
    assert order.ref in str(mine) and tr.ORDER_STATUS["done"] in str(mine)

    line.clock.advance(hours=7)  # the next round: the officer confirms the repair on site
    officer.says("เช็คอิน")
    officer.shares_location(POINT[0] + 0.00001, POINT[1])
    verdict = officer.chooses(tr.NO_PHOTO)
    assert tr.VERIFY_OK in verdict.quick_replies
    closed = officer.chooses(tr.VERIFY_OK)
    assert tr.VERIFIED.format(ref=order.ref) in closed.texts
    with line.services.sessions() as session:
        assert session.get(WorkOrder, order.id).status == OrderStatus.CLOSED
    never_misunderstood(*said, opened, verdict, closed)


def test_a_department_without_a_group_is_shown_as_not_reached(line, district):  # noqa: F811
    _, opened = officer_reports(line, "trees")  # trees go to the cleaning department, which has no LINE group
    assert "ยังไม่มีกลุ่ม LINE" in opened.texts[0] and "ส่งถึงกลุ่ม" not in opened.texts[0]
    client = signed_in(line.app, line.services, Role.SECRETARIAT)
    assert "ยังไม่ได้ส่งถึงฝ่าย (ไม่มีกลุ่ม LINE)" in page(client, "/admin/riskpoints/defects")
    with line.services.sessions() as session:
        (order,) = session.scalars(select(WorkOrder)).all()
        assert order.status == OrderStatus.NEW and order.unit.code == "cleaning"
    never_misunderstood(opened)
