"""Registering a person as a network member: name, phone, occupation, district, PDPA consent."""

from __future__ import annotations

import re

from linebot.v3.messaging import Message
from sqlalchemy import select

from handlers import conversation
from handlers.context import Context
from handlers.registry import Registry, interrupts_flows
from line import messages
from models import Member, MemberStatus, Occupation
from models.districts import DISTRICTS, match_district
from models.settings import get_setting
from texts import network as t

FLOW = "register"
PHONE = re.compile(r"^0\d{8,9}$")


def normalise_phone(typed: str) -> str | None:
    """A Thai phone number as 9-10 digits starting with 0, or None when it is not one."""
    digits = re.sub(r"[\s\-().]", "", typed)
    if digits.startswith("+66"):
        digits = "0" + digits[3:]
    elif digits.startswith("66") and len(digits) in (10, 11):
        digits = "0" + digits[2:]
    if not PHONE.match(digits):
        return None
    if len(digits) == 10 and digits[1] not in "689":
        return None  # ten digits are mobile numbers: 06, 08, 09
    return digits


def occupations(ctx: Context) -> list[Occupation]:
    """The active occupational groups, in their order."""
    query = select(Occupation).where(Occupation.is_active).order_by(Occupation.sort_order, Occupation.name)
    return list(ctx.session.scalars(query))


def start_or_resume(ctx: Context) -> list[Message]:
    """The 'ลงทะเบียน' command: start registration, resume it, or say the member is registered."""
    if not ctx.is_direct or ctx.user_id is None:
        return []
    flow = conversation.current(ctx)
    if flow is not None and flow.flow == FLOW:
        return [messages.text(t.RESUME), *ask(ctx, flow.step)]
    member = ctx.sender
    if member is not None and member.status not in (MemberStatus.UNREGISTERED, MemberStatus.REJECTED):
        return [messages.text(t.ALREADY_REGISTERED.format(status=t.MEMBER_STATUS[member.status.value]))]
    conversation.start(ctx, FLOW, "name")
    return [messages.text(t.START_REGISTRATION)]


def ask(ctx: Context, step: str) -> list[Message]:
    """The question of a registration step."""
    if step == "name":
        return [messages.text(t.ASK_NAME)]
    if step == "phone":
        flow = conversation.current(ctx)
        return [messages.text(t.ASK_PHONE.format(name=flow.data.get("full_name", "")))]
    if step == "occupation":
        return [messages.text(t.ASK_OCCUPATION, [o.name for o in occupations(ctx)])]
    if step == "district":
        return [messages.text(t.ASK_DISTRICT)]
    return [messages.text(t.CONSENT, [t.CONSENT_YES, t.CONSENT_NO])]


def on_step(ctx: Context) -> list[Message]:
    """Take the answer to the current registration step."""
    flow = conversation.current(ctx)
    answer = ctx.text
    if answer is None:
        return [messages.text(t.NEED_TEXT), *ask(ctx, flow.step)]
    if flow.step == "name":
        if not 2 <= len(answer) <= 100:
            return [messages.text(t.BAD_NAME)]
        conversation.advance(flow, "phone", full_name=answer)
    elif flow.step == "phone":
        phone = normalise_phone(answer)
        if phone is None:
            return [messages.text(t.BAD_PHONE)]
        conversation.advance(flow, "occupation", phone=phone)
    elif flow.step == "occupation":
        chosen = next((o for o in occupations(ctx) if o.name == answer or o.code == answer), None)
        if chosen is None:
            return [messages.text(t.BAD_OCCUPATION, [o.name for o in occupations(ctx)])]
        conversation.advance(flow, "district", occupation=chosen.code)
    elif flow.step == "district":
        district = match_district(answer)
        if district is None:
            near = [name for name in DISTRICTS if answer.replace("เขต", "").strip() in name][:13]
            return [messages.text(t.BAD_DISTRICT, near or None)]
        conversation.advance(flow, "consent", district=district)
    else:
        return _consent(ctx, flow, answer)
    return ask(ctx, flow.step)


def _consent(ctx: Context, flow, answer: str) -> list[Message]:
    """Save the registration on consent; forget what was typed otherwise."""
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
    registry.command(t.REGISTER, chat_types={"user"})(interrupts_flows(start_or_resume))
    registry.flow(FLOW)(on_step)
