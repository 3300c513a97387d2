"""The roster invitation in LINE: a card with accept and decline buttons, and what a new member can do next."""

from __future__ import annotations

from linebot.v3.messaging import FlexBox, FlexBubble, FlexButton, FlexMessage, FlexSeparator, FlexText, Message
from sqlalchemy.orm import Session

from line import messages
from line.riskpoint_cards import postback
from models import RiskUnit, UnitKind
from services.notices import RosterInvited
from texts import riskpoints as t

ROSTER_ACTION = "roster"
ANSWERS = {"yes": t.ROSTER_ACCEPT, "no": t.ROSTER_DECLINE}
# what a new member of each kind of unit may start at once (quick-reply buttons under the welcome)
NEXT_COMMANDS = {
    UnitKind.PATROL: (t.CHECKIN, t.CAMERA, t.SUBMIT_REPORT),
    UnitKind.DEPARTMENT: (t.MY_SUMMARY, t.SUBMIT_REPORT),
    UnitKind.SECRETARIAT: (),
}


def invitation(session: Session, notice: RosterInvited) -> list[Message]:
    """The invitation card: the unit, what membership allows, and the two answer buttons."""
    membership = notice.membership
    unit = membership.unit
    body = t.ROSTER_INVITE_BODY.format(unit=unit.name, abilities=t.ROSTER_ABILITIES[UnitKind(unit.kind).value])
    buttons = [
        FlexButton(
            action=postback(label, action=ROSTER_ACTION, id=membership.id, answer=answer),
            style="primary" if answer == "yes" else "secondary",
            height="sm",
            margin="sm",
        )
        for answer, label in ANSWERS.items()
    ]
    bubble = FlexBubble(
        body=FlexBox(
            layout="vertical",
            contents=[
                FlexText(text=t.ROSTER_INVITE_TITLE.format(unit=unit.name), weight="bold", size="lg", wrap=True),
                FlexSeparator(margin="md"),
                FlexText(text=body, wrap=True, size="sm", margin="md"),
            ],
        ),
        footer=FlexBox(layout="vertical", contents=buttons),
    )
    return [FlexMessage(alt_text=t.ROSTER_INVITE_ALT.format(unit=unit.name)[:400], contents=bubble)]


def welcome(unit: RiskUnit) -> list[Message]:
    """The answer to an accepted invitation: membership confirmed, and buttons for what the member can do now."""
    kind = UnitKind(unit.kind)
    body = f"{t.ROSTER_ACCEPTED.format(unit=unit.name)}\n{t.ROSTER_NOW_YOU_CAN[kind.value]}"
    return [messages.text(body, list(NEXT_COMMANDS[kind]) or None)]
