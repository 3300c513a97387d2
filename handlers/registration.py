"""Registering a person as a network member: name, phone, occupation, district, PDPA consent."""

from __future__ import annotations

from functools import partial

from linebot.v3.messaging import Message
from sqlalchemy import select

from handlers import conversation
from handlers.context import Context
from handlers.registry import Registry
from line import messages
from models import Conversation, Member, MemberStatus, Occupation
from models.districts import DISTRICTS, match_district
from models.settings import get_setting
from services.network.members import normalise_phone
from texts import network as t

FLOW = "register"


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
    if member is not None and member.status not in (MemberStatus.UNREGISTERED, MemberStatus.REJECTED):
        return [messages.text(t.ALREADY_REGISTERED.format(status=t.MEMBER_STATUS[member.status.value]))]
    registry.start_flow(ctx, FLOW, "name")
    return [messages.text(t.START_REGISTRATION)]


def _ask_phone(ctx: Context) -> list[Message]:
    flow = conversation.current(ctx)
    return [messages.text(t.ASK_PHONE.format(name=flow.data.get("full_name", "")))]


QUESTIONS = {
    "name": lambda ctx: [messages.text(t.ASK_NAME)],
    "phone": _ask_phone,
    "occupation": lambda ctx: [messages.text(t.ASK_OCCUPATION, [o.name for o in occupations(ctx)])],
    "district": lambda ctx: [messages.text(t.ASK_DISTRICT)],
    "consent": lambda ctx: [messages.text(t.CONSENT, [t.CONSENT_YES, t.CONSENT_NO])],
}


def ask(ctx: Context, step: str) -> list[Message]:
    """The question of a registration step."""
    return QUESTIONS[step](ctx)


def _need_text(ctx: Context, flow: Conversation) -> list[Message] | None:
    """Every step wants typed text: anything else is answered with the step's question again."""
    return None if ctx.text is not None else [messages.text(t.NEED_TEXT), *ask(ctx, flow.step)]


def _take_name(ctx: Context, flow: Conversation) -> list[Message]:
    if not 2 <= len(ctx.text) <= 100:
        return [messages.text(t.BAD_NAME)]
    conversation.advance(flow, "phone", full_name=ctx.text)
    return ask(ctx, "phone")


def _take_phone(ctx: Context, flow: Conversation) -> list[Message]:
    phone = normalise_phone(ctx.text)
    if phone is None:
        return [messages.text(t.BAD_PHONE)]
    conversation.advance(flow, "occupation", phone=phone)
    return ask(ctx, "occupation")


def _take_occupation(ctx: Context, flow: Conversation) -> list[Message]:
    chosen = next((o for o in occupations(ctx) if ctx.text in (o.name, o.code)), None)
    if chosen is None:
        return [messages.text(t.BAD_OCCUPATION, [o.name for o in occupations(ctx)])]
    conversation.advance(flow, "district", occupation=chosen.code)
    return ask(ctx, "district")


def _take_district(ctx: Context, flow: Conversation) -> list[Message]:
    district = match_district(ctx.text)
    if district is None:
        near = [name for name in DISTRICTS if ctx.text.replace("เขต", "").strip() in name][:13]
        return [messages.text(t.BAD_DISTRICT, near or None)]
    conversation.advance(flow, "consent", district=district)
    return ask(ctx, "consent")


def _take_consent(ctx: Context, flow: Conversation) -> list[Message]:
    """Save the registration on consent; forget what was typed otherwise."""
    answer = ctx.text
    if answer == t.CONSENT_NO:
        conversation.finish(ctx, flow)
        return [messages.text(t.CONSENT_DECLINED)]
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
    conversation.finish(ctx, flow)
    return [messages.text(t.REGISTERED_APPROVED if auto else t.REGISTERED_PENDING)]


def invite_on_follow(ctx: Context, member: Member | None) -> list[Message]:
    """After a follow: start registration for people who are not registered yet."""
    if member is None or member.status not in (MemberStatus.UNREGISTERED, MemberStatus.REJECTED):
        return []
    if conversation.current(ctx) is None:
        conversation.start(ctx, FLOW, "name")
    return [messages.text(t.START_REGISTRATION)]


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
