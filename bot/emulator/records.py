"""What the emulated platform remembers: people, chats, tokens, content, calls and deliveries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

HISTORY = 5000  # records and events kept; a long-running demo stays small


@dataclass
class User:
    """A LINE user: a persona in the browser, or `line.user(...)` in a test."""

    user_id: str
    name: str
    is_friend: bool = False
    has_blocked: bool = False
    pc: bool = False  # uses LINE for PC: group events carry no userId
    language: str = "th"
    picture_url: str | None = None
    rich_menu_id: str | None = None  # the rich menu linked to this user (else they see the default)


@dataclass
class Chat:
    """A group chat or a multi-person chat (room) with its members."""

    chat_id: str
    kind: str  # "group" or "room"
    name: str
    members: list[str] = field(default_factory=list)
    bot_is_member: bool = False


@dataclass
class ReplyToken:
    """A reply token the emulator issued with an event."""

    token: str
    chat_id: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    answer_lost: bool = False  # delivered, but the bot got an error or no answer (an injected fault)


@dataclass
class Content:
    """The bytes behind a media message a user sent, as the content endpoint serves them."""

    message_id: str
    chat_id: str
    data: bytes
    content_type: str
    state: str = "ready"  # ready, preparing, failed or unsent


@dataclass
class RichMenu:
    """A rich menu the bot created, and its image once uploaded."""

    rich_menu_id: str
    body: dict
    image: bytes | None = None
    image_type: str | None = None

    def as_response(self) -> dict:
        """The RichMenuResponse object."""
        return {"richMenuId": self.rich_menu_id, **self.body}


@dataclass(frozen=True)
class Delivery:
    """Messages the bot got delivered to one chat by one API call."""

    seq: int
    at: datetime
    chat_id: str
    method: str  # reply, push, multicast or broadcast
    messages: list[dict]
    request_id: str
    retry_key: str | None = None
    sent: tuple[dict, ...] = ()  # the sentMessages LINE answered ({id, quoteToken})
    delivered: bool = True  # False when the user has blocked the bot

    @property
    def texts(self) -> list[str]:
        """The text of each text message."""
        return [m["text"] for m in self.messages if m.get("type") in ("text", "textV2")]


@dataclass(frozen=True)
class Call:
    """One request the bot made to the emulated API and how it was answered.

    outcome is "ok", "refused" (LINE said no for a reason of the moment: an expired reply token,
    a repeated retry key, the quota, an unknown profile), "fault" (an error or a late answer a test
    asked for, bot/emulator/faults.py) or "failure" (the request itself was invalid: bad token,
    schema, limits, unknown path, a reused reply token): failures are bugs.
    """

    seq: int
    at: datetime
    method: str
    path: str
    operation_id: str | None
    status: int
    outcome: str
    message: str | None = None
    details: tuple[dict, ...] = ()
    retry_key: str | None = None
    request_id: str | None = None
    body: Any = None

    @property
    def is_failure(self) -> bool:
        """Whether the bot sent an invalid request."""
        return self.outcome == "failure"


@dataclass(frozen=True)
class Entry:
    """One line of a chat's timeline: something a user did, or a delivery from the bot."""

    seq: int
    at: datetime
    chat_id: str
    origin: str  # "user", "bot" or "system"
    user_id: str | None = None
    event: dict | None = None
    delivery: Delivery | None = None
    note: str | None = None


@dataclass(frozen=True)
class WebhookAttempt:
    """One webhook POST to the bot and its answer."""

    seq: int
    at: datetime
    event_ids: tuple[str, ...]
    status: int
    redelivery: bool
