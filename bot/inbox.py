"""Reading LINE's envelope and storing its events in the inbox, each exactly once."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import Connection, TextClause, bindparam, func, select, text
from sqlalchemy.orm import Session

from models import InboxEvent, InboxStatus, RejectedBody
from models.inbox import DUE_STATUSES
from models.timeutil import from_line_ms, utcnow


class MalformedBody(ValueError):
    """A signed body that is not LINE's {destination, events[]} envelope."""


@dataclass(frozen=True)
class Envelope:
    """The parsed webhook body."""

    destination: str | None
    events: list[dict]


def parse_envelope(body: bytes) -> Envelope:
    """Parse and shape-check a webhook body; raise MalformedBody when it is not LINE's."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedBody(f"not JSON: {exc.__class__.__name__}") from None
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise MalformedBody("no events list")
    if not all(isinstance(event, dict) for event in data["events"]):
        raise MalformedBody("an event is not an object")
    destination = data.get("destination")
    return Envelope(destination if isinstance(destination, str) else None, data["events"])


def content_hash(event: dict) -> str:
    """Fingerprint an event without its delivery context, so a redelivery hashes the same."""
    stable = {k: v for k, v in event.items() if k != "deliveryContext"}
    return hashlib.sha256(json.dumps(stable, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def chat_key(event: dict) -> str:
    """The conversation an event belongs to: its group, room or user, for ordering."""
    source = event.get("source") if isinstance(event.get("source"), dict) else {}
    for field in ("groupId", "roomId", "userId"):
        if isinstance(source.get(field), str):
            return source[field]
    return "-"


def _row(event: dict, destination: str | None, via_spool: bool) -> dict:
    """Build the inbox row values for one raw event."""
    digest = content_hash(event)
    source = event.get("source") if isinstance(event.get("source"), dict) else {}
    delivery = event.get("deliveryContext") if isinstance(event.get("deliveryContext"), dict) else {}
    timestamp = event.get("timestamp")
    now = utcnow()
    return {
        "webhook_event_id": str(event.get("webhookEventId") or f"nohash-{digest[:32]}")[:80],
        "content_hash": digest,
        "destination": destination,
        "event_type": str(event.get("type") or "unknown")[:40],
        "source_type": str(source.get("type"))[:16] if source.get("type") else None,
        "chat_key": chat_key(event),
        "mode": str(event.get("mode") or "active")[:16],
        "is_redelivery": bool(delivery.get("isRedelivery", False)),
        "via_spool": via_spool,
        "event_at": from_line_ms(timestamp) if isinstance(timestamp, int | float) else now,
        "received_at": now,
        "payload": json.dumps(event, ensure_ascii=False),
        "status": InboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
    }


def store_events(connection: Connection, *envelopes: Envelope, via_spool: bool = False) -> int:
    """Insert the envelopes' events in one statement, ignoring ones already stored; return how many are new.

    In the webhook's autocommit mode a batch of bodies costs one round trip to PostgreSQL. More than
    ROWS_PER_STATEMENT events take several statements; if a later one fails the bodies are spooled
    and replayed, and the events already stored are ignored then, so nothing is stored twice.
    """
    rows = [_row(event, envelope.destination, via_spool) for envelope in envelopes for event in envelope.events]
    if not rows:
        return 0
    stored = 0
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        params = {f"{name}_{number}": value for number, row in enumerate(chunk) for name, value in row.items()}
        stored += max(connection.execute(_insert_ignoring_duplicates(len(chunk)), params).rowcount, 0)
    return stored


ROW_COLUMNS = tuple(_row({}, None, False))
ROWS_PER_STATEMENT = 100  # 1,600 parameters: far inside both databases' limits


@functools.lru_cache(maxsize=32)
def _insert_ignoring_duplicates(count: int) -> TextClause:
    """INSERT ... VALUES (...), ... ON CONFLICT DO NOTHING for `count` inbox rows, in the syntax both databases share.

    Written as text with typed parameters because SQLAlchemy never caches its dialect-specific
    on_conflict_do_nothing() inserts: building one recompiled it on every webhook (about a
    millisecond of CPU each). Each row count is compiled once per process.
    """
    columns = [InboxEvent.__table__.c[name] for name in ROW_COLUMNS]
    values = ", ".join("(" + ", ".join(f":{name}_{number}" for name in ROW_COLUMNS) + ")" for number in range(count))
    return text(
        f"INSERT INTO {InboxEvent.__tablename__} ({', '.join(ROW_COLUMNS)})"  # noqa: S608 - the model's columns
        f" VALUES {values} ON CONFLICT (webhook_event_id, content_hash) DO NOTHING"
    ).bindparams(
        *(bindparam(f"{column.name}_{number}", type_=column.type) for number in range(count) for column in columns)
    )


def store_rejected(session: Session, body: bytes, reason: str) -> None:
    """Keep a signed but unreadable body for the secretariat to inspect, once however often it comes.

    INSERT ... ON CONFLICT (body_hash) DO NOTHING, the sha256 of the raw bytes, in the syntax SQLite and
    PostgreSQL share: a body whose first insert committed after the deadline and was spooled anyway, or
    that LINE sent again, stays one row.
    """
    statement = text(
        "INSERT INTO rejected_bodies (received_at, reason, body, body_hash)"
        " VALUES (:received_at, :reason, :body, :body_hash)"
        " ON CONFLICT (body_hash) DO NOTHING"
    ).bindparams(bindparam("received_at", type_=RejectedBody.__table__.c.received_at.type))
    values = {
        "received_at": utcnow(),
        "reason": reason[:200],
        "body": body.decode("utf-8", errors="replace"),
        "body_hash": hashlib.sha256(body).hexdigest(),
    }
    session.execute(statement, values)


def queued(session: Session) -> int:
    """How many events wait to be processed (pending or failed), counted on the queue index."""
    return session.scalar(select(func.count()).select_from(InboxEvent).where(DUE_STATUSES)) or 0


def backlog(session: Session) -> dict[str, int]:
    """Count inbox events by status."""
    rows = session.execute(select(InboxEvent.status, func.count()).group_by(InboxEvent.status))
    return {str(status): count for status, count in rows}
