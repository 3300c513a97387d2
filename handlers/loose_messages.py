"""Messages sent outside any step in a one-to-one chat: never 'not understood', never lost.

A photo, video, file, location or free text no command took is kept in a DRAFT report (a burst within
``network.burst_minutes`` joins the same draft) and offered as news: start a guided report with it, add it
to the sender's latest report, or say it is not news (the draft is then kept, withdrawn). Greetings and
stickers with no draft open get a friendly help reply instead. Registered last among free-text handlers.
"""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from functools import partial
from urllib.parse import parse_qs

from linebot.v3.messaging import Message
from sqlalchemy import func, select

from handlers import conversation
from handlers.basics import show_help
from handlers.context import Context
from handlers.guided_reports import FLOW_REPORT, kept_already, report_from_draft
from handlers.news_reports import add_item, new_report, refresh_suggestion
from handlers.registry import Registry
from line import messages
from models import NewsReport, ReportItem, ReportStatus
from models.settings import get_setting
from services.network.news_reports import link_duplicates
from texts import common as t

ACTION_NEW = "loose_new"
ACTION_ADD = "loose_add"
ACTION_DROP = "loose_drop"
RECENT_REPORT_DAYS = 7
CLOSED_TO_ADDITIONS = (ReportStatus.DRAFT, ReportStatus.WITHDRAWN)
KEPT_CATEGORIES = ("L", "M", "N")  # letters, marks (Thai vowels and tones), numbers; the rest is decoration


def _plain(text: str) -> str:
    """The text casefolded, without spaces, punctuation, symbols or emoji."""
    return "".join(ch for ch in text.casefold() if unicodedata.category(ch)[0] in KEPT_CATEGORIES)


GREETINGS = frozenset(_plain(word) for word in (*t.GREETING_WORDS, *t.GREETING_TAILS))


def is_greeting(text: str) -> bool:
    """Whether a text is chit-chat: a greeting or thanks word, maybe with polite endings, or only emoji."""
    word = _plain(text)
    while word:
        if word in GREETINGS:
            return True
        tail = next((tail for tail in t.GREETING_TAILS if word.endswith(tail)), None)
        if tail is None:
            return False
        word = word[: -len(tail)]
    return True


def _open_draft(ctx: Context) -> NewsReport | None:
    """The sender's loose draft still within the burst window, if any."""
    window = timedelta(minutes=float(get_setting(ctx.session, "network.burst_minutes")))
    return ctx.session.scalar(
        select(NewsReport)
        .where(
            NewsReport.sender_key == ctx.user_id,
            NewsReport.channel == "direct",
            NewsReport.status == ReportStatus.DRAFT,
            NewsReport.last_item_at >= ctx.sent_at - window,
        )
        .order_by(NewsReport.last_item_at.desc())
        .limit(1)
    )


def _latest_report(ctx: Context) -> NewsReport | None:
    """The sender's own most recent report that can still take additions."""
    if ctx.sender is None:
        return None
    return ctx.session.scalar(
        select(NewsReport)
        .where(
            NewsReport.reporter_id == ctx.sender.id,
            NewsReport.ref_no.is_not(None),
            NewsReport.status.not_in(CLOSED_TO_ADDITIONS),
            NewsReport.last_item_at >= ctx.now - timedelta(days=RECENT_REPORT_DAYS),
        )
        .order_by(NewsReport.last_item_at.desc())
        .limit(1)
    )


def _offer(ctx: Context, draft: NewsReport, body: str) -> Message:
    """The question 'report it?' with its three answers as postback buttons."""
    choices = [(t.LOOSE_NEW_REPORT, {"action": ACTION_NEW, "draft": str(draft.id)})]
    latest = _latest_report(ctx)
    if latest is not None:
        choices.append((t.LOOSE_ADD_TO_LATEST, {"action": ACTION_ADD, "draft": str(draft.id), "to": str(latest.id)}))
    choices.append((t.LOOSE_NOT_NEWS, {"action": ACTION_DROP, "draft": str(draft.id)}))
    return messages.postback_choices(body, choices)


