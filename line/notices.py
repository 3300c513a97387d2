"""Notices from the rules (services/notices.py) rendered as LINE messages: one renderer per kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linebot.v3.messaging import Message
from sqlalchemy.orm import Session

from services.notices import Notice

# notice type -> function(session, notice) -> LINE messages; each renderer lives beside its cards
RENDERERS: dict[type[Notice], Callable[[Session, Any], list[Message]]] = {}


def render(session: Session, notice: Notice) -> list[Message]:
    """The LINE messages for a notice."""
    return RENDERERS[type(notice)](session, notice)
