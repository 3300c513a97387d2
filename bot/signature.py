"""LINE webhook signatures: base64(HMAC-SHA256(channel secret, raw body))."""

from __future__ import annotations

import base64
import hashlib
import hmac


def sign(channel_secret: str, body: bytes) -> str:
    """Return the x-line-signature LINE would send for this body."""
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def is_valid(channel_secret: str, body: bytes, signature: str | None) -> bool:
    """Check a signature over the unmodified body bytes, in constant time."""
    if not signature or not channel_secret:
        return False
    return hmac.compare_digest(sign(channel_secret, body).encode(), signature.strip().encode())
