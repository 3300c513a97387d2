"""Registering a person as a network member: name, phone, occupation, district, PDPA consent.

Everything after the name and phone is chosen by tapping: occupations as a Flex list (their names may be
longer than a quick-reply label), the district as the BMA's district group, then a district of that group;
a typed district is matched, and a typo answered with buttons of the districts it resembles.
"""

from __future__ import annotations

from functools import partial

from linebot.v3.messaging import Message
from sqlalchemy import select

from handlers import conversation
from handlers.context import Context
from handlers.registry import Registry
from line import messages
from line.network_cards import choice_list
from models import Conversation, Member, MemberStatus, Occupation, RosterStatus, UnitMembership
from models.districts import ZONES, match_district, match_zone, similar_districts, zone_short
from models.settings import get_setting
from models.workgroup import StaffLineLink
from services.network.members import normalise_phone
from services.roles import refresh_menu
from texts import network as t

FLOW = "register"
UNREGISTERED = (MemberStatus.UNREGISTERED, MemberStatus.REJECTED)
DISTRICTS_PER_PAGE = 10  # with "more", "other group" and "cancel": 13 quick replies at most


def occupations(ctx: Context) -> list[Occupation]:
    """The active occupational groups, in their order."""
    query = select(Occupation).where(Occupation.is_active).order_by(Occupation.sort_order, Occupation.name)
    return list(ctx.session.scalars(query))


def start_or_resume(ctx: Context, registry: Registry) -> list[Message]:
    """The 'ลงทะเบียน' command: start registration, resume it, or say the member is registered."""
    if not ctx.is_direct or ctx.user_id is None:
        return []
    flow = conversation.current(ctx)
    if flow is not None and flow.flow == FLOW:
        return [messages.text(t.RESUME), *ask(ctx, flow.step)]
    member = ctx.sender
    if member is not None and member.status not in UNREGISTERED:
        return [messages.text(t.ALREADY_REGISTERED.format(status=t.MEMBER_STATUS[member.status.value]))]
    registry.start_flow(ctx, FLOW, "name")
    return [messages.text(t.START_REGISTRATION, [t.CANCEL])]


def _ask_phone(ctx: Context) -> list[Message]:
    flow = conversation.current(ctx)
    return [messages.text(t.ASK_PHONE.format(name=flow.data.get("full_name", "")), [t.CANCEL])]


def _ask_occupation(ctx: Context, body: str = t.ASK_OCCUPATION) -> list[Message]:
    """The occupations as a Flex list of buttons showing each name in full (a quick reply would cut them)."""
    names = [o.name for o in occupations(ctx)]
    alt = t.OCCUPATION_ALT.format(names=", ".join(names))
    return [messages.text(body), choice_list(t.OCCUPATION_TITLE, names, alt, [t.CANCEL])]


def _zone_buttons(body: str) -> Message:
    """The BMA's six district groups as buttons, and cancel."""
    buttons = [(zone_short(zone), zone_short(zone)) for zone in ZONES]
    return messages.choices(body, [*buttons, (t.CANCEL, t.CANCEL)])


def _district_buttons(zone: str, page: int = 0) -> Message:
    """The districts of a group as buttons (a page of them), with other group and cancel."""
    members = ZONES[zone]
    shown = members[page * DISTRICTS_PER_PAGE : (page + 1) * DISTRICTS_PER_PAGE]
    buttons = [(name, name) for name in shown]
    if (page + 1) * DISTRICTS_PER_PAGE < len(members):
        buttons.append((t.MORE_DISTRICTS, f"{t.MORE_DISTRICTS} {page + 1}"))
    body = t.ASK_DISTRICT_IN_ZONE.format(zone=zone, count=len(members))
    return messages.choices(body, [*buttons, (t.OTHER_ZONE, t.OTHER_ZONE), (t.CANCEL, t.CANCEL)])


QUESTIONS = {
    "name": lambda ctx: [messages.text(t.ASK_NAME, [t.CANCEL])],
    "phone": _ask_phone,
    "occupation": _ask_occupation,
    "district": lambda ctx: [_zone_buttons(t.ASK_DISTRICT)],
    "consent": lambda ctx: [messages.text(t.CONSENT, [t.CONSENT_YES, t.CONSENT_NO])],
}


def ask(ctx: Context, step: str) -> list[Message]:
    """The question of a registration step."""
    return QUESTIONS[step](ctx)


def _need_text(ctx: Context, flow: Conversation) -> list[Message] | None:
    """Every step wants typed text or a tapped button: anything else is answered with the step's question."""
    return None if ctx.text is not None else [messages.text(t.NEED_TEXT), *ask(ctx, flow.step)]


def _take_name(ctx: Context, flow: Conversation) -> list[Message]:
    if not 2 <= len(ctx.text) <= 100:
        return [messages.text(t.BAD_NAME, [t.CANCEL])]
    conversation.advance(flow, "phone", full_name=ctx.text)
    return ask(ctx, "phone")


