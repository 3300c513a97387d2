"""What the mixed load needs in the database first, made through the app's own services.

A patrol unit with its LINE group, `officers` officers on its roster (each a LINE friend, as if they had
accepted the admin web's invitation) and one risk point per officer on a grid 0.01° apart (about 1.1 km,
so exactly one point is in range of each check-in); network groups registered by the secretariat, and
`reporters` LINE friends who report in them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Chat, Member, MemberStatus, Occupation, RosterStatus, UnitKind, UnitMembership
from models.timeutil import to_bangkok, utcnow
from services.riskpoints.registry import save_point
from services.riskpoints.units import create_unit, ensure_default_units
from services.roles import refresh_menu
from tests.harness import group_id, user_id

UNIT = {"code": "patrol-bench", "name": "สายตรวจทดสอบ e2e", "kind": UnitKind.PATROL}
DISTRICT = "บางรัก"
ORIGIN = (13.60, 100.40)
SPACING = 0.01  # degrees between two points of the grid
COLUMNS = 20
BY = "bench-e2e"


@dataclass
class Officer:
    """A patrol officer and the one point they check in at."""

    user: str
    code: str
    latitude: float
    longitude: float


@dataclass
class World:
    """The seeded people, points and groups."""

    officers: list[Officer] = field(default_factory=list)
    reporters: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)


def _chat(session: Session, line_chat_id: str, name: str, purpose: str, occupation: str | None) -> Chat:
    """A group the bot is in, registered by the secretariat for a purpose."""
    chat = Chat(line_chat_id=line_chat_id, chat_type="group", is_member=True, name=name, purpose=purpose)
    chat.occupation_code, chat.member_count = occupation, 50
    chat.registered_at, chat.registered_by = utcnow(), BY
    session.add(chat)
    session.flush()
    return chat


def _friend(session: Session, line_user_id: str, name: str, **values) -> Member:
    member = Member(line_user_id=line_user_id, display_name=name, is_friend=True, **values)
    session.add(member)
    session.flush()
    return member


def seed(session: Session, *, officers: int, reporters: int, groups: int = 4) -> World:
    """Create the unit, officers, points, network groups and reporters; return who and where they are."""
    world = World()
    ensure_default_units(session)
    unit = create_unit(session, district=DISTRICT, **UNIT)
    unit.chat_id = _chat(session, group_id(), UNIT["name"], "patrol", None).id
    since = to_bangkok(utcnow()).date() - timedelta(days=1)
    for n in range(officers):
        latitude = round(ORIGIN[0] + SPACING * (n // COLUMNS), 6)
        longitude = round(ORIGIN[1] + SPACING * (n % COLUMNS), 6)
        code = f"RP-{9000 + n}"
        save_point(
            session,
            {
                "code": code,
                "name": f"จุดทดสอบ {n + 1}",
                "district": DISTRICT,
                "latitude": latitude,
                "longitude": longitude,
                "kind": "alley",
                "patrol_unit": UNIT["code"],
                "active_from": since,
            },
        )
        member = _friend(session, user_id(), f"สายตรวจ {n + 1}")
        session.add(
            UnitMembership(
                unit_id=unit.id,
                member_id=member.id,
                status=RosterStatus.ACTIVE,
                invited_at=utcnow(),
                invited_by=BY,
                answered_at=utcnow(),
            )
        )
        refresh_menu(session, member)
        world.officers.append(Officer(member.line_user_id, code, latitude, longitude))
    occupation = session.scalar(select(Occupation.code).order_by(Occupation.sort_order).limit(1))
    for n in range(groups):
        line_chat_id = group_id()
        _chat(session, line_chat_id, f"เครือข่ายข่าว ทดสอบ {n + 1}", "network", occupation)
        world.groups.append(line_chat_id)
    for n in range(reporters):
        member = _friend(
            session,
            user_id(),
            f"อาสา {n + 1}",
            status=MemberStatus.APPROVED,
            occupation_code=occupation,
            district=DISTRICT,
            registered_at=utcnow(),
        )
        world.reporters.append(member.line_user_id)
    return world
