"""Identifiers as LINE makes them: user, group and room ids, reply tokens, message ids, ULIDs."""

from __future__ import annotations

import hashlib
import itertools
import re
import secrets
import threading
import time
import uuid
from datetime import datetime

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ULID_PATTERN = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")
LINE_ID_PATTERN = re.compile(r"^[UCR][0-9a-f]{32}$")

_message_counter = itertools.count(int(time.time() * 1000) * 1000)
_message_lock = threading.Lock()


def ulid(moment: datetime) -> str:
    """A ULID: 48 bits of milliseconds then 80 random bits, in 26 Crockford base32 characters."""
    milliseconds = int(moment.timestamp() * 1000)
    value = (milliseconds << 80) | secrets.randbits(80)
    return "".join(CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def is_ulid(value: object) -> bool:
    """Whether a value is a well-formed ULID string."""
    return isinstance(value, str) and bool(ULID_PATTERN.match(value))


def _stable_hex(kind: str, seed: str) -> str:
    """32 hex characters derived from a seed, so a persona keeps its id across restarts."""
    return hashlib.sha256(f"{kind}:{seed}".encode()).hexdigest()[:32]


def user_id(seed: str) -> str:
    """A user id (U + 32 hex) stable for the seed."""
    return "U" + _stable_hex("user", seed)


def group_id(seed: str) -> str:
    """A group id (C + 32 hex) stable for the seed."""
    return "C" + _stable_hex("group", seed)


def room_id(seed: str) -> str:
    """A multi-person chat id (R + 32 hex) stable for the seed."""
    return "R" + _stable_hex("room", seed)


def is_line_id(value: object, prefixes: str = "UCR") -> bool:
    """Whether a value looks like a LINE user, group or room id with one of the prefixes."""
    return isinstance(value, str) and bool(LINE_ID_PATTERN.match(value)) and value[0] in prefixes


def reply_token() -> str:
    """A fresh reply token (32 hex characters, like LINE's)."""
    return secrets.token_hex(16)


def quote_token() -> str:
    """A quote token for a message the user sent or the bot received."""
    return "q" + secrets.token_urlsafe(24)


def message_id() -> str:
    """A numeric message id, increasing, and unique across restarts of this process (time-based start)."""
    with _message_lock:
        return str(next(_message_counter))


def request_id() -> str:
    """The x-line-request-id of one API call."""
    return str(uuid.uuid4())


def rich_menu_id() -> str:
    """A rich menu id as LINE formats them."""
    return "richmenu-" + secrets.token_hex(16)
