"""A rich menu per role, linked per user as LINE does it, and the emulator playing that faithfully."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import richmenu
from bot.emulator import personas
from models import Member, MemberStatus, RiskUnit, Role, RosterStatus, StaffUser, UnitKind, UnitMembership
from models.settings import get_setting
from models.timeutil import utcnow
from runtime import rich_menus
from services.network.members import decide_member
from services.roles import Menu, refresh_menu, roles_of
from services.workgroup.staff import create_link_code
from tests.test_admin_support import make_staff
from tests.test_emulator_ui import demo  # noqa: F401 - the demo fixture: the emulator UI on a real port
from texts import common as t


def deploy(line) -> dict[str, str]:
    """Deploy every menu to the emulator through the SDK."""
    return richmenu.deploy(line.services.messenger, line.services.sessions)


def member_of(session, person) -> Member:
    """The Member row of an emulator user."""
    return session.scalar(select(Member).where(Member.line_user_id == person.user_id))


def on_roster(line, person, kind: UnitKind) -> None:
    """Put a person on the active roster of a new unit of a kind, as an accepted invitation would."""
    with line.services.sessions.begin() as session:
        unit = RiskUnit(code=f"{kind.value}-{person.user_id[-6:]}", name=f"หน่วย {kind.value}", kind=kind)
        session.add(unit)
        session.flush()
        member = member_of(session, person)
        session.add(UnitMembership(unit_id=unit.id, member_id=member.id, status=RosterStatus.ACTIVE))
        refresh_menu(session, member)


def approved(line, person) -> None:
    """Register a person and have the secretariat approve them."""
    with line.services.sessions.begin() as session:
        member = member_of(session, person)
        member.registered_at = utcnow()
        member.status = MemberStatus.PENDING
        session.flush()
        decide_member(session, member.id, MemberStatus.APPROVED, by="secretariat")


def linked_staff(line, person, username: str) -> None:
    """Link a person's LINE to a secretariat staff account with a one-time code typed in LINE."""
    make_staff(line.services, username, Role.SECRETARIAT)
    with line.services.sessions.begin() as session:
        staff = session.scalar(select(StaffUser).where(StaffUser.username == username))
        code = create_link_code(session, staff.id, utcnow()).code
    person.says(f"เชื่อมบัญชี {code}")


def person_with_role(line, menu: Menu):
    """A LINE user (befriended) whose roles call for the given menu."""
    person = line.user(f"ผู้ใช้ {menu.value}")
    person.follow()
    setup = {
        Menu.NEWCOMER: lambda: None,
        Menu.VOLUNTEER: lambda: approved(line, person),
        Menu.PATROL: lambda: on_roster(line, person, UnitKind.PATROL),
        Menu.CLERK: lambda: on_roster(line, person, UnitKind.DEPARTMENT),
        Menu.SECRETARIAT: lambda: linked_staff(line, person, f"sec-{menu.value}"),
    }
    setup[menu]()
    with line.services.sessions() as session:
        assert roles_of(session, member_of(session, person)).menu == menu
    return person


def linked_menu(line, person) -> str | None:
    """The rich menu LINE (the emulator) has linked to a user, asked through the API."""
    answer = line.call("GET", f"/v2/bot/user/{person.user_id}/richmenu")
    return answer.json()["richMenuId"] if answer.status_code == 200 else None


@pytest.mark.parametrize("menu", list(Menu))
def test_every_tile_of_every_menu_is_answered_for_its_role(line, menu):
    person = person_with_role(line, menu)
    areas = richmenu.menu_request(menu).areas
    assert 3 <= len(areas) <= 6
    for area in areas:
        person.says("ยกเลิก")  # each tap from rest, as after any finished journey
        answer = person.says(area.action.text)
        assert len(answer) > 0, area.action.text  # a text or a Flex card
        assert t.NOT_UNDERSTOOD not in answer.texts, area.action.text


def test_the_tables_send_only_commands_of_their_role():
    sent = {menu: [tile.sends for tile in richmenu.MENUS[menu]] for menu in Menu}
    assert sent[Menu.NEWCOMER] == ["ลงทะเบียน", "แจ้งข่าว", "สรุปของฉัน", "ช่วยเหลือ"]
    assert "เช็คอิน" in sent[Menu.PATROL] and "ตรวจกล้อง" in sent[Menu.PATROL]
    assert "เช็คอิน" not in sent[Menu.VOLUNTEER] + sent[Menu.CLERK] + sent[Menu.SECRETARIAT]
    assert "ประชุม" in sent[Menu.SECRETARIAT] and "ส่งรายงาน" in sent[Menu.CLERK]
    for menu in Menu:
        request = richmenu.menu_request(menu)
        grid = richmenu.grid_of(menu)
        assert (request.size.width, request.size.height) == (2500, grid.height)
        for area in request.areas:  # the tiles cover the image without overflowing it
            bounds = area.bounds
            assert bounds.x + bounds.width <= 2500 and bounds.y + bounds.height <= grid.height