def keep_loose(ctx: Context) -> list[Message] | None:
    """A one-to-one message nothing else took: keep it in a draft and offer it as news (else pass)."""
    if not ctx.is_direct or ctx.event_type != "message" or ctx.user_id is None:
        return None
    if kept_already(ctx) is not None:
        return []  # the same message delivered again: kept and answered the first time
    draft = _open_draft(ctx)
    kind = str(ctx.message.get("type") or "")
    if draft is None and (kind == "sticker" or (ctx.text is not None and is_greeting(ctx.text))):
        return [messages.text(t.GREETING_REPLY, [t.QUICK_REPORT, t.QUICK_HELP])]
    if draft is None:
        draft = new_report(ctx, channel="direct", chat=None, status=ReportStatus.DRAFT)
    item = add_item(ctx, draft)
    count = ctx.session.scalar(select(func.count()).select_from(ReportItem).where(ReportItem.report_id == draft.id))
    too_long = ctx.text is not None and messages.utf16_length(ctx.text) > messages.MAX_TEXT_UTF16
    body = (
        t.TEXT_TOO_LONG
        if too_long
        else t.LOOSE_KEPT.format(kind=t.LOOSE_KINDS.get(item.kind, t.LOOSE_KINDS["text"]), count=count)
    )
    return [_offer(ctx, draft, body)]


def _tapped(ctx: Context) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(ctx.postback_data or "").items() if values}


def _draft_tapped(ctx: Context) -> NewsReport | None:
    """The sender's own draft named by the tapped button, if it is still a draft."""
    try:
        draft = ctx.session.get(NewsReport, int(_tapped(ctx).get("draft", "0")))
    except ValueError:
        return None
    if draft is None or draft.sender_key != ctx.user_id or draft.status != ReportStatus.DRAFT:
        return None
    return draft


def _own_report(ctx: Context, report_id: str) -> NewsReport | None:
    """The sender's own report with this id, if it can still take additions."""
    report = ctx.session.get(NewsReport, int(report_id)) if report_id.isdigit() else None
    if report is None or ctx.sender is None or report.reporter_id != ctx.sender.id:
        return None
    return None if report.ref_no is None or report.status in CLOSED_TO_ADDITIONS else report


def _already_handled() -> list[Message]:
    return [messages.text(t.LOOSE_HANDLED_ALREADY, [t.QUICK_REPORT, t.QUICK_HELP])]


def report_it(ctx: Context, registry: Registry) -> list[Message]:
    """'แจ้งเป็นข่าวใหม่': the draft becomes a guided report, starting at the category step."""
    draft = _draft_tapped(ctx)
    if draft is None:
        return _already_handled()
    return report_from_draft(ctx, registry, draft)


def add_to_latest(ctx: Context) -> list[Message]:
    """'เพิ่มในข่าวล่าสุด': move the draft's items to the sender's recent report, like 'เพิ่มข่าว REF'."""
    draft, target = _draft_tapped(ctx), _own_report(ctx, _tapped(ctx).get("to", ""))
    if draft is None or target is None:
        return _already_handled()
    moved = list(draft.items)
    for item in moved:
        item.report = target
        if item.kind == "location" and target.latitude is None and item.latitude is not None:
            target.latitude, target.longitude, target.place = item.latitude, item.longitude, item.address
        target.last_item_at = max(target.last_item_at, item.sent_at)
    ctx.session.flush()
    ctx.session.delete(draft)
    refresh_suggestion(ctx, target)
    link_duplicates(ctx.session, target)
    return [messages.text(t.LOOSE_ADDED.format(ref=target.ref_no, count=len(moved)))]


def not_news(ctx: Context, registry: Registry) -> list[Message]:
    """'ไม่ใช่ข่าว': the draft is kept, withdrawn, for inspection; the help buttons follow."""
    draft = _draft_tapped(ctx)
    if draft is None:
        return _already_handled()
    current = conversation.current(ctx)
    if current is not None and current.flow == FLOW_REPORT and current.data.get("report_id") == draft.id:
        registry.cancel_flow(ctx)
    draft.status = ReportStatus.WITHDRAWN
    return [messages.text(t.LOOSE_DROPPED), *show_help(ctx)]


def register(registry: Registry) -> None:
    """Add the loose-message keeper (last free-text handler) and its three buttons."""
    registry.free_text(keep_loose)
    registry.postback(ACTION_NEW)(partial(report_it, registry=registry))
    registry.postback(ACTION_ADD)(add_to_latest)
    registry.postback(ACTION_DROP)(partial(not_news, registry=registry))
