"""The answer to a roster invitation: "รับคำเชิญ" or "ปฏิเสธ" on the card the admin web sent.

Only the invited person may answer; an answer to a removed, declined or unknown invitation is refused in
words that say what to do instead. Accepting tells the new member what they can do now, with buttons.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from linebot.v3.messaging import Message

from handlers import conversation, registration
from handlers.context import Context
from handlers.registry import Registry
from line import messages
from line.roster_cards import ROSTER_ACTION, welcome
from services.riskpoints.errors import RiskPointError
from services.riskpoints.roster import accept, decline, membership_with_unit
from texts import riskpoints as t


def _declined(ctx: Context, membership) -> list[Message]:
    decline(ctx.session, membership, ctx.sender, ctx.sent_at)
    return [messages.text(t.ROSTER_DECLINED.format(unit=membership.unit.name))]


def _accepted(ctx: Context, membership) -> list[Message]:
    accept(ctx.session, membership, ctx.sender, ctx.sent_at)
    flow = conversation.current(ctx)
    if flow is not None and flow.flow == registration.FLOW:
        conversation.finish(ctx, flow)  # offered on follow; a unit's member need not register as an informant
    return welcome(membership.unit)


ANSWERS = {"yes": _accepted, "no": _declined}


def on_answer(ctx: Context) -> list[Message]:
    """A tap on an invitation's button: accept or decline it, or say why it cannot be answered."""
    data = parse_qs(ctx.postback_data or "")
    answer = ANSWERS.get((data.get("answer") or [""])[0])
    try:
        membership_id = int((data.get("id") or ["0"])[0])
    except ValueError:
        membership_id = 0
    membership = membership_with_unit(ctx.session, membership_id) if answer else None
    if membership is None:
        return [messages.text(t.ROSTER_NOT_FOUND)]
    try:
        return answer(ctx, membership)
    except RiskPointError as refusal:
        return [messages.text(str(refusal))]


def register(registry: Registry) -> None:
    """Add the invitation's answer buttons."""
    registry.postback(ROSTER_ACTION)(on_answer)