def test_deploy_creates_a_menu_per_role_with_images_and_the_newcomer_default(line):
    legacy = line.services.messenger.api.create_rich_menu(richmenu.menu_request(Menu.NEWCOMER)).rich_menu_id
    line.platform.rich_menus[legacy].body["name"] = "fieldline-main"  # the single menu of before
    first = deploy(line)
    assert legacy not in line.platform.rich_menus
    deployed = deploy(line)  # again: the older copies go
    assert set(deployed) == {menu.value for menu in Menu}
    assert set(line.platform.rich_menus) == set(deployed.values())
    assert not set(first.values()) & set(line.platform.rich_menus)
    for name, menu_id in deployed.items():
        menu = line.platform.rich_menus[menu_id]
        assert menu.image[:2] == b"\xff\xd8" and menu.body["name"] == "fieldline-" + name
        assert [a["action"]["text"] for a in menu.body["areas"]] == [x.sends for x in richmenu.MENUS[Menu(name)]]
    assert line.platform.default_rich_menu().rich_menu_id == deployed["newcomer"]
    with line.services.sessions() as session:
        assert get_setting(session, rich_menus.DEPLOYED) == deployed


def test_a_member_is_linked_to_the_menu_of_their_role_as_it_changes(line):
    somchai = line.user("สมชาย")
    somchai.follow()
    assert linked_menu(line, somchai) is None  # nothing deployed yet: nothing linked, no call made
    assert "linkRichMenuIdToUser" not in [c.operation_id for c in line.platform.calls]
    deployed = deploy(line)
    line.process()
    assert linked_menu(line, somchai) == deployed["newcomer"]

    approved(line, somchai)
    line.process()
    assert linked_menu(line, somchai) == deployed["volunteer"]

    on_roster(line, somchai, UnitKind.PATROL)
    line.process()
    assert linked_menu(line, somchai) == deployed["patrol"]

    linked_staff(line, somchai, "secretary")  # linking the staff account refreshes the menu itself
    assert linked_menu(line, somchai) == deployed["secretariat"]
    somchai.says("ยกเลิกเชื่อมบัญชี")
    assert linked_menu(line, somchai) == deployed["patrol"]

    again = deploy(line)  # a new deploy relinks everyone to the new ids
    line.process()
    assert linked_menu(line, somchai) == again["patrol"]
    with line.services.sessions() as session:
        member = member_of(session, somchai)
        assert (member.menu_wanted, member.menu_linked, member.menu_tried_at) == ("patrol", "patrol", None)
    assert line.platform.rich_menu_shown(somchai.user_id, somchai.user_id).rich_menu_id == again["patrol"]


def test_deploy_decides_the_menu_of_members_from_before(line):
    old_timer = line.user("สมาชิกเก่า")
    old_timer.follow()
    approved(line, old_timer)
    with line.services.sessions.begin() as session:
        member_of(session, old_timer).menu_wanted = None  # a member from before menus were per role
    deployed = deploy(line)
    line.process()
    assert linked_menu(line, old_timer) == deployed["volunteer"]


def backdate_tries(line, by: timedelta = rich_menus.RETRY_AFTER + timedelta(seconds=1)) -> None:
    """Pretend the failed tries were made long enough ago."""
    with line.services.sessions.begin() as session:
        for member in session.scalars(select(Member).where(Member.menu_tried_at.is_not(None))):
            member.menu_tried_at -= by


def link_calls(line) -> int:
    return sum(call.operation_id == "linkRichMenuIdToUser" for call in line.platform.calls)


def test_a_failing_link_is_tried_again_later_not_at_once(line):
    deployed = deploy(line)
    line.platform.faults.add("linkRichMenuIdToUser", status=500)
    somchai = line.user("สมชาย")
    somchai.follow()
    assert link_calls(line) == 1 and linked_menu(line, somchai) is None
    with line.services.sessions() as session:
        member = member_of(session, somchai)
        assert member.menu_linked is None and member.menu_tried_at is not None
    line.process()
    line.process()
    assert link_calls(line) == 1  # no tight loop: it waits RETRY_AFTER
    backdate_tries(line)
    line.process()
    assert link_calls(line) == 2 and linked_menu(line, somchai) == deployed["newcomer"]


def test_a_user_line_does_not_know_is_not_tried_for_ever(line):
    deploy(line)
    with line.services.sessions.begin() as session:
        session.add(Member(line_user_id="U" + "f" * 32, is_friend=True, menu_wanted="volunteer"))
    line.process()
    assert link_calls(line) == 1
    with line.services.sessions() as session:
        ghost = session.scalar(select(Member).where(Member.line_user_id == "U" + "f" * 32))
        assert ghost.menu_linked == rich_menus.GAVE_UP + "volunteer"
    backdate_tries(line, timedelta(days=30))
    line.process()
    assert link_calls(line) == 1  # refused for this menu: not asked again until the wanted menu changes


