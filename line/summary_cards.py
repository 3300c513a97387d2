"""The cards of "สรุปของฉัน" for a volunteer and a newcomer (line-bot-sdk models), and the parts every role's
card shares; the patrol, clerk and secretariat cards are line/summary_duty_cards.py."""

from __future__ import annotations

from urllib.parse import urlencode

from linebot.v3.messaging import (
    FlexBox,
    FlexBubble,
    FlexButton,
    FlexCarousel,
    FlexMessage,
    FlexText,
    Message,
    MessageAction,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)

from line.messages import button_label
from models.timeutil import thai_date
from services.summaries import ReportLine, ReportPage, photo_count, report_place, report_text
from texts import summary as t

NEWS_ACTION = "my_news"
NEWS_DETAIL_ACTION = "my_news_detail"
UNIT_ACTION = "my_unit"
CHECK_ACTION = "my_check"
DEFECT_ACTION = "my_defect"
ORDER_ACTION = "my_order"
MUTED = "#666666"
ACCENT = "#1F4E79"
MAX_ALT_TEXT = 400
MAX_BUBBLES = 12  # LINE's limit per carousel


def postback(label: str, action: str, **data: object) -> PostbackAction:
    """A postback whose data is action=<action>&..., shown in the chat as its label."""
    shown = button_label(label)
    return PostbackAction(label=shown, data=urlencode({"action": action, **data}), display_text=label[:300])


def command(label: str, text: str | None = None) -> MessageAction:
    """A button that sends a command as the user's own message."""
    return MessageAction(label=button_label(label), text=text or label)


def quick(*actions: PostbackAction | MessageAction) -> QuickReply:
    """Quick-reply buttons from actions."""
    return QuickReply(items=[QuickReplyItem(action=action) for action in actions])


def flex(alt: str, contents: FlexBubble | FlexCarousel) -> FlexMessage:
    """A Flex message with its Thai alt text within LINE's limit."""
    return FlexMessage(alt_text=alt if len(alt) <= MAX_ALT_TEXT else alt[: MAX_ALT_TEXT - 1] + "…", contents=contents)


def row(label: str, value: str, colour: str | None = None, *, widths: tuple[int, int] = (2, 4)) -> FlexBox:
    """A label and its value side by side (relative widths), wrapping on narrow phones."""
    return FlexBox(
        layout="horizontal",
        spacing="sm",
        margin="sm",
        contents=[
            FlexText(text=label, size="sm", color=MUTED, flex=widths[0], wrap=True),
            FlexText(
                text=value or "-", size="sm", flex=widths[1], wrap=True, color=colour, weight="bold" if colour else None
            ),
        ],
    )


def title(text: str) -> FlexText:
    """A card's bold title."""
    return FlexText(text=text, weight="bold", size="md", wrap=True, color=ACCENT)


def button(action: PostbackAction | MessageAction, *, primary: bool = False) -> FlexButton:
    """A small footer button."""
    return FlexButton(action=action, style="primary" if primary else "secondary", height="sm", margin="sm")


def age(days: int) -> str:
    """'วันนี้' or 'N วัน'."""
    return t.AGE_TODAY if days == 0 else t.AGE_DAYS.format(days=days)


# --- the newcomer -------------------------------------------------------------------------------


def newcomer() -> list[Message]:
    """Someone with no reports and no role: what the summary will show, with buttons to register or report."""
    return [TextMessage(text=t.NEWCOMER, quick_reply=quick(command(t.REPORT), command(t.REGISTER)))]


def no_reports_yet() -> list[Message]:
    """A registered volunteer who has not reported yet."""
    return [TextMessage(text=t.NO_REPORTS_YET, quick_reply=quick(command(t.REPORT)))]


# --- the volunteer's reports --------------------------------------------------------------------


def report_bubble(line: ReportLine) -> FlexBubble:
    """One report: reference, date, category, status, and its two buttons."""
    report = line.report
    stage = t.REPORT_STAGES[line.stage]
    return FlexBubble(
        size="kilo",
        body=FlexBox(
            layout="vertical",
            contents=[
                title(report.ref_no or "-"),
                row(t.REPORT_DATE, thai_date(report.started_at, short=True)),
                row(t.REPORT_CATEGORY, line.category or t.NO_CATEGORY),
                row(t.REPORT_STATUS, stage, t.STAGE_COLOURS[line.stage]),
            ],
        ),
        footer=FlexBox(
            layout="vertical",
            contents=[
                button(postback(t.SEE_DETAIL, NEWS_DETAIL_ACTION, id=report.id), primary=True),
                button(command(t.ADD_MORE, t.ADD_COMMAND.format(ref=report.ref_no))),
            ],
        ),
    )


def more_bubble(page: ReportPage) -> FlexBubble:
    """The last bubble of a page when older reports follow."""
    return FlexBubble(
        size="kilo",
        body=FlexBox(
            layout="vertical",
            contents=[
                title(t.MORE_TITLE.format(more=page.more)),
                FlexText(text=t.MORE_BODY, size="sm", color=MUTED, wrap=True, margin="md"),
            ],
        ),
        footer=FlexBox(
            layout="vertical", contents=[button(postback(t.SEE_MORE, NEWS_ACTION, page=page.page + 1), primary=True)]
        ),
    )


def report_carousel(page: ReportPage) -> list[Message]:
    """A page of the volunteer's reports as a carousel (ten at most, then "ดูเพิ่มเติม")."""
    if not page.lines:
        return [TextMessage(text=t.NO_MORE_REPORTS)]
    bubbles = [report_bubble(line) for line in page.lines]
    if page.more:
        bubbles.append(more_bubble(page))
    alt = t.REPORTS_ALT.format(total=page.total, page=page.page + 1)
    return [flex(alt, FlexCarousel(contents=bubbles))]


def report_detail(line: ReportLine) -> list[Message]:
    """What the volunteer sent in one report, and its history with dates."""
    report = line.report
    parts = [
        t.REPORT_DETAIL.format(
            ref=report.ref_no,
            when=thai_date(report.started_at, short=True),
            category=line.category or t.NO_CATEGORY,
            status=t.REPORT_STAGES[line.stage],
        )
    ]
    parts += _content(line)
    parts.append(t.DETAIL_HISTORY)
    for step in line.steps:
        stage = t.REPORT_STAGES[step.key]
        dated = step.at is not None
        shown = t.DETAIL_STEP.format(day=thai_date(step.at, short=True), stage=stage) if dated else None
        parts.append(shown or t.DETAIL_STEP_UNDATED.format(stage=stage))
    buttons = quick(command(t.ADD_MORE, t.ADD_COMMAND.format(ref=report.ref_no)), command(t.SUMMARY))
    return [TextMessage(text="\n".join(parts), quick_reply=buttons)]


def _content(line: ReportLine) -> list[str]:
    report = line.report
    if report.content_removed_at is not None:
        return [t.DETAIL_REMOVED]
    said = report_text(report)
    if len(said) > t.EXCERPT_CHARS:
        said = said[: t.EXCERPT_CHARS - 1].rstrip() + "…"
    named, mapped = report_place(report)
    if named:
        place = t.DETAIL_PLACE.format(place=named)
    elif mapped:
        place = t.DETAIL_PLACE_MAP
    elif report.district:
        place = t.DETAIL_PLACE.format(place=t.DETAIL_DISTRICT.format(district=report.district))
    else:
        place = t.DETAIL_NO_PLACE
    shown = t.DETAIL_TEXT.format(text=said) if said else t.DETAIL_NO_TEXT
    return [shown, place, t.DETAIL_PHOTOS.format(count=photo_count(report))]
