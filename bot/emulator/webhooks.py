"""Webhook events as LINE sends them: built, checked against webhook.yml, signed and delivered."""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, Protocol

import requests

from bot.emulator import spec
from bot.emulator.ids import is_ulid, ulid
from bot.signature import sign

log = logging.getLogger(__name__)

REPLYABLE = frozenset({"message", "follow", "join", "memberJoined", "postback", "beacon", "videoPlayComplete"})


class WebhookError(RuntimeError):
    """The emulator built a webhook body LINE's spec refuses: a bug in the emulator, never sent."""


def timestamp_ms(moment: datetime) -> int:
    """LINE's event timestamp: milliseconds since the epoch."""
    return int(moment.timestamp() * 1000)


def event(kind: str, source: dict, now: datetime, *, reply_token: str | None = None, mode: str = "active") -> dict:
    """The fields every webhook event has, plus a reply token for the kinds that carry one."""
    built: dict[str, Any] = {"type": kind}
    if reply_token is not None:
        built["replyToken"] = reply_token
    built.update(
        {
            "source": source,
            "timestamp": timestamp_ms(now),
            "mode": mode,
            "webhookEventId": ulid(now),
            "deliveryContext": {"isRedelivery": False},
        }
    )
    return built


def text_content(message_id: str, text: str, quote_token: str) -> dict:
    """The message object of a text message event."""
    return {"type": "text", "id": message_id, "quoteToken": quote_token, "text": text}


def image_content(message_id: str, quote_token: str, image_set: dict | None = None) -> dict:
    """The message object of an image event (content kept by LINE); image_set = {id, index, total}."""
    content = {"type": "image", "id": message_id, "quoteToken": quote_token, "contentProvider": {"type": "line"}}
    if image_set:
        content["imageSet"] = image_set
    return content


def video_content(message_id: str, quote_token: str, duration_ms: int) -> dict:
    """The message object of a video event."""
    return {
        "type": "video",
        "id": message_id,
        "quoteToken": quote_token,
        "duration": duration_ms,
        "contentProvider": {"type": "line"},
    }


def audio_content(message_id: str, duration_ms: int) -> dict:
    """The message object of an audio event."""
    return {"type": "audio", "id": message_id, "duration": duration_ms, "contentProvider": {"type": "line"}}


def file_content(message_id: str, file_name: str, size: int) -> dict:
    """The message object of a file event."""
    return {"type": "file", "id": message_id, "fileName": file_name, "fileSize": size}


def location_content(
    message_id: str, latitude: float, longitude: float, title: str | None = None, address: str | None = None
) -> dict:
    """The message object of a location event."""
    content: dict[str, Any] = {"type": "location", "id": message_id}
    if title:
        content["title"] = title
    if address:
        content["address"] = address
    content.update({"latitude": latitude, "longitude": longitude})
    return content


def sticker_content(message_id: str, quote_token: str, package_id: str, sticker_id: str) -> dict:
    """The message object of a sticker event."""
    return {
        "type": "sticker",
        "id": message_id,
        "quoteToken": quote_token,
        "packageId": package_id,
        "stickerId": sticker_id,
        "stickerResourceType": "STATIC",
    }


def redelivered(original: dict) -> dict:
    """The same event sent again: same webhookEventId and reply token, isRedelivery true."""
    again = copy.deepcopy(original)
    again["deliveryContext"] = {"isRedelivery": True}
    return again


def encode(destination: str, events: list[dict]) -> bytes:
    """The envelope's exact bytes (UTF-8 JSON, the bytes that are signed)."""
    return json.dumps({"destination": destination, "events": events}, ensure_ascii=False).encode()


def check(body: bytes) -> None:
    """Refuse a body that webhook.yml (discriminators resolved) or the ULID format refuses."""
    document = json.loads(body)
    problems = spec.webhook().validate("CallbackRequest", document)
    for index, item in enumerate(document.get("events", [])):
        if not is_ulid(item.get("webhookEventId")):
            problems.append(spec.Problem(f"events[{index}].webhookEventId", "must be a ULID"))
    if problems:
        raise WebhookError("; ".join(f"{p.property}: {p.message}" for p in problems))


class Sender(Protocol):
    """Delivers one signed body to the bot and returns the HTTP status (0 when unreachable)."""

    def __call__(self, body: bytes, headers: dict[str, str]) -> int:
        """POST the body with the headers; return the status."""


class CollectingSender:
    """Keeps each signed body instead of sending it (an emulator with no bot behind it)."""

    def __init__(self, status: int = 200):
        """Answer every delivery with this status."""
        self.status = status
        self.bodies: list[tuple[bytes, dict[str, str]]] = []

    def __call__(self, body: bytes, headers: dict[str, str]) -> int:
        """Keep the body and headers."""
        self.bodies.append((body, dict(headers)))
        return self.status


class HttpSender:
    """Sends webhooks over HTTP, as LINE does, to a URL such as http://127.0.0.1:8000/callback."""

    def __init__(self, url: str, timeout: float = 10.0):
        """Remember where to POST."""
        self.url = url
        self.timeout = timeout

    def __call__(self, body: bytes, headers: dict[str, str]) -> int:
        """POST the body; a connection failure answers 0."""
        try:
            response = requests.post(self.url, data=body, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            log.warning("webhook to %s failed: %s", self.url, type(exc).__name__)
            return 0
        return response.status_code


class Dispatcher:
    """Checks, signs and sends envelopes: at once (tests) or in order from one background thread (browser)."""

    def __init__(
        self,
        secret: str,
        destination: str,
        sender: Sender,
        *,
        background: bool = False,
        on_result: Callable[[list[dict], int], None] | None = None,
    ):
        """Keep the channel secret and the sender; background sending uses a single thread to keep order."""
        self.secret = secret
        self.destination = destination
        self.sender = sender
        self.on_result = on_result
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="emulator-webhook") if background else None

    def send(self, events: list[dict]) -> int | None:
        """Send events in one envelope; return the bot's status, or None when sent in the background."""
        body = encode(self.destination, events)
        check(body)
        if self._pool is not None:
            self._pool.submit(self._deliver, events, body)
            return None
        return self._deliver(events, body)

    def _deliver(self, events: list[dict], body: bytes) -> int:
        headers = {"content-type": "application/json; charset=utf-8", "x-line-signature": sign(self.secret, body)}
        try:
            status = self.sender(body, headers)
        except Exception as exc:  # a broken sender must not kill the background thread
            log.warning("webhook delivery raised %s", type(exc).__name__)
            status = 0
        if status != 200:
            log.info("webhook of %s event(s) answered %s", len(events), status)
        if self.on_result is not None:
            self.on_result(events, status)
        return status

    def close(self) -> None:
        """Finish queued deliveries and stop the background thread."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
