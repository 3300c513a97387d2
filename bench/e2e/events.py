"""The webhook events of the end-to-end bench: greetings, group news bursts with photos, patrol check-ins.

Each `Step` is one event and remembers what the bench needs to time its answer: its reply token (made
with line_stub.issue_token when the body is sent, so the stand-in applies LINE's token lifetime), when
its body was sent, and whether and how an answer is expected. A `Body` is what one POST carries; its
events are stamped (timestamp, reply tokens) at the moment it is sent, as LINE would.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field

from bench.webhook.line_stub import issue_token
from tests.harness import envelope, group_id, text_event, user_id

GREETING = "สวัสดีครับ"
NEWS_TAG = "#ข่าว"  # services/network/settings: network.new_report_tags
NEWS_TEXT = f"{NEWS_TAG} พบแรงงานต่างด้าวลักลอบทำงานในไซต์ก่อสร้าง ประมาณ 20 คน"
CHECKIN = "เช็คอิน"  # texts/riskpoints.CHECKIN
ALL_NORMAL = "ปกติ ไม่มีเหตุ"  # texts/riskpoints.ALL_NORMAL
_message_ids = itertools.count(int(time.time()) * 1000)
_stamps = itertools.count(1)


@dataclass
class Step:
    """One event: its kind for the figures, who sent it, and whether LINE should deliver an answer for it."""

    kind: str  # "greeting", "report" (a group news burst's event), "checkin" (a check-in dialogue's step)
    user: str
    message: dict
    group: str | None = None
    answered_by: str = "reply"  # "reply" (its token, else a push to the user) | "push" (to the user) | ""
    label: str = ""  # what the step is, e.g. "checkin:photo"
    event: dict = field(default_factory=dict)
    reply_token: str = ""
    sent_at: float = 0.0  # wall clock (time.time()) when its body was written to the webhook
    answer_at: float | None = None  # when its answer reached the stand-in
    answer_how: str = ""  # "reply" | "push"

    @property
    def expects_answer(self) -> bool:
        return bool(self.answered_by)

    def stamp(self, now: float) -> dict:
        """The event as LINE sends it now: fresh reply token, LINE's millisecond timestamp."""
        self.reply_token = issue_token(now)
        self.sent_at = now
        base = text_event(self.user, "", group=self.group, timestamp_ms=int(now * 1000))
        self.event = {**base, "message": {**self.message, "id": str(next(_message_ids))}}
        self.event["replyToken"] = self.reply_token
        return self.event


@dataclass
class Body:
    """One webhook POST: its steps, and how the webhook answered it."""

    steps: list[Step]
    status: int = 0
    error: str = ""
    answered_in: float | None = None  # seconds from writing the request to reading the answer

    def encode(self, now: float) -> bytes:
        """Stamp the steps and return the JSON body."""
        return json.dumps(envelope(*(step.stamp(now) for step in self.steps)), ensure_ascii=False).encode()


def text(value: str) -> dict:
    """A text message object (its id is given when sent)."""
    return {"type": "text", "quoteToken": "q", "text": value}


def image(image_set: dict | None = None) -> dict:
    """An image message object whose content LINE keeps (the worker downloads it from the stand-in)."""
    message = {"type": "image", "quoteToken": "q", "contentProvider": {"type": "line"}}
    if image_set:
        message["imageSet"] = image_set
    return message


def location(latitude: float, longitude: float, title: str = "") -> dict:
    """A location message object."""
    message: dict = {"type": "location", "latitude": latitude, "longitude": longitude}
    if title:
        message["title"] = title
    return message


def greeting() -> Body:
    """A one-to-one greeting from a user of its own (a stranger to the bot)."""
    return Body([Step("greeting", user_id(), text(GREETING), label="greeting")])


def news_burst(reporter: str, group: str) -> list[tuple[float, Body]]:
    """A group news report as three bodies (offset seconds, body): the tagged text, two photos, the place.

    Only the first event gets an answer: the bot listens quietly in the group and pushes the reporter
    the report's reference number (handlers/news_reports.py).
    """
    set_id = f"set{next(_stamps)}"
    first = Step("report", reporter, text(NEWS_TEXT), group=group, answered_by="push", label="report:text")
    photos = [
        Step("report", reporter, image({"id": set_id, "index": n, "total": 2}), group=group, answered_by="")
        for n in (1, 2)
    ]
    for step in photos:
        step.label = "report:photo"
    place = Step("report", reporter, location(13.72, 100.58, "ไซต์ก่อสร้าง"), group=group, answered_by="")
    place.label = "report:location"
    return [(0.0, Body([first])), (1.0, Body(photos)), (2.5, Body([place]))]


def checkin_dialogue(officer: str, code: str, latitude: float, longitude: float, think: float) -> list:
    """A patrol check-in (offset seconds, body), `think` seconds between steps, each step answered by reply.

    "เช็คอิน RP-…" ► the point's location (inside its geofence) ► a photo (recorded with its round) ► all normal.
    """
    steps = [
        Step("checkin", officer, text(f"{CHECKIN} {code}"), label="checkin:command"),
        Step("checkin", officer, location(latitude + 0.0001, longitude), label="checkin:location"),
        Step("checkin", officer, image(), label="checkin:photo"),
        Step("checkin", officer, text(ALL_NORMAL), label="checkin:conditions"),
    ]
    return [(n * think, Body([step])) for n, step in enumerate(steps)]


def new_group() -> str:
    """A LINE group id."""
    return group_id()
