"""What the emulated LINE users do: each action builds the webhook event, issues its reply token and sends it.

A mixin of Platform (platform.py), which holds the state, the lock, the records and the dispatcher.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.emulator import ids, webhooks
from bot.emulator.errors import EmulatorError
from bot.emulator.records import HISTORY, Content, ReplyToken, User

REPLY_TOKEN_LIFETIME = timedelta(minutes=1)
REDELIVERED_TOKEN_LIFETIME = timedelta(minutes=20)
MAX_CONTENTS = 500  # LINE deletes content after a while too


class UserActions:
    """Users' actions on the platform: messages, postbacks, follows, group membership, redelivery."""

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

    def bot_joined_earlier(self, chat_id: str) -> None:
        """Put the bot in a group as if it had joined before this run: no join event (the demo's seed)."""
        with self._lock:
            self.chat(chat_id).bot_is_member = True

    def followed_earlier(self, user_id: str) -> None:
        """Make the user a friend as if they had followed before this run: no follow event (the demo's seed)."""
        with self._lock:
            user = self.user(user_id)
            user.is_friend, user.has_blocked = True, False

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
