"""Registering LINE groups, keeping their head count, and inviting newcomers to register."""

from __future__ import annotations

import logging

from linebot.v3.messaging import Message
from sqlalchemy import select

from handlers.basics import remember_chat
from handlers.context import Context
from handlers.registry import Registry
from line import messages
from models import Chat, GroupRegistrationCode, Invitation, Member, MemberStatus
from texts import network as t

log = logging.getLogger(__name__)

REGISTER_GROUP = ("ลงทะเบียนกลุ่ม", "register group")


def network_chat(ctx: Context) -> Chat | None:
    """The registered chat the event came from, or None for one-to-one or unregistered chats."""
    if ctx.chat_type not in ("group", "room") or ctx.chat_id is None:
        return None
    chat = ctx.session.scalar(select(Chat).where(Chat.line_chat_id == ctx.chat_id))
    return chat if chat is not None and chat.is_registered else None


def register_group(ctx: Context) -> list[Message]:
    """'ลงทะเบียนกลุ่ม <code>' typed in a group: register it with the code's name and purpose."""
    chat = remember_chat(ctx)
    if chat is None:
        return []
    if chat.is_registered:
        return [messages.text(t.GROUP_ALREADY.format(name=chat.name))]
    words = (ctx.text or "").split()
    typed = words[-1].strip().upper() if len(words) > 1 else ""
    code = ctx.session.scalar(
        select(GroupRegistrationCode).where(
            GroupRegistrationCode.code == typed,
            GroupRegistrationCode.used_at.is_(None),
            GroupRegistrationCode.expires_at > ctx.now,
        )
    )
    if code is None:
        return [messages.text(t.GROUP_CODE_INVALID)]
    code.used_at, code.chat_id = ctx.now, chat.id
    chat.name, chat.purpose, chat.occupation_code = code.name, code.purpose, code.occupation_code
    chat.registered_at, chat.registered_by = ctx.now, code.created_by
    chat.is_member = True
    if ctx.line is not None and ctx.chat_type == "group":
        try:
            chat.member_count = ctx.line.group_member_count(ctx.chat_id)
        except Exception as exc:  # the count is kept up to date by join/leave events anyway
            log.info("group member count unavailable: %s", type(exc).__name__)
    purpose = t.GROUP_PURPOSES.get(code.purpose, code.purpose)
    does = t.GROUP_DOES.get(code.purpose, "")
    return [messages.text(t.GROUP_REGISTERED.format(name=code.name, purpose=purpose, does=does).rstrip())]


def on_members_joined(ctx: Context) -> list[Message]:
    """People joined a group: count them, and invite the unregistered ones privately, once."""
    chat = remember_chat(ctx)
    joined = [m for m in (ctx.event.get("joined") or {}).get("members") or [] if isinstance(m, dict)]
    if chat is None:
        return []
    if chat.member_count is not None:
        chat.member_count += len(joined)
    if chat.purpose != "network" or not chat.is_registered:
        return []
    for person in joined:
        user_id = person.get("userId")
        if not user_id:
            continue
        member = ctx.session.scalar(select(Member).where(Member.line_user_id == user_id))
        registered = member is not None and member.status not in (MemberStatus.UNREGISTERED, MemberStatus.REJECTED)
        if registered or ctx.session.get(Invitation, user_id) is not None:
            continue
        ctx.session.add(Invitation(line_user_id=user_id, chat_id=chat.id, sent_at=ctx.now))
        ctx.push_to(user_id, [messages.text(t.INVITATION.format(group=chat.name), [t.REGISTER])])
    return []  # never a message in the group


def on_members_left(ctx: Context) -> list[Message]:
    """People left a group: keep its head count."""
    chat = remember_chat(ctx)
    left = (ctx.event.get("left") or {}).get("members") or []
    if chat is not None and chat.member_count is not None:
        chat.member_count = max(0, chat.member_count - len(left))
    return []


def register(registry: Registry) -> None:
    """Add the group handlers to the registry."""
    registry.command(*REGISTER_GROUP, chat_types={"group", "room"})(register_group)
    registry.on_event("memberJoined")(on_members_joined)
    registry.on_event("memberLeft")(on_members_left)
