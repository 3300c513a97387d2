"""The `line` fixture: the LINE emulator on a real port, the bot pointed at it, dialogues as code.

    def test_help(line):
        alice = line.user("อาสา สมชาย")
        replies = alice.says("ช่วยเหลือ")
        assert replies.texts[0].startswith("สิ่งที่ทำได้")
        assert line.transcript(alice).startswith("อาสา สมชาย: ช่วยเหลือ\\nFieldLine: สิ่งที่ทำได้")
        group = line.group("กลุ่มข่าว", members=[alice, line.user("ป้า", pc=True)])
        alice.in_group(group).says("#ข่าว ...")

Webhooks reach the bot synchronously through its test client, then the fixture runs the bot's
worker once (events processed, outbox delivered over HTTP to the emulator), so a dialogue is
deterministic. At teardown the test fails if the bot sent any invalid request to the emulator,
unless the test called `line.expect_failures()` or is marked `line_failures_expected`.
"""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Callable, Iterable
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server

from bot import create_app
from bot.emulator import create_emulator_app
from bot.emulator.clock import ManualClock
from bot.emulator.platform import Platform
from bot.emulator.records import Delivery, User
from tests.conftest import SECRET, TOKEN, _empty_tables, bot_config

BANGKOK = (13.7563, 100.5018)
SAMPLE_PHOTO = b"\xff\xd8\xff\xe0 a photo taken with the camera button"


def pytest_configure(config):
    """Register the marker that allows invalid requests in a test."""
    config.addinivalue_line("markers", "line_failures_expected: the test sends invalid LINE API requests on purpose")


