"""Guided conversations kept in the database: start, read, advance and finish a flow.

The flows themselves are step tables in the registry (handlers.registry): a step function moves on with
``advance`` or ends with ``finish``; commands begin a flow with ``Registry.start_flow``, which first tidies
up another flow the user was in (``start`` here replaces it without tidy-up).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from handlers.context import Context
from models import Conversation


def current(ctx: Context) -> Conversation | None:
    """The conversation the event's user is in, if any."""
    if ctx.user_id is None:
        return None
    return ctx.session.scalar(select(Conversation).where(Conversation.line_user_id == ctx.user_id))


def start(ctx: Context, flow: str, step: str, data: dict[str, Any] | None = None) -> Conversation:
    """Begin a flow for the event's user, replacing any other one."""
    conversation = current(ctx)
    if conversation is None:
        conversation = Conversation(line_user_id=ctx.user_id, flow=flow, step=step, data=dict(data or {}))
        ctx.session.add(conversation)
    else:
        conversation.flow, conversation.step, conversation.data = flow, step, dict(data or {})
    ctx.session.flush()
    return conversation


def advance(conversation: Conversation, step: str, **changes: Any) -> None:
    """Move to another step, merging changes into the flow's data."""
    conversation.step = step
    conversation.data = {**conversation.data, **changes}


def finish(ctx: Context, conversation: Conversation) -> None:
    """End the flow (its data, which may hold personal details, is deleted with it)."""
    ctx.session.delete(conversation)
    ctx.session.flush()
