"""PDPA retention markers: what stands in for personal content once the retention job removed it.

An inbox event's payload becomes the JSON text ``{"removed_by": "retention", "removed_at": ..., "kept_days":
90}`` and an outbox row's messages the list ``[{...the same...}]``. A person's erasure (bot/personal_data/)
writes the same marker with ``"kept_days": null, "reason": "erasure"``. Both are still valid JSON, so a reader
that only parses them does not break; ``removal_of`` tells a reader that the content is gone, and the
prefixes let the job find rows not yet purged in SQL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

REMOVED_BY = "retention"
ERASURE = "erasure"  # the reason of a marker written when a person's data was erased at their request
PAYLOAD_PREFIX = '{"removed_by": "retention"'  # how json.dumps writes the marker's first key
MESSAGES_PREFIX = "[" + PAYLOAD_PREFIX


@dataclass(frozen=True)
class Removal:
    """When the retention job removed a row's content, and after how many days it did."""

    at: datetime
    days: int | None
    reason: str | None = None  # None: the retention period; "erasure": a person's erasure

    @property
    def erased(self) -> bool:
        """Whether the content went with a person's erasure rather than at the end of its retention period."""
        return self.reason == ERASURE


def marker(now: datetime, days: int | None, reason: str | None = None) -> dict:
    """The marker that replaces removed content (days None and a reason for an erasure)."""
    found = {"removed_by": REMOVED_BY, "removed_at": now.astimezone(UTC).isoformat(), "kept_days": days}
    return found if reason is None else {**found, "reason": reason}


def payload_marker(now: datetime, days: int) -> str:
    """The marker as the JSON text an inbox payload holds."""
    return json.dumps(marker(now, days))


def messages_marker(now: datetime, days: int) -> list[dict]:
    """The marker as the list an outbox row's messages hold."""
    return [marker(now, days)]


def erasure_payload_marker(now: datetime) -> str:
    """The marker an inbox payload holds after the person's erasure."""
    return json.dumps(marker(now, None, ERASURE))


def erasure_messages_marker(now: datetime) -> list[dict]:
    """The marker an outbox row's messages hold after the recipient's erasure."""
    return [marker(now, None, ERASURE)]


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
    reason = found.get("reason")
    return Removal(
        at if at.tzinfo else at.replace(tzinfo=UTC),
        days if isinstance(days, int) else None,
        reason if isinstance(reason, str) else None,
    )
