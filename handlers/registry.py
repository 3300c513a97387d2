"""A registry that routes events to handlers in a fixed order instead of if/elif chains.

Order (ARCHITECTURE.md): conversation state, postback action, command, free text, help; commands registered
with ``interrupts=True`` (cancel, help, a new check-in) are obeyed even in the middle of a conversation.
Non-message events go to the handler registered for their type.

A guided conversation is a table of steps: ``registry.flow(name, steps={"location": take_location, ...})``.
The user's Conversation row names the flow and its current step; each answer is given to that step's
function as ``step(ctx, conversation)``, which returns the reply and moves on with
``conversation.advance(conv, "next_step", **data)`` or ends with ``conversation.finish(ctx, conv)``
(staying on the same step is doing neither). ``before`` (optional) sees every answer first and may reply
instead of the step (e.g. "please type text"); ``on_cancel`` tidies up when the user cancels or starts
another flow.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs

from linebot.v3.messaging import Message
from sqlalchemy import select

from handlers import conversation
from handlers.context import Context
from models import Conversation

log = logging.getLogger(__name__)

Handler = Callable[[Context], list[Message]]
Step = Callable[[Context, Conversation], list[Message]]
Before = Callable[[Context, Conversation], list[Message] | None]
Tidy = Callable[[Context, Conversation], None]
CHAT_TYPES = frozenset({"user", "group", "room"})


@dataclass(frozen=True)
class Command:
    """A text command: the first word(s) of a message, in the chats where it applies."""

    words: tuple[str, ...]
    handler: Handler
    chat_types: frozenset[str]
    interrupts: bool = False

    def matches(self, ctx: Context) -> bool:
        """Whether the context's text starts with one of this command's words."""
        text = (ctx.text or "").casefold()
        if ctx.chat_type not in self.chat_types:
            return False
        return any(text == word or text.startswith(word + " ") for word in self.words)


@dataclass(frozen=True)
class Flow:
    """A guided conversation: its steps by name, a check before each answer, its tidy-up on cancel."""

    name: str
    steps: Mapping[str, Step] = field(default_factory=dict)
    before: Before | None = None
    on_cancel: Tidy | None = None

    def answer(self, ctx: Context, state: Conversation) -> list[Message]:
        """Give the event to the current step (after ``before``); an unknown step ends the flow."""
        step = self.steps.get(state.step)
        if step is None:
            log.warning("flow %s has no step %s; conversation ended", self.name, state.step)
            conversation.finish(ctx, state)
            return []
        if self.before is not None:
            said = self.before(ctx, state)
            if said is not None:
                return said
        return step(ctx, state)


class Registry:
    """Handlers by event type, conversation flow, postback action and command."""

    def __init__(self) -> None:
        """Start empty; domain modules add their handlers with register(registry)."""
        self._events: dict[str, Handler] = {}
        self._flows: dict[str, Flow] = {}
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
        self,
        name: str,
        *,
        steps: Mapping[str, Step],
        before: Before | None = None,
        on_cancel: Tidy | None = None,
    ) -> Flow:
        """Register a guided conversation as a table of steps, and what to tidy up if it is cancelled."""
        if not steps:
            raise ValueError(f"flow {name} has no steps")
        flow = Flow(name, MappingProxyType(dict(steps)), before, on_cancel)
        self._flows[name] = flow
        return flow

    def start_flow(self, ctx: Context, name: str, step: str, data: dict[str, Any] | None = None) -> Conversation:
        """Begin a flow at a step for the event's user; another flow they were in is cancelled first."""
        if step not in self._flows[name].steps:
            raise ValueError(f"flow {name} has no step {step}")
        current = conversation.current(ctx)
        if current is not None and current.flow != name:
            self._tidy(ctx, current)
        return conversation.start(ctx, name, step, data)

    def cancel_flow(self, ctx: Context) -> bool:
        """End the user's conversation, running its flow's tidy-up; False if there was none."""
        current = self._conversation(ctx)
        if current is None:
            return False
        self._tidy(ctx, current)
        conversation.finish(ctx, current)
        return True

    def _tidy(self, ctx: Context, current: Conversation) -> None:
        flow = self._flows.get(current.flow)
        if flow is not None and flow.on_cancel is not None:
            flow.on_cancel(ctx, current)

    def postback(self, action: str) -> Callable[[Handler], Handler]:
        """Register the handler of postbacks whose data has action=<action>."""

        def decorate(handler: Handler) -> Handler:
            self._postbacks[action] = handler
            return handler

        return decorate

    def command(
        self, *words: str, chat_types: set[str] | None = None, interrupts: bool = False
    ) -> Callable[[Handler], Handler]:
        """Register a text command answered in the given chat types (default: all); ``interrupts``: even mid-flow."""

        def decorate(handler: Handler) -> Handler:
            kinds = frozenset(chat_types) if chat_types else CHAT_TYPES
            self._commands.append(Command(tuple(w.casefold() for w in words), handler, kinds, interrupts))
            return handler

        return decorate

    def free_text(self, handler: Handler) -> Handler:
        """Register a handler offered any message no command took; it returns None to pass."""
        self._free_text.append(handler)
        return handler

    def help(self, handler: Handler) -> Handler:
        """Register the last resort for one-to-one messages and buttons nothing else took."""
        self._help = handler
        return handler

    def dispatch(self, ctx: Context) -> list[Message]:
        """Route one event to its handler and return the messages to send."""
        if ctx.event_type == "message":
            return self._dispatch_message(ctx)
        if ctx.event_type == "postback":
            handler = self._postback_handler(ctx)
            if handler is not None:
                return handler(ctx)
            answer = self._answer_in_flow(ctx)
            if answer is None and ctx.is_direct and self._help is not None:
                return self._help(ctx)  # an unknown button in the one-to-one chat is answered, never ignored
            return answer or []
        handler = self._events.get(ctx.event_type)
        if handler is None:
            log.info("no handler for event type %s; kept in the inbox", ctx.event_type)
            return []
        return handler(ctx)

    def _dispatch_message(self, ctx: Context) -> list[Message]:
        for command in self._commands:
            if command.interrupts and command.matches(ctx):
                return command.handler(ctx)
        answer = self._answer_in_flow(ctx)
        if answer is not None:
            return answer
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

    def _answer_in_flow(self, ctx: Context) -> list[Message] | None:
        """The current step's answer, or None when the user is in no known flow."""
        current = self._conversation(ctx)
        if current is None or current.flow not in self._flows:
            return None
        return self._flows[current.flow].answer(ctx, current)

    def _postback_handler(self, ctx: Context) -> Handler | None:
        data = parse_qs(ctx.postback_data or "")
        action = (data.get("action") or [""])[0]
        return self._postbacks.get(action)

    def _conversation(self, ctx: Context) -> Conversation | None:
        if not ctx.is_direct or ctx.user_id is None:
            return None
        return ctx.session.scalar(select(Conversation).where(Conversation.line_user_id == ctx.user_id))
