"""The finalised quarterly KPI report as a LINE card: its name, period and version, and a button per document.

Each button opens a signed, expiring link made for the person it is sent to (bot/downloads.py serves it and
audits the download); nothing about the report is public without one. Rendered from the notice alone.
"""

from __future__ import annotations

from linebot.v3.messaging import FlexBox, FlexBubble, FlexButton, FlexMessage, FlexText, Message, URIAction
from sqlalchemy.orm import Session

from line.report_cards import ACCENT, MUTED, alt_text
from models.timeutil import thai_datetime
from services.notices import KpiReportFinalised
from texts import kpi_reports as t


def finalised_card(session: Session, notice: KpiReportFinalised) -> list[Message]:
    """The card for one secretariat member: PDF, DOCX and XLSX buttons opening their own signed links."""
    buttons = [
        FlexButton(
            style="primary" if number == 0 else "secondary",
            color=ACCENT if number == 0 else None,
            height="sm",
            action=URIAction(label=t.BUTTONS[fmt], uri=link),
        )
        for number, (fmt, link) in enumerate(notice.links)
    ]
    body = t.CARD_BODY.format(
        by=notice.by, at=thai_datetime(notice.finalised_at), until=thai_datetime(notice.expires_at)
    )
    bubble = FlexBubble(
        header=FlexBox(
            layout="vertical",
            contents=[
                FlexText(text=t.CARD_TITLE.format(name=notice.name), weight="bold", size="lg", color=ACCENT, wrap=True),
                FlexText(
                    text=t.CARD_SUBTITLE.format(period=notice.period, version=notice.version),
                    size="sm",
                    color=MUTED,
                    wrap=True,
                ),
            ],
        ),
        body=FlexBox(layout="vertical", contents=[FlexText(text=body, size="sm", wrap=True)]),
        footer=FlexBox(layout="vertical", spacing="sm", contents=buttons),
    )
    alt = t.CARD_ALT.format(name=notice.name, period=notice.period, version=notice.version)
    return [FlexMessage(alt_text=alt_text(alt), contents=bubble)]
