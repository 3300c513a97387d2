"""The people and groups a newcomer plays in the browser (Thai first)."""

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


@dataclass(frozen=True)
class GroupPlan:
    """A demo group and its members beyond the personas."""

    key: str
    name: str
    extra_members: tuple[tuple[str, bool], ...] = ()  # (name, uses LINE for PC)


PERSONAS = (
    Persona("volunteer", "สมชาย ใจดี", "อาสาสมัครเครือข่ายข่าว", "news network volunteer", ("news",), "อ"),
    Persona("patrol", "ด.ต. วิชัย รักษาเขต", "เจ้าหน้าที่สายตรวจ", "patrol officer", ("patrol",), "ต"),
    Persona("secretariat", "มาลี ธุรการ", "ฝ่ายเลขานุการ", "secretariat", ("news", "patrol"), "ล"),
)

GROUPS = (
    GroupPlan("news", "เครือข่ายข่าวเขต", (("สมศรี มีสุข", False), ("ประยูร (LINE PC)", True))),
    GroupPlan("patrol", "สายตรวจเขต", (("ส.ต.ต. ธนา กล้าหาญ", False),)),
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


def user_id_of(platform: Platform, key: str) -> str:
    """The LINE user id a persona has on this platform."""
    return platform.add_user(persona(key).name).user_id


def chat_id_of(platform: Platform, key: str) -> str:
    """The LINE group id of a demo group on this platform."""
    plan = group_plan(key)
    return next(chat.chat_id for chat in platform.chats.values() if chat.name == plan.name)


def seed(platform: Platform) -> None:
    """Create the personas, the other group members and the groups (the bot not yet invited)."""
    for person in PERSONAS:
        platform.add_user(person.name)
    for plan in GROUPS:
        members = [platform.add_user(p.name).user_id for p in PERSONAS if plan.key in p.groups]
        members += [platform.add_user(name, pc=pc).user_id for name, pc in plan.extra_members]
        platform.add_chat(plan.name, members)
