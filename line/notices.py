"""Notices from the rules (services/notices.py) rendered as LINE messages: one renderer per kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linebot.v3.messaging import Message
from sqlalchemy.orm import Session

from line import kpi_report_cards, network_cards, riskpoint_cards, roster_cards, workgroup_cards
from services.notices import (
    ForwardReminder,
    ForwardSent,
    KpiReportFinalised,
    LetterIssued,
    MemberDecided,
    Notice,
    OrderSent,
    OrderUndelivered,
    RosterInvited,
    RoundMissed,
    StatusUpdated,
)

# notice type -> function(session, notice) -> LINE messages; each renderer lives beside its cards
RENDERERS: dict[type[Notice], Callable[[Session, Any], list[Message]]] = {
    OrderSent: riskpoint_cards.order_notice,
    LetterIssued: riskpoint_cards.secretariat_letter,
    RoundMissed: riskpoint_cards.round_misses,
    ForwardSent: workgroup_cards.forward_sent,
    ForwardReminder: workgroup_cards.forward_reminder,
    StatusUpdated: network_cards.status_updated,
    MemberDecided: network_cards.member_decided,
    OrderUndelivered: riskpoint_cards.order_undelivered,
    RosterInvited: roster_cards.invitation,
    KpiReportFinalised: kpi_report_cards.finalised_card,
}


def render(session: Session, notice: Notice) -> list[Message]:
    """The LINE messages for a notice."""
    return RENDERERS[type(notice)](session, notice)
