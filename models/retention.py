"""PDPA retention markers: what stands in for personal content once the retention job removed it.

An inbox event's payload becomes the JSON text ``{"removed_by": "retention", "removed_at": ..., "kept_days":
90}`` and an outbox row's messages the list ``[{...the same...}]``. Both are still valid JSON, so a reader
that only parses them does not break; ``removal_of`` tells a reader that the content is gone, and the
prefixes let the job find rows not yet purged in SQL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

REMOVED_BY = "retention"
PAYLOAD_PREFIX = '{"removed_by": "retention"'  # how json.dumps writes the marker's first key
MESSAGES_PREFIX = "[" + PAYLOAD_PREFIX


@dataclass(frozen=True)
class Removal:
    """When the retention job removed a row's content, and after how many days it did."""

    at: datetime
    days: int | None


def marker(now: datetime, days: int) -> dict:
    """The marker that replaces removed content."""
    return {"removed_by": REMOVED_BY, "removed_at": now.astimezone(UTC).isoformat(), "kept_days": days}


def payload_marker(now: datetime, days: int) -> str:
    """The marker as the JSON text an inbox payload holds."""
    return json.dumps(marker(now, days))


def messages_marker(now: datetime, days: int) -> list[dict]:
    """The marker as the list an outbox row's messages hold."""
    return [marker(now, days)]


def removal_of(content: str | list | None) -> Removal | None:
    """The removal an inbox payload (JSON text) or outbox messages (a list) record; None while the content is there."""
    if isinstance(content, str):
        if not content.startswith(PAYLOAD_PREFIX):
            return None  # a real payload: not parsed here
        try:
            found = json.loads(content)
        except json.JSONDecodeError:
            return None
    elif isinstance(content, list) and content:
        found = content[0]
    else:
        return None
    if not isinstance(found, dict) or found.get("removed_by") != REMOVED_BY:
        return None
    try:
        at = datetime.fromisoformat(str(found.get("removed_at")))
    except ValueError:
        return None
    days = found.get("kept_days")
    return Removal(at if at.tzinfo else at.replace(tzinfo=UTC), days if isinstance(days, int) else None)