class ServerThread:
    """A server on a free 127.0.0.1 port in a daemon thread: a WSGI app through werkzeug, or the `server` given."""

    def __init__(self, wsgi_app=None, *, server: socketserver.BaseServer | None = None, name: str = "test-http"):
        """Bind a free port (unless `server` is bound already) and start serving."""
        self.server = server or make_server("127.0.0.1", 0, wsgi_app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, name=name, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def build_bot_app(database_url: str, tmp_path, monkeypatch, **overrides):
    """A FieldLine app on the emptied test database, like the `app` fixture, with config overrides."""
    monkeypatch.setenv("FIELDLINE_INSTANCE_DIR", str(tmp_path / "instance"))
    application = create_app(bot_config(database_url, tmp_path, **overrides))
    _empty_tables(application.extensions["fieldline"].engine)
    return application


def close_bot_app(application) -> None:
    """Stop the app's worker, close its LINE connections and its database pool."""
    services = application.extensions["fieldline"]
    services.messenger.api.api_client.rest_client.pool_manager.clear()
    services.close()


def actions_in(messages: list[dict]) -> list[dict]:
    """Every tappable action in messages (quick replies, Flex and template buttons), the first of each label."""
    found: dict[str, dict] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            action = node.get("action")
            if isinstance(action, dict) and action.get("label"):
                found.setdefault(action["label"], action)
            for item in node.get("actions") or []:
                if isinstance(item, dict) and item.get("label"):
                    found.setdefault(item["label"], item)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(messages)
    return list(found.values())


class Replies(list):
    """The bot's messages delivered to one chat during one step, in order (a list of message dicts)."""

    def __init__(self, deliveries: Iterable[Delivery]):
        """Flatten the deliveries' messages; keep the deliveries for method and retry-key checks."""
        self.deliveries = [d for d in deliveries if d.delivered]
        super().__init__(message for delivery in self.deliveries for message in delivery.messages)

    @property
    def texts(self) -> list[str]:
        """The text of each text message."""
        return [m["text"] for m in self if m.get("type") in ("text", "textV2")]

    @property
    def methods(self) -> list[str]:
        """How each delivery came: reply, push, multicast or broadcast."""
        return [d.method for d in self.deliveries]

    @property
    def quick_replies(self) -> list[str]:
        """The labels of the last message's quick reply buttons."""
        if not self:
            return []
        items = (self[-1].get("quickReply") or {}).get("items") or []
        return [item["action"].get("label", "") for item in items]


class Group:
    """A LINE group in a dialogue."""

    def __init__(self, line: Line, chat_id: str):
        """Wrap the platform's group."""
        self.line = line
        self.chat_id = chat_id

    @property
    def name(self) -> str:
        """The group's name."""
        return self.line.platform.chat(self.chat_id).name

    @property
    def members(self) -> list[str]:
        """The members' user ids."""
        return list(self.line.platform.chat(self.chat_id).members)

    def bot_joins(self) -> Replies:
        """Someone adds the bot to the group (a join event)."""
        return self.line.step(self.chat_id, lambda: self.line.platform.bot_joins(self.chat_id))

    def removes_bot(self) -> Replies:
        """Someone removes the bot from the group (a leave event)."""
        return self.line.step(self.chat_id, lambda: self.line.platform.bot_removed(self.chat_id))


class Person:
    """A LINE user talking in one chat: the one-to-one chat with the bot, or a group via in_group()."""

    def __init__(self, line: Line, user: User, chat_id: str | None = None):
        """Bind the user to a chat (their own id for the one-to-one chat)."""
        self.line = line
        self.user = user
        self.chat_id = chat_id or user.user_id
        self.last_event: dict | None = None

    @property
    def user_id(self) -> str:
        """The user's LINE id."""
        return self.user.user_id

    @property
    def name(self) -> str:
        """The user's display name."""
        return self.user.name

    def in_group(self, group: Group) -> Person:
        """The same user, talking in a group."""
        return Person(self.line, self.user, group.chat_id)

    def _act(self, action: Callable[[], Any], process: bool) -> Replies:
        def run():
            self.last_event = action()

        return self.line.step(self.chat_id, run, process=process)

    def follow(self, *, process: bool = True) -> Replies:
        """Add the bot as a friend (or unblock it)."""
        platform = self.line.platform
        return self.line.step(self.user_id, lambda: platform.follow(self.user_id), process=process)

    def unfollow(self, *, process: bool = True) -> Replies:
        """Block the bot."""
        platform = self.line.platform
        return self.line.step(self.user_id, lambda: platform.unfollow(self.user_id), process=process)

    def says(self, text: str, *, process: bool = True) -> Replies:
        """Send a text message; return what the bot delivered to this chat in answer."""
        return self._act(lambda: self.line.platform.send_text(self.user_id, self.chat_id, text), process)

    def sends_image(self, data: bytes, content_type: str = "image/jpeg", *, process: bool = True) -> Replies:
        """Send a photo (its bytes are served by the content endpoint)."""
        platform = self.line.platform
        return self._act(lambda: platform.send_image(self.user_id, self.chat_id, data, content_type), process)

    def sends_images(self, images: list[bytes], content_type: str = "image/jpeg", *, process: bool = True) -> Replies:
        """Send several photos at once (an imageSet)."""
        platform = self.line.platform
        batch = [(data, content_type) for data in images]
        return self._act(lambda: platform.send_images(self.user_id, self.chat_id, batch)[-1], process)

    def sends_video(self, data: bytes, *, ready: bool = True, process: bool = True) -> Replies:
        """Send a video; with ready=False the content endpoint answers 202 until platform.mark_ready."""
        platform = self.line.platform
        return self._act(lambda: platform.send_video(self.user_id, self.chat_id, data, ready=ready), process)

    def shares_location(
        self,
        latitude: float = BANGKOK[0],
        longitude: float = BANGKOK[1],
        *,
        title: str | None = None,
        address: str | None = None,
        process: bool = True,
    ) -> Replies:
        """Share a location (Bangkok's centre by default)."""
        platform = self.line.platform
        return self._act(
            lambda: platform.share_location(
                self.user_id, self.chat_id, latitude, longitude, title=title, address=address
            ),
            process,
        )

    def sends_sticker(self, package_id: str = "446", sticker_id: str = "1988", *, process: bool = True) -> Replies:
        """Send a sticker."""
        platform = self.line.platform
        return self._act(lambda: platform.send_sticker(self.user_id, self.chat_id, package_id, sticker_id), process)

    def taps(
        self,
        data: str,
        *,
        params: dict[str, str] | None = None,
        display_text: str | None = None,
        process: bool = True,
    ) -> Replies:
        """Tap a postback action with this data."""
        platform = self.line.platform
        return self._act(
            lambda: platform.postback(self.user_id, self.chat_id, data, params=params, display_text=display_text),
            process,
        )

    def unsends(self, message_id: str, *, process: bool = True) -> Replies:
        """Unsend one of this user's messages (its content then answers 410)."""
        platform = self.line.platform
        return self._act(lambda: platform.unsend(self.user_id, self.chat_id, message_id), process)

    def chooses(self, label: str, *, process: bool = True) -> Replies:
        """Tap the button labelled `label` in the bot's newest message here (quick reply, template, Flex)."""
        action = self.line.find_action(self.chat_id, label)
        kind = action.get("type")
        if kind == "message":
            return self.says(action.get("text", ""), process=process)
        if kind == "postback":
            return self.taps(action.get("data", ""), display_text=action.get("displayText"), process=process)
        if kind == "location":
            return self.shares_location(process=process)
        if kind in ("camera", "cameraRoll"):  # LINE opens the camera or the photo library: a photo is sent
            return self.sends_image(SAMPLE_PHOTO, process=process)
        if kind == "datetimepicker":
            mode = action.get("mode", "datetime")
            value = {"date": "2026-11-22", "time": "09:00", "datetime": "2026-11-22T09:00"}[mode]
            return self.taps(action.get("data", ""), params={mode: value}, process=process)
        raise AssertionError(f"the emulator cannot tap a {kind} action")

    def joins(self, group: Group, *, process: bool = True) -> Replies:
        """Join a group (memberJoined if the bot is there)."""
        platform = self.line.platform
        return self.line.step(
            group.chat_id, lambda: platform.members_join(group.chat_id, [self.user_id]), process=process
        )

    def leaves(self, group: Group, *, process: bool = True) -> Replies:
        """Leave a group (memberLeft if the bot is there)."""
        platform = self.line.platform
        return self.line.step(
            group.chat_id, lambda: platform.members_leave(group.chat_id, [self.user_id]), process=process
        )


class Line:
    """The emulated LINE around the bot under test: people, groups, steps, transcript, failures."""

    def __init__(self, platform: Platform, server: ServerThread, app):
        """Tie the platform, its HTTP server and the bot app together."""
        self.platform = platform
        self.server = server
        self.app = app
        self.services = app.extensions["fieldline"]
        self.client = app.test_client()
        self.clock: ManualClock = platform.clock  # type: ignore[assignment]
        self.strict_webhooks = True
        self._failures_expected = False

    @property
    def api_url(self) -> str:
        """The emulator's base URL (the bot's LINE_API_BASE_URL)."""
        return self.server.url

    def send_webhook(self, body: bytes, headers: dict[str, str]) -> int:
        """The platform's sender: POST to the bot's /callback through its test client."""
        return self.client.post("/callback", data=body, headers=headers).status_code

    def user(self, name: str, *, pc: bool | None = None) -> Person:
        """A LINE user, the same one for the same name (pc=True: LINE for PC, so group events lack userId)."""
        user = self.platform.add_user(name)
        if pc is not None:
            user.pc = pc
        return Person(self, user)

    def group(self, name: str, members: Iterable[Person | str] = (), *, joined: bool = True) -> Group:
        """A group of these people; the bot joins it (a processed join event) unless joined=False."""
        ids = [m.user_id if isinstance(m, Person) else self.platform.add_user(m).user_id for m in members]
        group = Group(self, self.platform.add_chat(name, ids).chat_id)
        if joined:
            group.bot_joins()
        return group

    def step(self, chat_id: str, action: Callable[[], Any], *, process: bool = True) -> Replies:
        """Do one thing as a user, then (by default) run the bot's worker; return deliveries to the chat."""
        mark = self.platform.last_seq
        action()
        self._check_webhooks(mark)
        if process:
            self.process()
        return Replies(self.platform.deliveries_to(chat_id, after=mark))

    def process(self) -> list[Delivery]:
        """Run the bot's worker once (events, outbox, media); return every delivery it made."""
        mark = self.platform.last_seq
        self.services.worker.run_once()
        return [d for d in self.platform.deliveries if d.seq > mark]

    def deliveries(self, chat: Person | Group | str | None = None) -> list[Delivery]:
        """Deliveries so far, to one chat or all."""
        chat_id = chat.chat_id if isinstance(chat, Person | Group) else chat
        return [d for d in self.platform.deliveries if chat_id is None or d.chat_id == chat_id]

    def transcript(self, chat: Person | Group | str | None = None) -> str:
        """The dialogue as text (one chat, or all chats with a chat label on each line)."""
        chat_id = chat.chat_id if isinstance(chat, Person | Group) else chat
        return self.platform.transcript(chat_id)

    def find_action(self, chat_id: str, label: str) -> dict:
        """The action labelled `label` in the bot's newest delivery to a chat."""
        deliveries = self.platform.deliveries_to(chat_id)
        if not deliveries:
            raise AssertionError("the bot has said nothing in this chat yet")
        found = {action["label"]: action for action in actions_in(deliveries[-1].messages)}
        if label not in found:
            raise AssertionError(f"no button {label!r} in the bot's last message; there are {sorted(found)}")
        return found[label]

    def call(self, method: str, path: str, *, token: str | None = TOKEN, **kwargs) -> requests.Response:
        """Call the emulator's API directly (tests of the API itself); token=None sends no Authorization."""
        headers = dict(kwargs.pop("headers", {}) or {})
        if token is not None:
            headers.setdefault("Authorization", f"Bearer {token}")
        return requests.request(method, self.api_url + path, headers=headers, timeout=10, **kwargs)

    def expect_failures(self) -> None:
        """Say that this test sends invalid requests on purpose (teardown will not fail on them)."""
        self._failures_expected = True

    @property
    def failures(self):
        """The invalid requests recorded so far."""
        return self.platform.failures

    def _check_webhooks(self, mark: int) -> None:
        if not self.strict_webhooks:
            return
        bad = [a for a in self.platform.webhook_attempts if a.seq > mark and a.status != 200]
        if bad:
            raise AssertionError(f"the bot answered a webhook with {bad[0].status}")

    def check_failures(self, marked_expected: bool = False) -> None:
        """Fail the test when the bot sent invalid requests that were not expected."""
        if self.platform.failures and not (self._failures_expected or marked_expected):
            pytest.fail("the bot sent invalid requests to LINE:\n" + self.failure_report(), pytrace=False)

    def failure_report(self) -> str:
        """The recorded failures, one per line."""
        return "\n".join(
            f"  {c.method} {c.path} -> {c.status} {c.message} {json.dumps(list(c.details), ensure_ascii=False)}"
            for c in self.platform.failures
        )


@pytest.fixture
def line(database_url, tmp_path, monkeypatch, request):
    """The LINE emulator on a real port with the bot app pointed at it (see the module docstring)."""
    platform = Platform(SECRET, TOKEN, clock=ManualClock())
    server = ServerThread(create_emulator_app(platform))
    application = build_bot_app(database_url, tmp_path, monkeypatch, LINE_API_BASE_URL=server.url)
    emulated = Line(platform, server, application)
    platform.sender = emulated.send_webhook
    try:
        yield emulated
        emulated.check_failures(request.node.get_closest_marker("line_failures_expected") is not None)
    finally:
        close_bot_app(application)
        server.stop()
        platform.close()
