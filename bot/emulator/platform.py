"""The emulated LINE platform's state: users, chats, records and the webhook dispatcher, under one lock.

What users do lives in user_actions.py, what the bot's API calls do in messaging.py, rich menus in
rich_menus.py; Platform combines them. Users act through methods such as `send_text`; the Messaging
API routes (api.py) call `reply`, `push`, `profile` ... after checking the request. Everything is in
memory and guarded by one lock.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.emulator import ids, transcript, webhooks
from bot.emulator.clock import Clock, SystemClock
from bot.emulator.errors import EmulatorError
from bot.emulator.faults import Faults
from bot.emulator.messaging import MessagingCalls
from bot.emulator.records import (
    HISTORY,
    Call,
    Chat,
    Content,
    Delivery,
    Entry,
    ReplyToken,
    RichMenu,
    User,
    WebhookAttempt,
)
from bot.emulator.rich_menus import RichMenus
from bot.emulator.user_actions import UserActions


class Platform(UserActions, MessagingCalls, RichMenus):
    """One LINE channel as the bot sees it, with the users, groups and history around it."""

    def __init__(
        self,
        channel_secret: str,
        access_token: str,
        *,
        clock: Clock | None = None,
        sender: webhooks.Sender | None = None,
        background: bool = False,
        quota_limit: int | None = None,
        bot_name: str = "FieldLine",
    ):
        """Create an empty platform; with no sender, webhook bodies are collected (CollectingSender)."""
        self.channel_secret = channel_secret
        self.access_token = access_token
        self.clock: Clock = clock or SystemClock()
        self.bot_name = bot_name
        self.bot_user_id = ids.user_id("bot:" + channel_secret)
        self.quota_limit = quota_limit
        self.mode = "active"
        self.users: dict[str, User] = {}
        self.chats: dict[str, Chat] = {}
        self.rich_menus: dict[str, RichMenu] = {}
        self.default_rich_menu_id: str | None = None
        self.timeline: deque[Entry] = deque(maxlen=HISTORY)
        self.deliveries: deque[Delivery] = deque(maxlen=HISTORY)
        self.calls: deque[Call] = deque(maxlen=HISTORY)
        self.webhook_attempts: deque[WebhookAttempt] = deque(maxlen=HISTORY)
        self._tokens: dict[str, ReplyToken] = {}
        self._retry_keys: dict[str, tuple[datetime, str, list[dict]]] = {}
        self._contents: dict[str, Content] = {}
        self._events: dict[str, dict] = {}
        self._usage: dict[str, int] = {}
        self._seq = itertools.count(1)
        self._lock = threading.RLock()
        self.faults = Faults()  # server errors and slow answers on request (bot/emulator/faults.py)
        self.dispatcher = webhooks.Dispatcher(
            channel_secret,
            self.bot_user_id,
            sender or webhooks.CollectingSender(),
            background=background,
            on_result=self._record_attempt,
        )

    @property
    def sender(self) -> webhooks.Sender:
        """Where webhooks go (the bot's /callback, or a CollectingSender)."""
        return self.dispatcher.sender

    @sender.setter
    def sender(self, sender: webhooks.Sender) -> None:
        self.dispatcher.sender = sender

    # ----- people and chats -------------------------------------------------------------

    def add_user(self, name: str, *, user_id: str | None = None, pc: bool = False) -> User:
        """The user with this name (created on first use; the id is stable for the name)."""
        uid = user_id or ids.user_id(name)
        with self._lock:
            user = self.users.get(uid)
            if user is None:
                user = self.users[uid] = User(user_id=uid, name=name, pc=pc)
            return user

    def user(self, user_id: str) -> User:
        """A known user; EmulatorError otherwise."""
        try:
            return self.users[user_id]
        except KeyError:
            raise EmulatorError(f"unknown user {user_id}") from None

    def add_chat(self, name: str, members: Iterable[str], *, kind: str = "group", chat_id: str | None = None) -> Chat:
        """A group (or room) with these member user ids; the bot is not in it until bot_joins."""
        make = ids.group_id if kind == "group" else ids.room_id
        cid = chat_id or make(name)
        with self._lock:
            chat = self.chats.get(cid)
            if chat is None:
                chat = self.chats[cid] = Chat(chat_id=cid, kind=kind, name=name)
            for member in members:
                self.user(member)
                if member not in chat.members:
                    chat.members.append(member)
            return chat

    def chat(self, chat_id: str) -> Chat:
        """A known group or room; EmulatorError otherwise."""
        try:
            return self.chats[chat_id]
        except KeyError:
            raise EmulatorError(f"unknown group or room {chat_id}") from None

    def name_of(self, user_id: str | None) -> str:
        """A user's display name (or the id when unknown)."""
        if user_id is None:
            return "?"
        user = self.users.get(user_id)
        return user.name if user else user_id

    def chat_name(self, chat_id: str) -> str:
        """A chat's name: the group's name, or the user's for a one-to-one chat."""
        chat = self.chats.get(chat_id)
        return chat.name if chat else self.name_of(chat_id)

    # ----- records ------------------------------------------------------------------------

    def record_call(self, **fields: Any) -> Call:
        """Remember one API call and its answer."""
        with self._lock:
            call = Call(seq=next(self._seq), at=self.clock.now(), **fields)
            self.calls.append(call)
            return call

    @property
    def failures(self) -> list[Call]:
        """Invalid requests the bot made (schema, limits, token, unknown path, reused reply token)."""
        with self._lock:
            return [call for call in self.calls if call.is_failure]

    def deliveries_to(self, chat_id: str, *, after: int = 0) -> list[Delivery]:
        """Deliveries to one chat with a sequence number above `after`."""
        with self._lock:
            return [d for d in self.deliveries if d.chat_id == chat_id and d.seq > after]

    def entries(self, chat_id: str, *, after: int = 0) -> list[Entry]:
        """Timeline entries of one chat with a sequence number above `after`."""
        with self._lock:
            return [entry for entry in self.timeline if entry.chat_id == chat_id and entry.seq > after]

    @property
    def last_seq(self) -> int:
        """The sequence number of the newest record (calls, deliveries, timeline)."""
        with self._lock:
            newest = [items[-1].seq for items in (self.timeline, self.deliveries, self.calls) if items]
            return max(newest, default=0)

    def transcript(self, chat_id: str | None = None) -> str:
        """The timeline (of one chat, or all) as readable text; see transcript.py."""
        with self._lock:
            entries = [entry for entry in self.timeline if chat_id is None or entry.chat_id == chat_id]
        return transcript.render(entries, self.name_of, self.chat_name, self.bot_name)

    def reply_token(self, token: str) -> ReplyToken | None:
        """The record of an issued reply token."""
        with self._lock:
            return self._tokens.get(token)

    def close(self) -> None:
        """Finish background webhook deliveries."""
        self.dispatcher.close()

    # ----- internals ----------------------------------------------------------------------

    def _send(self, events: list[dict]) -> None:
        """Hand events to the dispatcher, outside the lock (the bot may call the API meanwhile)."""
        self.dispatcher.send(events)

    def _record_attempt(self, events: list[dict], status: int) -> None:
        with self._lock:
            self.webhook_attempts.append(
                WebhookAttempt(
                    seq=next(self._seq),
                    at=self.clock.now(),
                    event_ids=tuple(e["webhookEventId"] for e in events),
                    status=status,
                    redelivery=any(e["deliveryContext"]["isRedelivery"] for e in events),
                )
            )

    def _log(self, chat_id: str, origin: str, user_id: str | None, built: dict | None, note: str | None = None):
        self.timeline.append(
            Entry(next(self._seq), self.clock.now(), chat_id, origin, user_id=user_id, event=built, note=note)
        )
