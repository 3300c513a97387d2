"""Reading LINE's envelope and storing its events in the inbox, each exactly once.

A signed body is checked before anything is written: a body that is not LINE's envelope is kept
aside whole (rejected_bodies), and an event that cannot be stored as it is (an id longer than
LINE's, a shape no LINE event has) is kept aside alone, so it never holds up the events beside it.
Lone UTF-16 surrogates, which JSON can escape but no database can store, become U+FFFD.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass, field

from sqlalchemy import Connection, TextClause, bindparam, func, select, text
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from models import InboxEvent, InboxStatus, RejectedBody
from models.inbox import DUE_STATUSES
from models.timeutil import from_line_ms, utcnow

# What LINE sends is far inside these; anything beyond them is not LINE's and is kept aside.
MAX_ID_LENGTH = 64  # webhookEventId (26), replyToken (32), user, group and room ids and destination (33)
MAX_TYPE_LENGTH = 40  # event and source types ("memberJoined", "membership", ...)
MAX_DEPTH = 32  # LINE's deepest event nests about 7 levels (message.emojis[], mention.mentionees[])
ID_PATTERN = re.compile(r"[A-Za-z0-9_.:-]+")
SURROGATES = re.compile("[\ud800-\udfff]")
ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")

# Why a body or an event was kept aside, as the secretariat reads it (rejected_bodies.reason).
REASONS = {
    "not_json": "อ่านเป็น JSON ไม่ได้",
    "not_utf8": "ไม่ใช่ข้อความ UTF-8",
    "too_deep": "ข้อมูลซ้อนกันลึกเกินกว่าที่ LINE ส่ง",
    "no_events": "ไม่มีรายการเหตุการณ์ (events) ตามรูปแบบของ LINE",
    "event_not_object": "เหตุการณ์ไม่อยู่ในรูปแบบของ LINE",
    "bad_id": "รหัส {field} ผิดรูปแบบหรือยาวเกินที่ LINE ใช้ ({length} ตัวอักษร)",
    "bad_type": "ประเภท {field} ผิดรูปแบบหรือยาวเกินที่ LINE ใช้",
    "unstorable": "บันทึกลงฐานข้อมูลไม่ได้ ({error})",
    "from_spool": "ข้อมูลผิดรูปแบบ (นำเข้าจากไฟล์สำรอง)",
}


def unstorable(exc: BaseException) -> str:
    """The Thai reason kept with a body or event that could not be stored because of exc."""
    return REASONS["unstorable"].format(error=type(exc).__name__)


class MalformedBody(ValueError):
    """A signed body that is not LINE's {destination, events[]} envelope."""

    def __init__(self, code: str, **details: object):
        """code names the problem (for logs); the message is the Thai reason kept with the body."""
        super().__init__(REASONS[code].format(**details))
        self.code = code


@dataclass(frozen=True)
class Envelope:
    """The parsed webhook body: the events to store, and the events kept aside with their reasons."""

    destination: str | None
    events: list[dict]
    refused: list[tuple[dict, str]] = field(default_factory=list)


def parse_envelope(body: bytes) -> Envelope:
    """Parse and shape-check a webhook body; raise MalformedBody when it is not LINE's.

    Never raises anything else for any bytes: deep nesting, huge numbers and bad UTF-8 are MalformedBody.
    """
    try:
        data = json.loads(body)
    except UnicodeDecodeError:
        raise MalformedBody("not_utf8") from None
    except RecursionError:
        raise MalformedBody("too_deep") from None
    except ValueError:  # JSONDecodeError, and integers past Python's digit limit
        raise MalformedBody("not_json") from None
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise MalformedBody("no_events")
    if not all(isinstance(event, dict) for event in data["events"]):
        raise MalformedBody("event_not_object")
    if _depth_exceeds(data, MAX_DEPTH):
        raise MalformedBody("too_deep")
    destination = data.get("destination")
    destination = destination if isinstance(destination, str) and _valid_id(destination) else None
    events: list[dict] = []
    refused: list[tuple[dict, str]] = []
    escaped_surrogate = ESCAPED_SURROGATE.search(body) is not None  # valid UTF-8 holds none unescaped
    for raw in data["events"]:
        event = without_surrogates(raw) if escaped_surrogate else raw
        problem = event_problem(event)
        if problem is None:
            events.append(event)
        else:
            refused.append((event, problem))
    return Envelope(destination, events, refused)


def _depth_exceeds(value: object, limit: int) -> bool:
    """Whether JSON data nests deeper than limit (iteratively: no recursion on hostile input)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def without_surrogates(value):
    """The same JSON data with every lone UTF-16 surrogate (in keys and strings) replaced by U+FFFD."""
    if isinstance(value, str):
        return SURROGATES.sub("\ufffd", value)
    if isinstance(value, dict):
        return {without_surrogates(key): without_surrogates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_surrogates(item) for item in value]
    return value


def _valid_id(value: object) -> bool:
    return isinstance(value, str) and len(value) <= MAX_ID_LENGTH and ID_PATTERN.fullmatch(value) is not None


def event_problem(event: dict) -> str | None:
    """Why an event cannot be stored as LINE's (a Thai reason), or None when it can."""
    for name in ("webhookEventId", "replyToken"):
        value = event.get(name)
        if value is not None and not _valid_id(value):
            return REASONS["bad_id"].format(field=name, length=len(str(value)))
    source = event.get("source")
    if isinstance(source, dict):
        for name in ("userId", "groupId", "roomId"):
            if source.get(name) is not None and not _valid_id(source[name]):
                return REASONS["bad_id"].format(field=f"source.{name}", length=len(str(source[name])))
        kind = source.get("type")
        if kind is not None and not (isinstance(kind, str) and len(kind) <= 16 and kind.isascii()):
            return REASONS["bad_type"].format(field="source.type")
    for name, limit in (("type", MAX_TYPE_LENGTH), ("mode", 16)):
        value = event.get(name)
        if value is not None and not (isinstance(value, str) and len(value) <= limit and ID_PATTERN.fullmatch(value)):
            return REASONS["bad_type"].format(field=name)
    return None


