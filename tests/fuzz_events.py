"""Webhook bodies for the fuzz tests: LINE's events generated from webhook.yml, mutated ones, hostile bodies.

Valid events come from the spec itself (bot/emulator/specs/webhook.yml, LINE's, Apache-2.0): a
schema's `allOf` parts are merged, and a `discriminator` picks the child schema named by the value
it draws, as bot/emulator/spec.py validates them. Where LINE documents more than the spec's "string"
(ids, reply tokens, timestamps, coordinates, image-set counters) the values follow LINE's formats,
and every id is fresh, so that each event can be traced through the inbox and the emulator.
Free text is anything UTF-8 can carry (Thai, emoji, NUL), never a lone surrogate: those belong to
the hostile values, with wrong types, very long ids, huge numbers and deep nesting.
"""

from __future__ import annotations

import functools
import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from bot.emulator import spec

SPEC = spec.load_spec("webhook", str(spec.BUNDLED_DIR))
SCHEMAS = SPEC.schemas
DESTINATION = "U8e742f61d673b39c7fff3cecb7536ef0"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# Fields LINE always sends although the spec leaves them optional (a user source names its user).
REQUIRED_IN_PRACTICE = {"UserSource": {"userId"}}

THAI_AND_EMOJI = (
    "แจ้งเหตุไฟไหม้ที่ซอยสุขุมวิท 22 ค่ะ",
    "มีคนแปลกหน้าเดินวนแถวตลาดคลองเตย 🙏",
    "ถนนพระรามสี่ น้ำท่วมขัง 🌧️🌊 รถติดมาก",
    "👩🏽‍🚒👨‍👩‍👧‍👦🇹🇭 ขอบคุณครับ",
    "ก้่้่้่้่้่้่้่้่้่้่้่",  # stacked tone marks
    "\u202eกลับด้าน\u202c",  # right-to-left override
    "ช่วยเหลือ",
    "แจ้งข่าว",
    "ลงทะเบียน",
    "ยกเลิก",
    "เช็คอิน",
    "สรุปของฉัน",
)
THAI_LETTERS = "".join(chr(code) for code in range(0x0E01, 0x0E5C) if chr(code).isprintable())
TEXT = st.one_of(
    st.sampled_from(THAI_AND_EMOJI),
    st.text(st.characters(codec="utf-8"), max_size=80),
    st.text(st.sampled_from(THAI_LETTERS + "😀🙏🏽🚓 \n"), min_size=1, max_size=80),
)
URLS = st.sampled_from(["https://example.com/a.jpg", "https://cdn.example.org/ภาพ/1.png?x=1"])

_counter = itertools.count(1)


def _fresh() -> int:
    return next(_counter)


