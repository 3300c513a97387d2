"""Nothing is advertised without a handler: every rich-menu tile, every help line and every button they lead to.

For each role (newcomer, volunteer, patrol officer, department clerk, secretariat) the crawler sends every
tile of the role's rich menu and every command the help text lists, then taps, one by one, every button
of each answer (quick replies, Flex and template buttons; camera and camera-roll send a photo, location
shares one) after sending the command again. No answer may be "ไม่เข้าใจ", and none may be silence.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
from PIL import Image
from sqlalchemy import select

from bot.demo import DEMO_POINTS
from handlers.basics import help_text
from line.menus import MENUS
from models import Member, MemberStatus, Role, RosterStatus, StaffUser, UnitKind, UnitMembership
from models.timeutil import BANGKOK, utcnow
from services.riskpoints.registry import save_point
from services.riskpoints.units import create_unit, ensure_default_units, find_unit
from services.roles import Menu
from services.workgroup.staff import create_link_code
from tests.line_fixtures import actions_in, line  # noqa: F401 - the emulator fixture
from tests.test_admin_support import make_staff
from texts import common

POINT = (13.7563, 100.5018)
MIN_TAPS = {Menu.NEWCOMER: 10, Menu.VOLUNTEER: 10, Menu.PATROL: 15, Menu.CLERK: 10, Menu.SECRETARIAT: 10}
HELP_LINE = re.compile(r"^\s*•\s*(\S+)")


def photo() -> bytes:
    """A small JPEG."""
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (40, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def tap(person, action: dict):
    """Do what tapping the action does in LINE."""
    kind = action.get("type")
    if kind == "message":
        return person.says(action["text"])
    if kind == "postback":
        return person.taps(action["data"], display_text=action.get("displayText"))
    if kind == "location":
        return person.shares_location(*POINT)
    if kind in ("camera", "cameraRoll"):
        return person.sends_image(photo())
    if kind == "datetimepicker":
        mode = action.get("mode", "datetime")
        value = {"date": "2026-11-22", "time": "09:00", "datetime": "2026-11-22T09:00"}[mode]
        return person.taps(action["data"], params={mode: value})
    return None  # uri and the like leave the chat


def answered(replies) -> bool:
    """Whether the bot said something, and not that it did not understand."""
    return bool(replies) and not any(common.NOT_UNDERSTOOD in text for text in replies.texts)


@pytest.fixture
def people(line):  # noqa: F811 - the imported fixture
    """One LINE user of each role, friends of the bot, with a patrol unit, a department and a point."""
    line.clock.set(datetime(2026, 11, 16, 9, 0, tzinfo=BANGKOK))
    users = {menu: line.user(f"ผู้ใช้ {menu.value}") for menu in Menu}
    for person in users.values():
        person.follow()
    make_staff(line.services, "secretariat1", Role.SECRETARIAT)
    with line.services.sessions.begin() as session:
        ensure_default_units(session)
        patrol = create_unit(session, code="patrol-1", name="สายตรวจเทศกิจ 1", kind=UnitKind.PATROL)
        save_point(session, {**DEMO_POINTS[0], "patrol_unit": "patrol-1", "active_from": date(2026, 11, 1)})
        members = {m.line_user_id: m for m in session.scalars(select(Member))}
        volunteer = members[users[Menu.VOLUNTEER].user_id]
        volunteer.status, volunteer.full_name, volunteer.district = MemberStatus.APPROVED, "สมชาย ใจดี", "พระนคร"
        for menu, unit in ((Menu.PATROL, patrol), (Menu.CLERK, find_unit(session, "public_works"))):
            member = members[users[menu].user_id]
            session.add(
                UnitMembership(unit_id=unit.id, member_id=member.id, status=RosterStatus.ACTIVE, answered_at=utcnow())
            )
        staff = session.scalar(select(StaffUser).where(StaffUser.username == "secretariat1"))
        code = create_link_code(session, staff.id, utcnow()).code
    users[Menu.SECRETARIAT].says(f"เชื่อมบัญชี {code}")
    return users


def entry_points(menu: Menu) -> list[str]:
    """What a person of this role can start from: their rich menu's tiles and the help text's commands."""
    tiles = [tile.sends for tile in MENUS[menu]]
    listed = [match.group(1) for line_ in help_text(menu).splitlines() if (match := HELP_LINE.match(line_))]
    return list(dict.fromkeys(tiles + listed))


@pytest.mark.parametrize("menu", list(Menu), ids=[m.value for m in Menu])
def test_every_tile_help_line_and_button_answers(line, people, menu):  # noqa: F811
    person = people[menu]
    dead, tapped = [], []
    for command in entry_points(menu):
        first = person.says(command)
        if not answered(first):
            dead.append((command, None, first.texts))
            continue
        for action in actions_in(list(first)):
            person.says(common.CANCEL_WORDS[0])
            again = person.says(command)
            target = next((a for a in actions_in(list(again)) if a.get("label") == action.get("label")), None)
            if target is None:
                continue  # the button depended on state the first visit changed (a one-time offer)
            result = tap(person, target)
            tapped.append((command, action.get("label")))
            if result is not None and not answered(result):
                dead.append((command, action.get("label"), result.texts))
        person.says(common.CANCEL_WORDS[0])
    assert dead == [], f"dead ends for the {menu.value} role: {dead}"
    assert len(tapped) >= MIN_TAPS[menu], tapped  # the crawl really went through the buttons