def content_hash(event: dict) -> str:
    """Fingerprint an event without its delivery context, so a redelivery hashes the same."""
    stable = {k: v for k, v in event.items() if k != "deliveryContext"}
    return hashlib.sha256(json.dumps(stable, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def chat_key(event: dict) -> str:
    """The conversation an event belongs to: its group, room or user, for ordering."""
    source = event.get("source") if isinstance(event.get("source"), dict) else {}
    for field_name in ("groupId", "roomId", "userId"):
        if isinstance(source.get(field_name), str):
            return source[field_name]
    return "-"


def _event_time(timestamp: object, received):
    """When LINE says the event happened; the arrival time when its timestamp is not a usable number."""
    if isinstance(timestamp, int | float) and not isinstance(timestamp, bool):
        try:
            return from_line_ms(timestamp)
        except (OverflowError, ValueError, OSError):
            pass
    return received


def _row(event: dict, destination: str | None, via_spool: bool) -> dict:
    """Build the inbox row values for one event that passed event_problem()."""
    digest = content_hash(event)
    source = event.get("source") if isinstance(event.get("source"), dict) else {}
    delivery = event.get("deliveryContext") if isinstance(event.get("deliveryContext"), dict) else {}
    now = utcnow()
    return {
        "webhook_event_id": str(event.get("webhookEventId") or f"nohash-{digest[:32]}"),
        "content_hash": digest,
        "destination": destination,
        "event_type": str(event.get("type") or "unknown"),
        "source_type": source.get("type") or None,
        "chat_key": chat_key(event),
        "mode": str(event.get("mode") or "active"),
        "is_redelivery": delivery.get("isRedelivery") is True,
        "via_spool": via_spool,
        "event_at": _event_time(event.get("timestamp"), now),
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
    Events the envelope refused are not stored here: see store_refused().
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


def event_bytes(event: dict) -> bytes:
    """An event as ASCII-escaped JSON bytes: storable whatever characters it holds."""
    return json.dumps(event, ensure_ascii=True, sort_keys=True).encode()


def store_refused(connection: Session | Connection, envelope: Envelope) -> int:
    """Keep each event the envelope refused in rejected_bodies, once; return how many were refused."""
    for event, reason in envelope.refused:
        store_rejected(connection, event_bytes(event), reason)
    return len(envelope.refused)


def store_rejected(connection: Session | Connection, body: bytes, reason: str) -> None:
    """Keep a signed but unreadable body (or one refused event) for the secretariat, once however often it comes.

    INSERT ... ON CONFLICT (body_hash) DO NOTHING, the sha256 of the raw bytes, in the syntax SQLite and
    PostgreSQL share: a body whose first insert committed after the deadline and was spooled anyway, or
    that LINE sent again, stays one row. Bytes that are not UTF-8 are kept as backslash escapes, and NUL
    (which PostgreSQL's text cannot hold) as the four characters \\x00, so every body can be stored.
    """
    statement = text(
        "INSERT INTO rejected_bodies (received_at, reason, body, body_hash)"
        " VALUES (:received_at, :reason, :body, :body_hash)"
        " ON CONFLICT (body_hash) DO NOTHING"
    ).bindparams(bindparam("received_at", type_=RejectedBody.__table__.c.received_at.type))
    values = {
        "received_at": utcnow(),
        "reason": reason[:200],
        "body": body.decode("utf-8", errors="backslashreplace").replace("\x00", "\\x00"),
        "body_hash": hashlib.sha256(body).hexdigest(),
    }
    connection.execute(statement, values)


def database_unavailable(exc: BaseException) -> bool:
    """Whether an error says the database could not be reached or did not answer (not that the data was bad).

    Only these send webhook bodies to the spool and mark the database down; any other error is the
    data's own and keeps just that body or event aside.
    """
    if isinstance(exc, OperationalError | InterfaceError | DisconnectionError | PoolTimeout | OSError):
        return True
    return isinstance(exc, DBAPIError) and (exc.connection_invalidated or isinstance(exc.orig, OSError))


def queued(session: Session) -> int:
    """How many events wait to be processed (pending or failed), counted on the queue index."""
    return session.scalar(select(func.count()).select_from(InboxEvent).where(DUE_STATUSES)) or 0


def backlog(session: Session) -> dict[str, int]:
    """Count inbox events by status."""
    rows = session.execute(select(InboxEvent.status, func.count()).group_by(InboxEvent.status))
    return {str(status): count for status, count in rows}
