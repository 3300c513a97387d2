"""Signed, expiring download links: what a LINE card or a finished evidence pack points to.

A link names one document (its kind, a reference and a format) and for whom it was made, signed with
SECRET_KEY (itsdangerous, as Flask signs its sessions) and valid for ``DEFAULT_TTL`` unless told
otherwise. Nothing about the document is public: without a valid, unexpired signature the web answers
in Thai and serves nothing; every download is audited (bot/downloads.py). Web and clock alike make links
here, since both know SECRET_KEY and PUBLIC_BASE_URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from models.timeutil import utcnow

DEFAULT_TTL = timedelta(days=7)
SALT = "fieldline-download"
PATH = "/d/{token}"


@dataclass(frozen=True)
class Download:
    """What a valid link asks for."""

    kind: str  # e.g. "kpi-report", "evidence-pack"
    ref: str  # the kind's own reference, e.g. a version id
    fmt: str  # "pdf", "docx", "xlsx", "zip"
    made_for: str  # who the link was made for (a staff username or "line:<member id>"), for the audit
    expires_at: datetime


class LinkInvalid(ValueError):
    """The link was altered or made with another key."""


class LinkExpired(ValueError):
    """The link is genuine but its time is over."""


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT)


def make_token(
    secret: str, *, kind: str, ref: str, fmt: str, made_for: str, ttl: timedelta = DEFAULT_TTL, now=None
) -> str:
    """A signed token naming one document, valid for ``ttl`` from ``now``."""
    expires = (now or utcnow()) + ttl
    return _serializer(secret).dumps([kind, str(ref), fmt, made_for, int(expires.timestamp())])


def download_link(base_url: str, secret: str, **token_args) -> str:
    """An absolute signed link (base_url is PUBLIC_BASE_URL or the request's root)."""
    return base_url.rstrip("/") + PATH.format(token=make_token(secret, **token_args))


def read_token(secret: str, token: str, *, now: datetime | None = None) -> Download:
    """What a token asks for; LinkInvalid when forged or garbled, LinkExpired when its time is over."""
    try:
        kind, ref, fmt, made_for, expires = _serializer(secret).loads(token)
    except SignatureExpired as error:  # pragma: no cover - no max_age is passed; expiry is ours
        raise LinkExpired(str(error)) from error
    except (BadSignature, ValueError, TypeError) as error:
        raise LinkInvalid("bad download token") from error
    expires_at = datetime.fromtimestamp(int(expires), tz=utcnow().tzinfo)
    if (now or utcnow()) >= expires_at:
        raise LinkExpired("download link expired")
    return Download(kind=kind, ref=ref, fmt=fmt, made_for=made_for, expires_at=expires_at)
