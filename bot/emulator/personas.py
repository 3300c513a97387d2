"""The people and groups a newcomer plays in the browser (Thai first).

The demo starts with the programme already set up (``flask --app bot demo load``, bot/demo.py): the
patrol officer, the department clerk and the secretariat are friends of the bot and on their units'
rosters, and the bot is already in every demo group. Only the volunteer is new, to show how someone
joins the network.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.emulator.platform import Platform


@dataclass(frozen=True)
class Persona:
    """A role a newcomer can play: a LINE user with a name, a role and the groups they are in."""

    key: str
    name: str
    role: str
    role_en: str
    groups: tuple[str, ...]
    avatar: str
    friend: bool = False  # already a friend of the bot when the demo starts (no follow event)


@dataclass(frozen=True)
class GroupPlan:
    """A demo group, what it is for in FieldLine, and its members beyond the personas."""

    key: str
    name: str
    purpose: str  # the registered group's purpose: network | patrol | department
    extra_members: tuple[tuple[str, bool], ...] = ()  # (name, uses LINE for PC)


PERSONAS = (
    Persona("volunteer", "สมชาย ใจดี", "อาสาสมัครเครือข่ายข่าว", "news network volunteer", ("news",), "อ"),
    Persona("patrol", "ด.ต. วิชัย รักษาเขต", "เจ้าหน้าที่สายตรวจ", "patrol officer", ("patrol",), "ต", True),
    Persona("clerk", "สมศักดิ์ ช่างโยธา", "เจ้าหน้าที่ฝ่ายโยธา", "department clerk", ("works",), "ย", True),
    Persona("secretariat", "มาลี ธุรการ", "ฝ่ายเลขานุการ", "secretariat", ("news", "patrol"), "ล", True),
)

GROUPS = (
    GroupPlan("news", "เครือข่ายข่าวเขตพระนคร", "network", (("สมศรี มีสุข", False), ("ประยูร (LINE PC)", True))),
    GroupPlan("patrol", "สายตรวจเขตพระนคร", "patrol", (("ส.ต.ต. ธนา กล้าหาญ", False),)),
    GroupPlan("works", "ฝ่ายโยธา เขตพระนคร", "department", (("นายช่าง ประสิทธิ์ ซ่อมดี", False),)),
)


def persona(key: str) -> Persona:
    """A persona by key; KeyError when unknown."""
    for candidate in PERSONAS:
        if candidate.key == key:
            return candidate
    raise KeyError(key)


def group_plan(key: str) -> GroupPlan:
    """A demo group by key; KeyError when unknown."""
    for candidate in GROUPS:
        if candidate.key == key:
            return candidate
    raise KeyError(key)


def members_of(key: str) -> list[Persona]:
    """The personas in a demo group."""
    return [person for person in PERSONAS if key in person.groups]


def member_count(key: str) -> int:
    """How many people are in a demo group (the bot not counted)."""
    return len(members_of(key)) + len(group_plan(key).extra_members)


def user_id_of(platform: Platform, key: str) -> str:
    """The LINE user id a persona has on this platform."""
    return platform.add_user(persona(key).name).user_id


def chat_id_of(platform: Platform, key: str) -> str:
    """The LINE group id of a demo group on this platform."""
    plan = group_plan(key)
    return next(chat.chat_id for chat in platform.chats.values() if chat.name == plan.name)


def seed(platform: Platform) -> None:
    """Create the personas and the groups as the demo data knows them: friends befriended, the bot in every group."""
    for person in PERSONAS:
        user = platform.add_user(person.name)
        if person.friend:
            platform.followed_earlier(user.user_id)
    for plan in GROUPS:
        members = [platform.add_user(p.name).user_id for p in members_of(plan.key)]
        members += [platform.add_user(name, pc=pc).user_id for name, pc in plan.extra_members]
        chat = platform.add_chat(plan.name, members)
        platform.bot_joined_earlier(chat.chat_id)
