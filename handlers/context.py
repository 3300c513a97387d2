"""What a handler is given: the session, the raw event, who sent it and the time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from line.notices import render
from models import Member
from models.timeutil import from_line_ms
from services.notices import Notice
from texts.riskpoints import SOMEONE


class LineReader(Protocol):
    """The read-only part of the LINE platform a handler may consult."""

    def display_name(self, user_id: str, chat_id: str | None = None) -> str | None:
        """Return a user's display name, or None if LINE will not tell."""

    def group_member_count(self, group_id: str) -> int:
        """Return how many people are in a group."""


@dataclass
class Context:
    """One event being handled; handlers change models and return messages, never commit."""

    session: Session
    event: dict[str, Any]
    now: datetime
    sender: Member | None = None
    line: LineReader | None = None
    pushes: list[tuple[str, list[Any]]] = field(default_factory=list)
    inbox_event_id: int | None = None

    def push_to(self, recipient: str, messages: list[Any]) -> None:
        """Send messages to someone other than this chat (by push, after the commit)."""
        self.pushes.append((recipient, messages))

    def notify(self, recipient: str, notice: Notice) -> None:
        """Tell someone else what a rule decided (the notifier services take): rendered, then pushed."""
        self.push_to(recipient, render(self.session, notice))

    @property
    def actor_name(self) -> str:
        """How the sender is named in timelines and work orders."""
        member = self.sender
        if member is None:
            return SOMEONE
        return member.full_name or member.display_name or SOMEONE

    @property
    def sent_at(self) -> datetime:
        """When LINE says the event happened (processing may be later)."""
        stamp = self.event.get("timestamp")
        return from_line_ms(stamp) if isinstance(stamp, int | float) else self.now

    @property
    def event_type(self) -> str:
        """The event's type, e.g. 'message' or 'follow'."""
        return str(self.event.get("type", "unknown"))

    @property
    def source(self) -> dict[str, Any]:
        """The event's source object (empty if LINE sent none)."""
        source = self.event.get("source")
        return source if isinstance(source, dict) else {}

    @property
    def chat_type(self) -> str:
        """'user' for a one-to-one chat, 'group' or 'room' otherwise."""
        return str(self.source.get("type", "unknown"))

    @property
    def user_id(self) -> str | None:
        """The sender's LINE user id; None for PC senders in groups."""
        value = self.source.get("userId")
        return value if isinstance(value, str) else None

    @property
    def chat_id(self) -> str | None:
        """The group, room or user the event came from."""
        for key in ("groupId", "roomId", "userId"):
            if isinstance(self.source.get(key), str):
                return self.source[key]
        return None

    @property
    def is_direct(self) -> bool:
        """Whether the event comes from a one-to-one chat."""
        return self.chat_type == "user"

    @property
    def message(self) -> dict[str, Any]:
        """The message object of a message event (empty otherwise)."""
        message = self.event.get("message")
        return message if isinstance(message, dict) else {}

    @property
    def text(self) -> str | None:
        """The text of a text message, stripped; None for anything else."""
        if self.message.get("type") == "text" and isinstance(self.message.get("text"), str):
            return self.message["text"].strip()
        return None

    @property
    def postback_data(self) -> str | None:
        """The data string of a postback event."""
        postback = self.event.get("postback")
        if isinstance(postback, dict) and isinstance(postback.get("data"), str):
            return postback["data"]
        return None