def test_the_emulator_links_as_line_does(line):
    line.expect_failures()
    somchai, stranger = line.user("สมชาย"), line.user("ไม่เคยเพิ่มเพื่อน")
    somchai.follow()
    api = line.services.messenger.api
    no_image = api.create_rich_menu(richmenu.menu_request(Menu.VOLUNTEER)).rich_menu_id
    refused = line.call("POST", f"/v2/bot/user/{somchai.user_id}/richmenu/{no_image}")
    assert refused.status_code == 400 and refused.json()["message"] == (
        "must upload richmenu image before applying it to user"
    )
    assert line.call("POST", f"/v2/bot/user/{somchai.user_id}/richmenu/richmenu-{'0' * 32}").status_code == 404
    deployed = deploy(line)
    patrol = deployed["patrol"]
    assert line.call("POST", f"/v2/bot/user/{stranger.user_id}/richmenu/{patrol}").status_code == 404
    assert line.call("GET", f"/v2/bot/user/{somchai.user_id}/richmenu").status_code == 404  # the default is not theirs
    assert line.call("POST", f"/v2/bot/user/{somchai.user_id}/richmenu/{patrol}").status_code == 200
    assert api.get_rich_menu_id_of_user(somchai.user_id).rich_menu_id == patrol
    assert line.call("DELETE", f"/v2/bot/user/{somchai.user_id}/richmenu").status_code == 200
    assert linked_menu(line, somchai) is None
    bulk = line.call("POST", "/v2/bot/richmenu/bulk/link", json={"richMenuId": patrol, "userIds": [somchai.user_id]})
    assert bulk.status_code == 202 and linked_menu(line, somchai) == patrol
    line.call("POST", "/v2/bot/richmenu/bulk/unlink", json={"userIds": [somchai.user_id]})
    assert linked_menu(line, somchai) is None
    line.call("POST", f"/v2/bot/user/{somchai.user_id}/richmenu/{patrol}")
    api.delete_rich_menu(patrol)  # deleting a menu unlinks it: the user sees the default again
    assert linked_menu(line, somchai) is None
    shown = line.platform.rich_menu_shown(somchai.user_id, somchai.user_id)
    assert shown.rich_menu_id == deployed["newcomer"]
    failures = [call.operation_id for call in line.platform.failures]
    assert failures == ["linkRichMenuIdToUser"]  # only the menu without its image was the bot's fault


def test_no_rich_menu_inside_group_chats(line):
    somchai = line.user("สมชาย")
    somchai.follow()
    group = line.group("กลุ่มข่าว", [somchai])
    deploy(line)
    assert line.platform.rich_menu_shown(somchai.user_id, somchai.user_id) is not None
    assert line.platform.rich_menu_shown(somchai.user_id, group.chat_id) is None


def test_the_ui_shows_the_linked_menu_in_the_bot_chat_and_none_in_groups(demo):  # noqa: F811
    url, application = demo
    services, platform = application.extensions["fieldline"], application.extensions["line_emulator"]
    services.worker.stop()  # no relinking behind the test's back
    deployed = richmenu.deploy(services.messenger, services.sessions)
    client = application.test_client()
    platform.link_rich_menu(personas.user_id_of(platform, "patrol"), deployed["patrol"])
    patrol = client.get("/emulator/ui/state?persona=patrol&chat=bot").get_json()
    assert patrol["richmenu_id"] == deployed["patrol"] and "richmenu-area" in patrol["richmenu"]
    assert 'title="เช็คอิน"' in patrol["richmenu"]
    volunteer = client.get("/emulator/ui/state?persona=volunteer&chat=bot").get_json()
    assert volunteer["richmenu_id"] == deployed["newcomer"]  # no menu of their own: the default
    in_group = client.get("/emulator/ui/state?persona=patrol&chat=patrol").get_json()
    assert in_group["richmenu_id"] is None and in_group["richmenu"] == ""
    news = client.get("/emulator/ui/state?persona=secretariat&chat=news").get_json()
    assert news["richmenu_id"] is None and news["richmenu"] == ""


def test_the_deploy_command_installs_every_menu(line, tmp_path):
    result = line.app.test_cli_runner().invoke(args=["richmenu", "deploy"])
    assert result.exit_code == 0, result.output
    with line.services.sessions() as session:
        deployed = get_setting(session, rich_menus.DEPLOYED)
    assert set(deployed) == {menu.value for menu in Menu}
    assert all(menu_id in result.output for menu_id in deployed.values())
    image = tmp_path / "patrol.jpg"
    result = line.app.test_cli_runner().invoke(args=["richmenu", "image", str(image), "--menu", "patrol"])
    assert result.exit_code == 0 and image.read_bytes()[:2] == b"\xff\xd8"