def _take_phone(ctx: Context, flow: Conversation) -> list[Message]:
    phone = normalise_phone(ctx.text)
    if phone is None:
        return [messages.text(t.BAD_PHONE, [t.CANCEL])]
    conversation.advance(flow, "occupation", phone=phone)
    return ask(ctx, "occupation")


def _take_occupation(ctx: Context, flow: Conversation) -> list[Message]:
    chosen = next((o for o in occupations(ctx) if ctx.text in (o.name, o.code)), None)
    if chosen is None:
        return _ask_occupation(ctx, t.BAD_OCCUPATION)
    conversation.advance(flow, "district", occupation=chosen.code)
    return ask(ctx, "district")


def _take_district(ctx: Context, flow: Conversation) -> list[Message]:
    """A district group opens its districts; a district moves on; a typo gets buttons of look-alikes."""
    typed = ctx.text
    zone = match_zone(typed)
    if zone is not None:
        conversation.advance(flow, "district", zone=zone)
        return [_district_buttons(zone)]
    if typed == t.OTHER_ZONE:
        return [_zone_buttons(t.ASK_DISTRICT)]
    if typed.startswith(t.MORE_DISTRICTS) and flow.data.get("zone") in ZONES:
        page = typed.removeprefix(t.MORE_DISTRICTS).strip()
        return [_district_buttons(flow.data["zone"], int(page) if page.isdigit() else 0)]
    district = match_district(typed)
    if district is not None:
        conversation.advance(flow, "consent", district=district)
        return ask(ctx, "consent")
    near = similar_districts(typed, limit=messages.MAX_QUICK_REPLY_ITEMS - 2)
    if not near:
        return [_zone_buttons(t.BAD_DISTRICT.format(typed=typed[:50]))]
    buttons = [(name, name) for name in near]
    body = t.DISTRICT_SUGGESTIONS.format(typed=typed[:50])
    return [messages.choices(body, [*buttons, (t.OTHER_ZONE, t.OTHER_ZONE), (t.CANCEL, t.CANCEL)])]


def _take_consent(ctx: Context, flow: Conversation) -> list[Message]:
    """Save the registration on consent; forget what was typed otherwise."""
    answer = ctx.text
    if answer == t.CONSENT_NO:
        conversation.finish(ctx, flow)
        return [messages.text(t.CONSENT_DECLINED, [t.REGISTER])]
    if answer != t.CONSENT_YES:
        return ask(ctx, "consent")
    member = ctx.sender
    data = flow.data
    member.full_name = data["full_name"]
    member.phone = data["phone"]
    member.occupation_code = data["occupation"]
    member.district = data["district"]
    member.consent_version = get_setting(ctx.session, "network.consent_version")
    member.consent_at = ctx.now
    member.registered_at = ctx.now
    auto = get_setting(ctx.session, "network.auto_approve_members")
    member.status = MemberStatus.APPROVED if auto else MemberStatus.PENDING
    if auto:
        member.decided_at, member.decided_by = ctx.now, "auto-approval"
    refresh_menu(ctx.session, member)
    conversation.finish(ctx, flow)
    return [messages.text(t.REGISTERED_APPROVED if auto else t.REGISTERED_PENDING)]


def works_for_office(ctx: Context, member: Member) -> bool:
    """Whether the person is on a unit's roster (or invited to one) or linked to a staff account."""
    ctx.session.flush()
    on_roster = ctx.session.scalar(
        select(UnitMembership.id)
        .where(
            UnitMembership.member_id == member.id,
            UnitMembership.status.in_((RosterStatus.INVITED, RosterStatus.ACTIVE)),
        )
        .limit(1)
    )
    if on_roster is not None:
        return True
    user_id = member.line_user_id or ctx.user_id
    link = ctx.session.scalar(select(StaffLineLink.staff_user_id).where(StaffLineLink.line_user_id == user_id))
    return link is not None


def invite_on_follow(ctx: Context, member: Member | None) -> list[Message]:
    """After a follow: start registration for people who are not registered and not office staff or officers."""
    if member is None or member.status not in UNREGISTERED:
        return []
    if works_for_office(ctx, member):
        return []
    if conversation.current(ctx) is None:
        conversation.start(ctx, FLOW, "name")
    return [messages.text(t.START_REGISTRATION, [t.CANCEL])]


def register(registry: Registry) -> None:
    """Add the registration command and flow to the registry."""
    registry.command(t.REGISTER, chat_types={"user"}, interrupts=True)(partial(start_or_resume, registry=registry))
    registry.flow(
        FLOW,
        steps={
            "name": _take_name,
            "phone": _take_phone,
            "occupation": _take_occupation,
            "district": _take_district,
            "consent": _take_consent,
        },
        before=_need_text,
    )
