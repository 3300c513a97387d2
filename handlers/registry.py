"""A registry that routes events to handlers in a fixed order instead of if/elif chains.

Order (ARCHITECTURE.md): conversation state, postback action, command, free text, help.
Non-message events go to the handler registered for their type.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs

from linebot.v3.messaging import Message
from sqlalchemy import select

from handlers.context import Context
from models import Conversation

log = logging.getLogger(__name__)

Handler = Callable[[Context], list[Message]]
CHAT_TYPES = frozenset({"user", "group", "room"})


@dataclass(frozen=True)
class Command:
    """A text command: the first word(s) of a message, in the chats where it applies."""

    words: tuple[str, ...]
    handler: Handler
    chat_types: frozenset[str]

    def matches(self, ctx: Context) -> bool:
        """Whether the context's text starts with one of this command's words."""
        text = (ctx.text or "").casefold()
        if ctx.chat_type not in self.chat_types:
            return False
        return any(text == word or text.startswith(word + " ") for word in self.words)


class Registry:
    """Handlers by event type, conversation flow, postback action and command."""

    def __init__(self) -> None:
        """Start empty; domain modules add their handlers with register(registry)."""
        self._events: dict[str, Handler] = {}
        self._flows: dict[str, Handler] = {}
        self._flow_cancels: dict[str, Callable[[Context, Conversation], None]] = {}
        self._postbacks: dict[str, Handler] = {}
        self._commands: list[Command] = []
        self._free_text: list[Handler] = []
        self._help: Handler | None = None

    def on_event(self, event_type: str) -> Callable[[Handler], Handler]:
        """Register the handler of a non-message event type (follow, join, unsend, ...)."""

        def decorate(handler: Handler) -> Handler:
            self._events[event_type] = handler
            return handler

        return decorate

    def flow(
        self, name: str, *, on_cancel: Callable[[Context, Conversation], None] | None = None
    ) -> Callable[[Handler], Handler]:
        """Register the handler of a guided conversation, and what to tidy up if it is cancelled."""

        def decorate(handler: Handler) -> Handler:
            self._flows[name] = handler
            if on_cancel is not None:
                self._flow_cancels[name] = on_cancel
            return handler

        return decorate

    def cancel_flow(self, ctx: Context) -> bool:
        """End the user's conversation, running its flow's tidy-up; False if there was none."""
        conversation = self._conversation(ctx)
        if conversation is None:
            return False
        tidy = self._flow_cancels.get(conversation.flow)
        if tidy is not None:
            tidy(ctx, conversation)
        ctx.session.delete(conversation)
        ctx.session.flush()
        return True

    def postback(self, action: str) -> Callable[[Handler], Handler]:
        """Register the handler of postbacks whose data has action=<action>."""

        def decorate(handler: Handler) -> Handler:
            self._postbacks[action] = handler
            return handler

        return decorate

    def command(self, *words: str, chat_types: set[str] | None = None) -> Callable[[Handler], Handler]:
        """Register a text command answered in the given chat types (default: all)."""

        def decorate(handler: Handler) -> Handler:
            kinds = frozenset(chat_types) if chat_types else CHAT_TYPES
            self._commands.append(Command(tuple(w.casefold() for w in words), handler, kinds))
            return handler

        return decorate

    def free_text(self, handler: Handler) -> Handler:
        """Register a handler offered any message no command took; it returns None to pass."""
        self._free_text.append(handler)
        return handler

    def help(self, handler: Handler) -> Handler:
        """Register the last resort for one-to-one messages nothing else took."""
        self._help = handler
        return handler

    def dispatch(self, ctx: Context) -> list[Message]:
        """Route one event to its handler and return the messages to send."""
        if ctx.event_type == "message":
            return self._dispatch_message(ctx)
        if ctx.event_type == "postback":
            conversation = self._conversation(ctx)
            handler = self._postback_handler(ctx)
            if handler is None and conversation is not None:
                handler = self._flows.get(conversation.flow)
            return handler(ctx) if handler else []
        handler = self._events.get(ctx.event_type)
        if handler is None:
            log.info("no handler for event type %s; kept in the inbox", ctx.event_type)
            return []
        return handler(ctx)

    def _dispatch_message(self, ctx: Context) -> list[Message]:
        for command in self._commands:
            if command.matches(ctx) and getattr(command.handler, "interrupts_flows", False):
                return command.handler(ctx)
        conversation = self._conversation(ctx)
        if conversation is not None and conversation.flow in self._flows:
            return self._flows[conversation.flow](ctx)
        for command in self._commands:
            if command.matches(ctx):
                return command.handler(ctx)
        for handler in self._free_text:
            answer = handler(ctx)
            if answer is not None:
                return answer
        if ctx.is_direct and self._help is not None:
            return self._help(ctx)
        return []

    def _postback_handler(self, ctx: Context) -> Handler | None:
        data = parse_qs(ctx.postback_data or "")
        action = (data.get("action") or [""])[0]
        return self._postbacks.get(action)

    def _conversation(self, ctx: Context) -> Conversation | None:
        if not ctx.is_direct or ctx.user_id is None:
            return None
        return ctx.session.scalar(select(Conversation).where(Conversation.line_user_id == ctx.user_id))


def interrupts_flows(handler: Handler) -> Handler:
    """Mark a command (such as cancel) that is obeyed even in the middle of a conversation."""
    handler.interrupts_flows = True  # type: ignore[attr-defined]
    return handler
