"""The network's LINE messages to members."""

from __future__ import annotations

from linebot.v3.messaging import Message
from sqlalchemy.orm import Session

from line.messages import text
from services.notices import StatusUpdated
from texts import network as t


def status_updated(session: Session, notice: StatusUpdated) -> list[Message]:
    """Where a report stands, for its sender."""
    return [text(t.STATUS_UPDATES[notice.key].format(ref=notice.report.ref_no))]
