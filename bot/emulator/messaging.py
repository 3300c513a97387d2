"""What the bot's Messaging API calls do on the emulated platform: replies, pushes, profiles, quota, content.

A mixin of Platform (platform.py); api.py checks each request, then calls these.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.emulator import ids
from bot.emulator.errors import LineError
from bot.emulator.records import Content, Delivery, Entry, User

RETRY_KEY_WINDOW = timedelta(hours=24)
QUOTABLE = frozenset({"text", "textV2", "sticker", "image", "video"})


class MessagingCalls:
    """The bot's sends and look-ups: reply tokens, retry keys and the monthly quota are enforced here."""

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
