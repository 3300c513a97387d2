"""Friendship, group membership, help and cancel: what every chat with the bot needs."""

from __future__ import annotations

import logging
from functools import partial

from linebot.v3.messaging import Message
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from handlers import registration
from handlers.context import Context
from handlers.registry import Registry
from line import messages
from line.menus import MENUS
from models import Chat, Member
from services.roles import Menu, refresh_menu, roles_of
from texts import common as t

log = logging.getLogger(__name__)


def remember_sender(ctx: Context) -> Member | None:
    """Find or create the Member for the event's user id (None for PC senders in groups)."""
    if ctx.user_id is None:
        return None
    found = select(Member).where(Member.line_user_id == ctx.user_id)
    return ctx.session.scalar(found) or _insert_once(ctx, Member(line_user_id=ctx.user_id, is_friend=False), found)


def remember_chat(ctx: Context) -> Chat | None:
    """Find or create the Chat for a group or room event."""
    if ctx.chat_type not in ("group", "room") or ctx.chat_id is None:
        return None
    found = select(Chat).where(Chat.line_chat_id == ctx.chat_id)
    return ctx.session.scalar(found) or _insert_once(
        ctx, Chat(line_chat_id=ctx.chat_id, chat_type=ctx.chat_type, joined_at=ctx.now), found
    )


def _insert_once(ctx: Context, row, found):
    """Insert a row unique on its LINE id; if another process inserted it first, use theirs."""
    try:
        with ctx.session.begin_nested():
            ctx.session.add(row)
    except IntegrityError:  # the same user's or chat's first events handled at once by two processes
        return ctx.session.scalar(found)
    return row


def on_follow(ctx: Context) -> list[Message]:
    """A user added the bot as a friend (or unblocked it): remember them and greet them."""
    member = ctx.sender or remember_sender(ctx)
    if member is None:
        return []
    member.is_friend = True
    if ctx.line is not None and ctx.user_id:
        member.display_name = ctx.line.display_name(ctx.user_id) or member.display_name
    invitation = registration.invite_on_follow(ctx, member)
    refresh_menu(ctx.session, member)
    return [messages.text(t.WELCOME, None if invitation else [t.QUICK_HELP]), *invitation]


def on_unfollow(ctx: Context) -> list[Message]:
    """A user blocked the bot: stop treating them as reachable by push."""
    member = ctx.sender or remember_sender(ctx)
    if member is not None:
        member.is_friend = False
    return []


def on_join(ctx: Context) -> list[Message]:
    """The bot was added to a group or room: record it and say nothing to the group."""
    chat = remember_chat(ctx)
    if chat is not None:
        chat.is_member = True
        chat.joined_at = ctx.now
        chat.left_at = None
    return []


def on_leave(ctx: Context) -> list[Message]:
    """The bot was removed from a group or room."""
    chat = remember_chat(ctx)
    if chat is not None:
        chat.is_member = False
        chat.left_at = ctx.now
    return []


def help_text(menu: Menu) -> str:
    """The help of a role: each command of its rich menu with what it does, then cancel."""
    commands = [tile.sends for tile in MENUS[menu] if tile.sends in t.HELP_LINES]
    lines = [f"• {command} — {t.HELP_LINES[command]}" for command in [*commands, t.CANCEL_WORDS[0]]]
    return "\n".join([t.HELP_TITLE, *lines])


def show_help(ctx: Context) -> list[Message]:
    """List what this person can do, as buttons too (what their rich menu offers)."""
    menu = roles_of(ctx.session, ctx.sender).menu
    buttons = [tile.sends for tile in MENUS[menu] if tile.sends != t.QUICK_HELP]
    return [messages.text(help_text(menu), buttons)]


def fallback(ctx: Context) -> list[Message]:
    """A one-to-one event nothing else took: an old or foreign button, or (rarely) a message; say so, with buttons."""
    buttons = [tile.sends for tile in MENUS[roles_of(ctx.session, ctx.sender).menu]]
    if ctx.event_type == "postback":
        return [messages.text(t.BUTTON_STALE, buttons)]
    if ctx.text is not None and messages.utf16_length(ctx.text) > messages.MAX_TEXT_UTF16:
        return [messages.text(t.TEXT_TOO_LONG)]
    return [messages.text(t.NOT_UNDERSTOOD, buttons)]


def cancel(ctx: Context, registry: Registry) -> list[Message]:
    """Leave whatever guided conversation the user is in."""
    if not registry.cancel_flow(ctx):
        return [messages.text(t.NOTHING_TO_CANCEL)]
    return [messages.text(t.CANCELLED, [t.QUICK_HELP])]


def register(registry: Registry) -> None:
    """Add this module's handlers to the registry."""
    registry.on_event("follow")(on_follow)
    registry.on_event("unfollow")(on_unfollow)
    registry.on_event("join")(on_join)
    registry.on_event("leave")(on_leave)
    registry.command(*t.CANCEL_WORDS, chat_types={"user"}, interrupts=True)(partial(cancel, registry=registry))
    registry.command(*t.HELP_WORDS, interrupts=True)(show_help)
    registry.help(fallback)
