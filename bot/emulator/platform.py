"""The emulated LINE platform's state and rules: what users do, and what the bot's calls do.

Users act through methods such as `send_text` (each builds the webhook event, issues its reply
token and sends it); the Messaging API routes (api.py) call `reply`, `push`, `profile` ... after
checking the request. Everything is in memory and guarded by one lock.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from bot.emulator import ids, transcript, webhooks
from bot.emulator.clock import Clock, SystemClock
from bot.emulator.faults import Faults
from bot.emulator.records import Call, Chat, Content, Delivery, Entry, ReplyToken, RichMenu, User, WebhookAttempt

REPLY_TOKEN_LIFETIME = timedelta(minutes=1)
REDELIVERED_TOKEN_LIFETIME = timedelta(minutes=20)
RETRY_KEY_WINDOW = timedelta(hours=24)
QUOTABLE = frozenset({"text", "textV2", "sticker", "image", "video"})
HISTORY = 5000
MAX_CONTENTS = 500  # LINE deletes content after a while too


class EmulatorError(RuntimeError):
    """A test or the browser asked the emulator for something LINE's users cannot do."""


class LineError(Exception):
    """LINE's refusal of an API call: status, JSON body and whether it was the bot's fault."""

    def __init__(
        self,
        status: int,
        message: str,
        details: Iterable[dict] = (),
        *,
        outcome: str = "refused",
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ):
        """Describe the answer; outcome "failure" marks an invalid request, "refused" a refusal of the moment."""
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message
        self.details = tuple(details)
        self.outcome = outcome
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> dict:
        """LINE's error JSON: {"message", "details"?, ...}."""
        body: dict[str, Any] = {"message": self.message}
        if self.details:
            body["details"] = list(self.details)
        body.update(self.extra)
        return body


