"""The demo's patrol loop with no admin step: the personas check in, report, and the groups hear of it."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import func, select

from bot import demo
from bot.emulator import personas
from models import PatrolCheck, RiskPoint
from models.settings import get_setting
from models.timeutil import BANGKOK, to_bangkok, utcnow
from reports.riskpoint_rounds import windows
from runtime.delivery import notifier
from services.riskpoints.patrols import close_round
from tests.line_fixtures import Group, Person, line  # noqa: F401 - the emulator fixture
from texts import riskpoints as t


def demo_world(line) -> tuple[dict[str, Person], dict[str, Group]]:  # noqa: F811 - the imported fixture
    """The emulator seeded as in demo mode, and the demo data loaded: the personas and the groups."""
    line.clock.set(datetime.combine(to_bangkok(utcnow()).date(), time(10, 0), tzinfo=BANGKOK))  # the day round
    personas.seed(line.platform)
    with line.services.sessions.begin() as session:
        demo.load(session)
    people = {p.key: line.user(p.name) for p in personas.PERSONAS}
    groups = {g.key: Group(line, personas.chat_id_of(line.platform, g.key)) for g in personas.GROUPS}
    return people, groups


def actions(node: Any) -> list[dict]:
    """Every action with a label in some messages (quick replies, Flex buttons)."""
    if isinstance(node, list):
        return [found for item in node for found in actions(item)]
    if not isinstance(node, dict):
        return []
    own = [node["action"]] if isinstance(node.get("action"), dict) and node["action"].get("label") else []
    return own + [found for value in node.values() for found in actions(value)]


def tap_point(person: Person, code: str):
    """Tap the choice of a risk point in the bot's last message, whatever its label's length."""
    last = person.line.platform.deliveries_to(person.chat_id)[-1].messages
    action = next(a for a in actions(last) if code in a.get("label", "") + a.get("text", "") + a.get("data", ""))
    if action["type"] == "postback":
        return person.taps(action["data"], display_text=action.get("displayText"))
    return person.says(action["text"])


def test_the_seed_puts_the_bot_in_the_groups_and_befriends_the_staff_silently(line):  # noqa: F811
    people, groups = demo_world(line)
    platform = line.platform
    assert all(platform.chat(group.chat_id).bot_is_member for group in groups.values())
    assert {key for key, person in people.items() if person.user.is_friend} == {"patrol", "clerk", "secretariat"}
    assert not [entry for entry in platform.timeline if entry.note in ("join", "follow")]  # no webhooks sent
    assert not platform.webhook_attempts


def test_the_patrol_persona_checks_in_and_the_clerk_group_gets_the_work_order(line):  # noqa: F811
    people, groups = demo_world(line)
    officer = people["patrol"]
    replies = officer.says(t.CHECKIN)
    assert t.SEND_LOCATION in replies.quick_replies
    replies = officer.shares_location(13.7563, 100.5018)  # the emulator's default location: RP-0001
    replies = tap_point(officer, "RP-0001")
    assert t.NO_PHOTO in replies.quick_replies
    replies = officer.chooses(t.NO_PHOTO)
    assert any("RP-0001" in text for text in replies.texts)
    lighting = t.CONDITIONS["lighting"]
    assert lighting in replies.quick_replies
    officer.chooses(lighting)
    officer.says("หลอดไฟหน้าซอยดับทั้งแนว")
    replies = officer.chooses(t.DONE)
    assert "ฝ่ายโยธา" in replies.texts[0]
    card = line.deliveries(groups["works"])[-1]
    assert card.method == "push" and "หลอดไฟหน้าซอยดับทั้งแนว" in str(card.messages)
    assert line.platform.chat(groups["works"].chat_id).members[0] == people["clerk"].user_id
    officer.chooses(t.ALL_NORMAL)
    replies = people["clerk"].in_group(groups["works"]).chooses("รับงาน")  # the clerk takes the order
    assert "WO-" in replies.texts[0] and people["clerk"].name in replies.texts[0]

    with line.services.sessions.begin() as session:  # the round ends: its missed points reach the patrol group
        check = session.scalars(select(PatrolCheck)).one()
        last_round = max(w.number for w in windows(get_setting(session, "riskpoints.rounds")))
        close_round(session, check.patrol_day, last_round, utcnow(), notifier(session, "riskpoints:round"))
    line.process()
    told = str(line.deliveries(groups["patrol"])[-1].messages)
    assert "RP-0002" in told and "RP-0003" in told


def test_the_demo_points_are_patrolled_by_the_demo_unit(line):  # noqa: F811
    demo_world(line)
    with line.services.sessions() as session:
        units = session.scalars(select(RiskPoint.patrol_unit_id).where(RiskPoint.code.like("RP-000%"))).all()
        assert len(set(units)) == 1 and units[0] is not None
        assert session.scalar(select(func.count()).select_from(RiskPoint)) == 3