def fresh_ulid() -> str:
    """A ULID never handed out before in this process, stamped now."""
    value = (int(time.time() * 1000) << 80) | (_fresh() << 20)
    return "".join(CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def fresh_line_id(prefix: str) -> str:
    """A LINE user (U), group (C) or room (R) id never handed out before in this process."""
    return f"{prefix}{time.time_ns() & 0xFFFFFFFF:08x}{_fresh():024x}"


def now_ms() -> int:
    """LINE's timestamp for now: milliseconds since the epoch."""
    return int(time.time() * 1000)


def _just_built(factory) -> st.SearchStrategy:
    """A strategy that calls factory() each time it is drawn (fresh ids, the current time)."""
    return st.builds(factory)


FORMATS: dict[str, st.SearchStrategy] = {
    "webhookEventId": _just_built(fresh_ulid),
    "userId": _just_built(lambda: fresh_line_id("U")),
    "groupId": _just_built(lambda: fresh_line_id("C")),
    "roomId": _just_built(lambda: fresh_line_id("R")),
    "replyToken": _just_built(lambda: f"{_fresh():032x}"),
    "id": _just_built(lambda: str(10**17 + _fresh())),
    "messageId": _just_built(lambda: str(10**17 + _fresh())),
    "quotedMessageId": _just_built(lambda: str(10**17 + _fresh())),
    "quoteToken": _just_built(lambda: f"q{_fresh():024x}"),
    "markAsReadToken": _just_built(lambda: f"m{_fresh():024x}"),
    "timestamp": st.integers(0, 30_000).flatmap(lambda back: _just_built(lambda: now_ms() - back)),
    "latitude": st.floats(-90, 90),
    "longitude": st.floats(-180, 180),
    "index": st.integers(0, 100),
    "length": st.integers(1, 100),
    "total": st.integers(1, 20),
    "duration": st.integers(0, 600_000),
    "fileSize": st.integers(0, 300_000_000),
    "expireAt": st.integers(0, 60_000).map(lambda ahead: now_ms() + ahead),
}


@dataclass(frozen=True)
class Flat:
    """A schema with its allOf parts merged: what an instance must and may hold."""

    properties: dict[str, dict]
    required: frozenset[str]
    discriminator: dict | None


def _ref_name(reference: str) -> str:
    return reference.rsplit("/", 1)[-1]


@functools.cache
def flattened(name: str) -> Flat:
    """A named schema of the spec with its allOf parts merged (a parent's discriminator is not inherited)."""
    return _flatten(SCHEMAS[name], top=True)


def _flatten(schema: dict, *, top: bool) -> Flat:
    properties: dict[str, dict] = {}
    required: set[str] = set()
    if "$ref" in schema:
        parent = flattened(_ref_name(schema["$ref"]))
        properties.update(parent.properties)
        required |= parent.required
    for part in schema.get("allOf", ()):
        merged = _flatten(part, top=False)
        properties.update(merged.properties)
        required |= merged.required
    properties.update(schema.get("properties", {}))
    required |= set(schema.get("required", ()))
    return Flat(properties, frozenset(required), schema.get("discriminator") if top else None)


def subtypes(name: str) -> list[str]:
    """The values a named base schema's discriminator accepts (event types, message types...)."""
    return sorted(SCHEMAS[name]["discriminator"]["mapping"])


EVENT_TYPES = subtypes("Event")
MESSAGE_TYPES = subtypes("MessageContent")
SOURCE_TYPES = subtypes("Source")


def _discriminated_children() -> dict[str, tuple[str, str]]:
    """Each child schema's discriminator property and value, however it is reached (UserSource: type=user)."""
    found = {}
    for schema in SCHEMAS.values():
        discriminator = schema.get("discriminator")
        for tag, reference in (discriminator or {}).get("mapping", {}).items():
            found[_ref_name(reference)] = (discriminator["propertyName"], tag)
    return found


CHILD_TAGS = _discriminated_children()


@functools.cache
def named(name: str) -> st.SearchStrategy:
    """Instances of a named schema; a base schema draws one of its discriminator's children."""
    schema = SCHEMAS[name]
    if not ({"properties", "allOf", "discriminator"} & schema.keys()):
        return value(schema, name)  # an enum, such as EventMode
    flat = flattened(name)
    if flat.discriminator is not None:
        mapping = flat.discriminator["mapping"]
        return st.one_of(*(named(_ref_name(mapping[tag])) for tag in sorted(mapping)))
    return _object(name, flat)


def _object(owner: str, flat: Flat, overrides: dict[str, st.SearchStrategy] | None = None) -> st.SearchStrategy:
    """A fixed dictionary of the required properties, and any of the optional ones."""
    overrides = dict(overrides or {})
    if owner in CHILD_TAGS:
        field, tag = CHILD_TAGS[owner]
        overrides.setdefault(field, st.just(tag))
    required = flat.required | REQUIRED_IN_PRACTICE.get(owner, set()) | overrides.keys()
    values = {key: value(schema, key) for key, schema in flat.properties.items()}
    values.update(overrides)
    return st.fixed_dictionaries(
        {key: values[key] for key in sorted(required)},
        optional={key: values[key] for key in sorted(values.keys() - required)},
    )


def value(schema: dict, field: str | None = None) -> st.SearchStrategy:
    """Values of one property's schema, in LINE's formats where the field's meaning is known."""
    if field in FORMATS and "$ref" not in schema:
        return FORMATS[field]
    if "$ref" in schema:
        return named(_ref_name(schema["$ref"]))
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "string":
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        if schema.get("format") == "uri":
            return URLS
        if "maxLength" in schema:
            return TEXT.filter(lambda text: len(text) <= schema["maxLength"])
        return TEXT
    if kind == "integer":
        bits = 31 if schema.get("format") == "int32" else 63
        return st.integers(-(2**bits), 2**bits - 1)
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(value(schema.get("items", {})), max_size=min(schema.get("maxItems", 3), 3))
    if kind == "object" or "properties" in schema or "allOf" in schema:
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and not schema.get("properties"):
            return st.dictionaries(st.text(max_size=10), value(extra), max_size=3)
        return _object(field or "inline", _flatten(schema, top=False), {})
    return st.none()


def events(kind: str | None = None, message_type: str | None = None) -> st.SearchStrategy:
    """Valid webhook events of one type of the spec (any type when kind is None; a message of one type)."""
    if kind is None:
        return named("Event")
    child = _ref_name(SCHEMAS["Event"]["discriminator"]["mapping"][kind])
    if message_type is None:
        return named(child)
    content = _ref_name(SCHEMAS["MessageContent"]["discriminator"]["mapping"][message_type])
    return _object(child, flattened(child), {"message": named(content)})


def envelope(*items: dict, destination: str = DESTINATION) -> dict:
    """LINE's webhook body around some events."""
    return {"destination": destination, "events": list(items)}


def redelivered(event: dict) -> dict:
    """The same event as LINE resends it when redelivery is on."""
    return {**event, "deliveryContext": {"isRedelivery": True}}


@st.composite
def valid_bodies(draw, kind: str | None = None, message_type: str | None = None) -> dict:
    """An envelope of one to three valid events, sometimes with one of them repeated or redelivered."""
    items = draw(st.lists(events(kind, message_type), min_size=1, max_size=3))
    repeat = draw(st.sampled_from(("none", "same", "redelivery")))
    if repeat != "none":
        chosen = draw(st.sampled_from(items))
        items.append(dict(chosen) if repeat == "same" else redelivered(chosen))
    return envelope(*items)


def encode(payload: Any) -> bytes:
    """A body's bytes as LINE sends them: UTF-8 JSON, a lone surrogate written as its JSON escape ("\\ud83d")."""
    return json.dumps(payload, ensure_ascii=False).encode("utf-8", "backslashreplace")


def nested(depth: int, inner: str = "0") -> str:
    """JSON text of `depth` nested arrays around a value."""
    return "[" * depth + inner + "]" * depth


def raw_envelope(events_json: str) -> bytes:
    """A body around an events list given as JSON text (for nesting too deep to build as Python data)."""
    return f'{{"destination": "{DESTINATION}", "events": {events_json}}}'.encode()


LONG_ID = "01" + "A" * 298  # a 300-character webhookEventId; LINE's are 26
HOSTILE_STRINGS = st.one_of(
    st.sampled_from(["\ud83d", "a\udc00b", "\x00", "U\x00", "", " ", "\ufeff", LONG_ID, "ก" * 5001]),
    st.text(st.characters(exclude_categories=()), min_size=1, max_size=30),  # lone surrogates included
    st.integers(100, 3000).map(lambda n: "U" + "f" * n),
)
HOSTILE_VALUES = st.one_of(
    HOSTILE_STRINGS,
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([float("nan"), float("inf"), -float("inf"), 1e308, -0.0, 10**20]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.integers(50, 400).map(lambda depth: json.loads(nested(depth))),
)


def paths(node: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every place in a JSON value that holds something (dict keys and list indexes), depth first."""
    if isinstance(node, dict):
        for key, child in node.items():
            yield (*prefix, key)
            yield from paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield (*prefix, index)
            yield from paths(child, (*prefix, index))


def _parent(root: Any, path: tuple) -> Any:
    for step in path[:-1]:
        root = root[step]
    return root


@st.composite
def mutated_events(draw) -> dict:
    """A valid event with one to three of its fields dropped, retyped or replaced by a hostile value."""
    event = json.loads(json.dumps(draw(events())))
    for _ in range(draw(st.integers(1, 3))):
        where = list(paths(event))
        if not where:
            break
        path = draw(st.sampled_from(where))
        parent = _parent(event, path)
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(HOSTILE_VALUES)
    if draw(st.booleans()):
        event[draw(st.sampled_from(["type", "webhookEventId", "timestamp", "mode", "source"]))] = draw(HOSTILE_VALUES)
    return event


@st.composite
def hostile_bodies(draw) -> bytes:
    """Signed bodies that are not LINE's: noise, cut JSON, bad UTF-8, other shapes, deep nesting."""
    valid = encode(draw(valid_bodies()))
    choice = draw(st.sampled_from(("noise", "cut", "bad-utf8", "shape", "nesting", "mutated")))
    if choice == "noise":
        return draw(st.binary(min_size=1, max_size=300))
    if choice == "cut":
        return valid[: draw(st.integers(1, len(valid) - 1))]
    if choice == "bad-utf8":
        at = draw(st.integers(0, len(valid)))
        bad = draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\xbd", b"\xf8\x88\x80\x80\x80"]))
        return valid[:at] + bad + valid[at:]
    if choice == "shape":
        shape = draw(
            st.sampled_from(
                [
                    "[]",
                    "null",
                    '"events"',
                    "{}",
                    '{"events": {}}',
                    '{"events": [1, "two", null]}',
                    '{"destination": 5, "events": [[]]}',
                ]
            )
        )
        return shape.encode()
    if choice == "nesting":
        depth = draw(st.sampled_from([990, 5_000, 100_000]))
        return raw_envelope(f"[{nested(depth)}]")
    return encode(envelope(*draw(st.lists(mutated_events(), min_size=1, max_size=3))))