class Platform:
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

    # ----- what users do ------------------------------------------------------------------

    def follow(self, user_id: str) -> dict:
        """The user adds the bot as a friend (or unblocks it)."""
        with self._lock:
            user = self.user(user_id)
            unblocked = user.has_blocked
            user.is_friend, user.has_blocked = True, False
            built = self._event("follow", user, user_id)
            built["follow"] = {"isUnblocked": unblocked}
            self._log(user_id, "system", user_id, built, "follow")
        self._send([built])
        return built

    def unfollow(self, user_id: str) -> dict:
        """The user blocks the bot."""
        with self._lock:
            user = self.user(user_id)
            user.is_friend, user.has_blocked = False, True
            built = self._event("unfollow", user, user_id)
            self._log(user_id, "system", user_id, built, "unfollow")
        self._send([built])
        return built

    def adopt(
        self, chat_id: str, *, reply_token: str | None = None, message_id: str | None = None, content=None
    ) -> None:
        """Honour a reply token and serve a message's content for an event built outside the emulator.

        For tests that sign and post their own webhook bodies (the fuzz test, replays): content is
        (bytes, content type). A token or message the emulator already knows is left as it is.
        """
        with self._lock:
            now = self.clock.now()
            if reply_token and reply_token not in self._tokens:
                self._tokens[reply_token] = ReplyToken(reply_token, chat_id, now, now + REPLY_TOKEN_LIFETIME)
            if message_id and content is not None and message_id not in self._contents:
                self._contents[message_id] = Content(message_id, chat_id, *content)

    def send_text(self, user_id: str, chat_id: str, text: str) -> dict:
        """The user sends a text message in a chat (their own id for the one-to-one chat)."""
        return self._send_message(user_id, chat_id, lambda mid: webhooks.text_content(mid, text, ids.quote_token()))

    def send_image(self, user_id: str, chat_id: str, data: bytes, content_type: str = "image/jpeg") -> dict:
        """The user sends one photo; its bytes are served by the content endpoint."""
        return self.send_images(user_id, chat_id, [(data, content_type)])[0]

    def send_images(self, user_id: str, chat_id: str, images: list[tuple[bytes, str]]) -> list[dict]:
        """The user sends several photos at once: one event each, sharing an imageSet."""
        if not images:
            raise EmulatorError("no images to send")
        with self._lock:
            user = self._speaker(user_id, chat_id)
            set_id = (ids.reply_token() + ids.reply_token()).upper() if len(images) > 1 else None
            events = []
            for index, (data, content_type) in enumerate(images, start=1):
                image_set = {"id": set_id, "index": index, "total": len(images)} if set_id else None
                mid = ids.message_id()
                self._contents[mid] = Content(mid, chat_id, data, content_type)
                events.append(
                    self._message_event(user, chat_id, webhooks.image_content(mid, ids.quote_token(), image_set))
                )
        self._send(events)
        return events

    def send_video(
        self, user_id: str, chat_id: str, data: bytes, *, content_type: str = "video/mp4", ready: bool = True
    ) -> dict:
        """The user sends a video; with ready=False the content endpoint answers 202 until mark_ready."""
        return self._send_media(user_id, chat_id, data, content_type, ready, "video")

    def send_audio(
        self, user_id: str, chat_id: str, data: bytes, *, content_type: str = "audio/m4a", ready: bool = True
    ) -> dict:
        """The user sends a voice message; with ready=False the content endpoint answers 202 until mark_ready."""
        return self._send_media(user_id, chat_id, data, content_type, ready, "audio")

    def share_location(
        self,
        user_id: str,
        chat_id: str,
        latitude: float,
        longitude: float,
        *,
        title: str | None = None,
        address: str | None = None,
    ) -> dict:
        """The user shares a location."""
        return self._send_message(
            user_id, chat_id, lambda mid: webhooks.location_content(mid, latitude, longitude, title, address)
        )

    def send_sticker(self, user_id: str, chat_id: str, package_id: str = "446", sticker_id: str = "1988") -> dict:
        """The user sends a sticker."""
        return self._send_message(
            user_id, chat_id, lambda mid: webhooks.sticker_content(mid, ids.quote_token(), package_id, sticker_id)
        )

    def postback(
        self,
        user_id: str,
        chat_id: str,
        data: str,
        *,
        params: dict[str, str] | None = None,
        display_text: str | None = None,
    ) -> dict:
        """The user taps a postback action (quick reply, button, rich menu area)."""
        with self._lock:
            user = self._speaker(user_id, chat_id)
            built = self._event("postback", user, chat_id)
            built["postback"] = {"data": data, **({"params": params} if params else {})}
            self._log(chat_id, "user", user_id, built, display_text)
        self._send([built])
        return built

    def unsend(self, user_id: str, chat_id: str, message_id: str) -> dict:
        """The user unsends one of their messages; its content then answers 410."""
        with self._lock:
            user = self._speaker(user_id, chat_id)
            content = self._contents.get(message_id)
            if content is not None:
                content.state = "unsent"
            built = self._event("unsend", user, chat_id)
            built["unsend"] = {"messageId": message_id}
            self._log(chat_id, "system", user_id, built, "unsend")
        self._send([built])
        return built

    def bot_joins(self, chat_id: str) -> dict:
        """Someone adds the bot to a group or room: a join event."""
        with self._lock:
            chat = self.chat(chat_id)
            chat.bot_is_member = True
            built = self._event("join", None, chat_id)
            self._log(chat_id, "system", None, built, "join")
        self._send([built])
        return built

    def bot_removed(self, chat_id: str) -> dict:
        """Someone removes the bot from a group or room: a leave event."""
        with self._lock:
            chat = self.chat(chat_id)
            chat.bot_is_member = False
            built = self._event("leave", None, chat_id)
            self._log(chat_id, "system", None, built, "leave")
        self._send([built])
        return built

    def members_join(self, chat_id: str, user_ids: list[str]) -> dict | None:
        """Users join a group: they become members, and the bot (if there) gets memberJoined."""
        return self._membership(chat_id, user_ids, joined=True)

    def members_leave(self, chat_id: str, user_ids: list[str]) -> dict | None:
        """Users leave a group: the bot (if there) gets memberLeft."""
        return self._membership(chat_id, user_ids, joined=False)

    def redeliver(self, webhook_event_id: str) -> dict:
        """Send an event again: same webhookEventId and reply token, isRedelivery true."""
        with self._lock:
            original = self._events.get(webhook_event_id)
            if original is None:
                raise EmulatorError(f"no event {webhook_event_id} to redeliver")
            token = self._tokens.get(original.get("replyToken", ""))
            if token is not None and token.used_at is None:
                token.expires_at = max(token.expires_at, token.issued_at + REDELIVERED_TOKEN_LIFETIME)
            again = webhooks.redelivered(original)
        self._send([again])
        return again

    def mark_ready(self, message_id: str) -> None:
        """A video or audio finished preparing: its content now answers 200."""
        with self._lock:
            self._contents[message_id].state = "ready"

    # ----- what the bot's API calls do ----------------------------------------------------

    def reply(self, token: str, messages: list[dict], request_id: str) -> Delivery:
        """Deliver a reply; the token works once, within a minute of its event."""
        with self._lock:
            now = self.clock.now()
            record = self._tokens.get(token)
            if record is None:
                raise LineError(400, "Invalid reply token", outcome="failure")
            if record.used_at is not None:  # a reused token is a bug, unless the bot never heard it had worked
                raise LineError(400, "Invalid reply token", outcome="refused" if record.answer_lost else "failure")
            if now >= record.expires_at:
                raise LineError(400, "Invalid reply token")  # expired: the bot should push instead
            record.used_at = now
            return self._deliver(record.chat_id, "reply", messages, request_id)

    def answer_lost(self, token: str) -> None:
        """A reply with this token was delivered but the bot got an error or no answer (a fault): it may retry."""
        with self._lock:
            record = self._tokens.get(token)
            if record is not None:
                record.answer_lost = True

    def push(self, to: str, messages: list[dict], request_id: str, retry_key: str | None = None) -> Delivery:
        """Deliver a push to a user, group or room; counts against the quota once per recipient."""
        with self._lock:
            self._check_retry_key(retry_key)
            if to.startswith("U"):
                user = self.users.get(to) or self.add_user(f"ผู้ใช้ {to[:9]}…", user_id=to)
                recipients = 0 if user.has_blocked else 1
            else:
                chat = self.chats.get(to)
                if chat is None or not chat.bot_is_member:
                    raise LineError(400, "Failed to send messages")
                recipients = len(chat.members)
            self._use_quota(recipients)
            delivery = self._deliver(to, "push", messages, request_id, retry_key, delivered=recipients > 0)
            self._accept_retry_key(retry_key, request_id, delivery)
            return delivery

    def multicast(self, to: list[str], messages: list[dict], request_id: str, retry_key: str | None = None) -> None:
        """Deliver the same messages to each user's one-to-one chat."""
        with self._lock:
            self._check_retry_key(retry_key)
            users = [self.users.get(uid) or self.add_user(f"ผู้ใช้ {uid[:9]}…", user_id=uid) for uid in to]
            reachable = [user for user in users if not user.has_blocked]
            self._use_quota(len(reachable))
            delivery = None
            for user in users:
                delivery = self._deliver(
                    user.user_id, "multicast", messages, request_id, retry_key, delivered=not user.has_blocked
                )
            self._accept_retry_key(retry_key, request_id, delivery)

    def broadcast(self, messages: list[dict], request_id: str, retry_key: str | None = None) -> None:
        """Deliver the same messages to every friend."""
        with self._lock:
            self._check_retry_key(retry_key)
            friends = [user for user in self.users.values() if user.is_friend]
            self._use_quota(len(friends))
            delivery = None
            for user in friends:
                delivery = self._deliver(user.user_id, "broadcast", messages, request_id, retry_key)
            self._accept_retry_key(retry_key, request_id, delivery)

    def profile(self, user_id: str) -> dict:
        """A friend's profile; 404 for anyone who is not a friend."""
        with self._lock:
            user = self.users.get(user_id)
            if user is None or not user.is_friend:
                raise LineError(404, "Not found")
            return self._profile(user, language=True)

    def member_profile(self, chat_id: str, user_id: str) -> dict:
        """A group or room member's profile."""
        with self._lock:
            chat = self.chats.get(chat_id)
            if chat is None or not chat.bot_is_member or user_id not in chat.members:
                raise LineError(404, "Not found")
            return self._profile(self.users[user_id], language=False)

    def group_summary(self, group_id: str) -> dict:
        """A group's id and name."""
        with self._lock:
            chat = self.chats.get(group_id)
            if chat is None or chat.kind != "group" or not chat.bot_is_member:
                raise LineError(404, "Not found")
            return {"groupId": chat.chat_id, "groupName": chat.name}

    def member_count(self, chat_id: str) -> dict:
        """How many users are in a group or room (the bot not counted)."""
        with self._lock:
            chat = self.chats.get(chat_id)
            if chat is None or not chat.bot_is_member:
                raise LineError(404, "Not found")
            return {"count": len(chat.members)}

    def leave_chat(self, chat_id: str) -> None:
        """The bot leaves a group or room by API (LINE sends no leave event for that)."""
        with self._lock:
            chat = self.chats.get(chat_id)
            if chat is None or not chat.bot_is_member:
                raise LineError(404, "Not found")
            chat.bot_is_member = False
            self._log(chat_id, "system", None, None, "bot left")

    def quota(self) -> dict:
        """The monthly push quota: {"type": "none"} or {"type": "limited", "value": n}."""
        if self.quota_limit is None:
            return {"type": "none"}
        return {"type": "limited", "value": self.quota_limit}

    def consumption(self) -> dict:
        """Pushes used this month (a group push counts once per member)."""
        with self._lock:
            return {"totalUsage": self._usage.get(self._month(), 0)}

    def content(self, message_id: str) -> Content:
        """A user's media: ready (200), preparing (202), unsent (410); unknown ids answer 404."""
        with self._lock:
            content = self._contents.get(message_id)
            if content is None:
                raise LineError(404, "Not found")
            if content.state == "unsent":
                raise LineError(410, "Gone")
            return content

    def create_rich_menu(self, body: dict) -> str:
        """Store a rich menu and return its id."""
        with self._lock:
            menu = RichMenu(ids.rich_menu_id(), dict(body))
            self.rich_menus[menu.rich_menu_id] = menu
            return menu.rich_menu_id

    def rich_menu(self, rich_menu_id: str) -> RichMenu:
        """A rich menu by id; 404 when unknown."""
        with self._lock:
            menu = self.rich_menus.get(rich_menu_id)
            if menu is None:
                raise LineError(404, "Not found")
            return menu

    def set_rich_menu_image(self, rich_menu_id: str, data: bytes, content_type: str) -> None:
        """Attach the menu's image (once: LINE refuses a second upload)."""
        with self._lock:
            menu = self.rich_menu(rich_menu_id)
            if menu.image is not None:
                raise LineError(400, "An image has already been uploaded to the richmenu", outcome="failure")
            menu.image, menu.image_type = data, content_type

    def set_default_rich_menu(self, rich_menu_id: str) -> None:
        """Show this menu to every user without one of their own."""
        with self._lock:
            menu = self.rich_menu(rich_menu_id)
            if menu.image is None:
                raise LineError(400, "must upload richmenu image before applying it to user", outcome="failure")
            self.default_rich_menu_id = rich_menu_id

    def delete_rich_menu(self, rich_menu_id: str) -> None:
        """Delete a rich menu (and unset it as default)."""
        with self._lock:
            self.rich_menu(rich_menu_id)
            del self.rich_menus[rich_menu_id]
            if self.default_rich_menu_id == rich_menu_id:
                self.default_rich_menu_id = None

    def default_rich_menu(self) -> RichMenu | None:
        """The default rich menu, if one with an image is set."""
        with self._lock:
            return self.rich_menus.get(self.default_rich_menu_id or "")

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

    def _speaker(self, user_id: str, chat_id: str) -> User:
        """The user, checked to be able to talk to the bot in this chat."""
        user = self.user(user_id)
        if chat_id == user_id:
            if user.has_blocked:
                raise EmulatorError(f"{user.name} has blocked the bot; follow() first")
            return user
        chat = self.chat(chat_id)
        if user_id not in chat.members:
            raise EmulatorError(f"{user.name} is not a member of {chat.name}")
        if not chat.bot_is_member:
            raise EmulatorError(f"the bot is not in {chat.name}; bot_joins() first")
        return user

    def _source(self, user: User | None, chat_id: str, kind: str) -> dict:
        """The event's source; in groups userId is left out for PC senders and membership events."""
        if user is not None and chat_id == user.user_id:
            return {"type": "user", "userId": user.user_id}
        chat = self.chat(chat_id)
        key = "groupId" if chat.kind == "group" else "roomId"
        source = {"type": chat.kind, key: chat.chat_id}
        if user is not None and not user.pc and kind in ("message", "postback", "unsend"):
            source["userId"] = user.user_id
        return source

    def _event(self, kind: str, user: User | None, chat_id: str) -> dict:
        """A new event from this user in this chat, with a fresh reply token when the kind has one."""
        now = self.clock.now()
        token = None
        if kind in webhooks.REPLYABLE:
            token = ids.reply_token()
            self._tokens[token] = ReplyToken(token, chat_id, now, now + REPLY_TOKEN_LIFETIME)
        built = webhooks.event(kind, self._source(user, chat_id, kind), now, reply_token=token, mode=self.mode)
        self._events[built["webhookEventId"]] = built
        self._trim(now)
        return built

    def _trim(self, now: datetime) -> None:
        """Forget the oldest events, dead tokens and content so a long-running demo stays small."""
        if len(self._events) > HISTORY:
            for key in list(self._events)[: len(self._events) - HISTORY]:
                del self._events[key]
        if len(self._tokens) > HISTORY:
            for key in [k for k, t in self._tokens.items() if t.used_at is not None or t.expires_at <= now]:
                del self._tokens[key]
        if len(self._contents) > MAX_CONTENTS:
            for key in list(self._contents)[: len(self._contents) - MAX_CONTENTS]:
                del self._contents[key]

    def _message_event(self, user: User, chat_id: str, content: dict) -> dict:
        built = self._event("message", user, chat_id)
        built["message"] = content
        self._log(chat_id, "user", user.user_id, built)
        return built

    def _send_message(self, user_id: str, chat_id: str, make_content) -> dict:
        with self._lock:
            user = self._speaker(user_id, chat_id)
            built = self._message_event(user, chat_id, make_content(ids.message_id()))
        self._send([built])
        return built

    def _send_media(self, user_id: str, chat_id: str, data: bytes, content_type: str, ready: bool, kind: str) -> dict:
        with self._lock:
            user = self._speaker(user_id, chat_id)
            mid = ids.message_id()
            self._contents[mid] = Content(mid, chat_id, data, content_type, "ready" if ready else "preparing")
            if kind == "video":
                content = webhooks.video_content(mid, ids.quote_token(), 1000)
            else:
                content = webhooks.audio_content(mid, 1000)
            built = self._message_event(user, chat_id, content)
        self._send([built])
        return built

    def _membership(self, chat_id: str, user_ids: list[str], *, joined: bool) -> dict | None:
        with self._lock:
            chat = self.chat(chat_id)
            for uid in user_ids:
                self.user(uid)
                if joined and uid not in chat.members:
                    chat.members.append(uid)
                if not joined and uid in chat.members:
                    chat.members.remove(uid)
            if not chat.bot_is_member:
                return None
            kind = "memberJoined" if joined else "memberLeft"
            built = self._event(kind, None, chat_id)
            built["joined" if joined else "left"] = {"members": [{"type": "user", "userId": u} for u in user_ids]}
            self._log(chat_id, "system", None, built, kind)
        self._send([built])
        return built

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

    def _deliver(
        self,
        chat_id: str,
        method: str,
        messages: list[dict],
        request_id: str,
        retry_key: str | None = None,
        *,
        delivered: bool = True,
    ) -> Delivery:
        now = self.clock.now()
        sent = tuple(
            {"id": ids.message_id(), **({"quoteToken": ids.quote_token()} if m.get("type") in QUOTABLE else {})}
            for m in messages
        )
        delivery = Delivery(
            next(self._seq), now, chat_id, method, list(messages), request_id, retry_key, sent, delivered
        )
        self.deliveries.append(delivery)
        if delivered:
            self.timeline.append(Entry(delivery.seq, now, chat_id, "bot", delivery=delivery))
        return delivery

    def _check_retry_key(self, retry_key: str | None) -> None:
        """409 for a retry key accepted within 24 hours, pointing at the accepted request."""
        if retry_key is None:
            return
        now = self.clock.now()
        for key in [k for k, (at, _, _) in self._retry_keys.items() if now - at >= RETRY_KEY_WINDOW]:
            del self._retry_keys[key]
        accepted = self._retry_keys.get(retry_key)
        if accepted is not None:
            _, request_id, sent = accepted
            raise LineError(
                409,
                "The retry key is already accepted",
                headers={"x-line-accepted-request-id": request_id},
                extra={"sentMessages": sent} if sent else None,
            )

    def _accept_retry_key(self, retry_key: str | None, request_id: str, delivery: Delivery | None) -> None:
        if retry_key is not None:
            sent = list(delivery.sent) if delivery is not None else []
            self._retry_keys[retry_key] = (self.clock.now(), request_id, sent)

    def _month(self) -> str:
        return self.clock.now().strftime("%Y-%m")

    def _use_quota(self, recipients: int) -> None:
        """Count a send against the month's quota; 429 when it would go past the limit."""
        month = self._month()
        used = self._usage.get(month, 0)
        if self.quota_limit is not None and used + recipients > self.quota_limit:
            raise LineError(429, "You have reached your monthly limit.")
        self._usage[month] = used + recipients

    def _profile(self, user: User, *, language: bool) -> dict:
        profile: dict[str, Any] = {"displayName": user.name, "userId": user.user_id}
        if user.picture_url:
            profile["pictureUrl"] = user.picture_url
        if language:
            profile["language"] = user.language
        return profile
