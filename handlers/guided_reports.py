"""The guided one-to-one news report ('แจ้งข่าว': category ► what ► where ► photos ► confirm) and adding to a
report later ('เพิ่มข่าว NR-2569-000123' ► messages ► 'เสร็จ')."""

from __future__ import annotations

from functools import partial

from linebot.v3.messaging import LocationAction, Message, MessageAction, QuickReply, QuickReplyItem, TextMessage
from sqlalchemy import select

from handlers import conversation
from handlers.context import Context
from handlers.news_reports import MEDIA_KINDS, add_item, assign_ref, new_report, refresh_suggestion
from handlers.registry import Registry
from line import messages
from models import Conversation, NewsReport, ReportCategory, ReportStatus
from services.network.news_reports import link_duplicates
from texts import common
from texts import network as t

FLOW_REPORT = "report"
FLOW_ADD = "report_add"
REPORT_WORDS = (common.QUICK_REPORT,)
ADD_WORDS = ("เพิ่มข่าว",)


# --- the guided one-to-one report ----------------------------------------------------------------


def _category_names(ctx: Context) -> list[str]:
    query = select(ReportCategory.name).where(ReportCategory.is_active).order_by(ReportCategory.sort_order)
    return list(ctx.session.scalars(query))[:12]


def start_report(ctx: Context, registry: Registry) -> list[Message]:
    """'แจ้งข่าว' in a one-to-one chat: begin a guided report."""
    report = new_report(ctx, channel="direct", chat=None, status=ReportStatus.DRAFT)
    registry.start_flow(ctx, FLOW_REPORT, "category", {"report_id": report.id})
    return [messages.text(t.ASK_CATEGORY, [*_category_names(ctx), t.NOT_SURE])]


def _where_question() -> TextMessage:
    items = [
        QuickReplyItem(action=LocationAction(label=t.SEND_LOCATION)),
        QuickReplyItem(action=MessageAction(label=t.SKIP, text=t.SKIP)),
    ]
    return TextMessage(text=t.ASK_WHERE, quick_reply=QuickReply(items=items))


def _report(ctx: Context, flow: Conversation) -> NewsReport:
    return ctx.session.get(NewsReport, flow.data["report_id"])


def _kept_aside(ctx: Context, flow: Conversation) -> list[Message] | None:
    """Before every step: keep a message no step can take (unsupported, too long) and say why."""
    text = ctx.text
    if ctx.message.get("type") not in ("text", "location", "sticker", *MEDIA_KINDS):
        add_item(ctx, _report(ctx, flow))
        return [messages.text(t.UNSUPPORTED_MESSAGE)]
    if text is not None and messages.utf16_length(text) > messages.MAX_TEXT_UTF16:
        add_item(ctx, _report(ctx, flow))
        return [messages.text(t.TOO_LONG)]
    return None


def _take_category(ctx: Context, flow: Conversation) -> list[Message]:
    report, text = _report(ctx, flow), ctx.text
    chosen = ctx.session.scalar(select(ReportCategory).where(ReportCategory.name == text)) if text else None
    if chosen is not None:
        report.category_code, report.category_set_by = chosen.code, "reporter"
    elif text != t.NOT_SURE:
        if text or ctx.message.get("type") in MEDIA_KINDS:
            add_item(ctx, report)  # they started telling the news straight away: keep it, move on
        if text:
            conversation.advance(flow, "where", what=text[:300])
            return [_where_question()]
    conversation.advance(flow, "what")
    return [messages.text(t.ASK_WHAT)]


def _take_what(ctx: Context, flow: Conversation) -> list[Message]:
    report, kind = _report(ctx, flow), ctx.message.get("type")
    if kind in MEDIA_KINDS:
        add_item(ctx, report)
        return [messages.text(t.PHOTO_RECEIVED.format(kind=t.MEDIA_KINDS[kind], count=_media_count(report)))]
    if not ctx.text:
        return [messages.text(t.NEED_TEXT)]
    add_item(ctx, report)
    conversation.advance(flow, "where", what=ctx.text[:300])
    return [_where_question()]


def _take_where(ctx: Context, flow: Conversation) -> list[Message]:
    report, text = _report(ctx, flow), ctx.text
    if ctx.message.get("type") == "location":
        add_item(ctx, report)
        conversation.advance(flow, "photos", where=report.place or f"{report.latitude:.5f}, {report.longitude:.5f}")
    elif text == t.SKIP:
        conversation.advance(flow, "photos", where="-")
    elif text:
        add_item(ctx, report)
        report.place = text[:500]
        conversation.advance(flow, "photos", where=text[:200])
    else:
        return [_where_question()]
    return [messages.text(t.ASK_PHOTOS, [t.DONE, t.NO_PHOTO])]


def _take_photos(ctx: Context, flow: Conversation) -> list[Message]:
    report, kind, text = _report(ctx, flow), ctx.message.get("type"), ctx.text
    if kind in MEDIA_KINDS:
        add_item(ctx, report)
        label = t.MEDIA_KINDS[kind]
        return [messages.text(t.PHOTO_RECEIVED.format(kind=label, count=_media_count(report)), [t.DONE])]
    if text in (t.DONE, t.NO_PHOTO):
        conversation.advance(flow, "confirm")
        return [_confirmation(ctx, flow, report)]
    if text:
        add_item(ctx, report)
    return [messages.text(t.ASK_PHOTOS, [t.DONE, t.NO_PHOTO])]


def _take_confirmation(ctx: Context, flow: Conversation) -> list[Message]:
    report = _report(ctx, flow)
    if ctx.text != t.CONFIRM_YES:
        return [_confirmation(ctx, flow, report)]
    report.status = ReportStatus.NEW
    assign_ref(ctx, report)
    refresh_suggestion(ctx, report)
    link_duplicates(ctx.session, report)
    conversation.finish(ctx, flow)
    return [messages.text(t.REPORT_SENT.format(ref=report.ref_no), [f"เพิ่มข่าว {report.ref_no}"])]


def _media_count(report: NewsReport) -> int:
    return sum(1 for item in report.items if item.kind in MEDIA_KINDS)


def _confirmation(ctx: Context, flow: Conversation, report: NewsReport) -> Message:
    category = ctx.session.get(ReportCategory, report.category_code) if report.category_code else None
    body = t.CONFIRM.format(
        category=category.name if category else t.NOT_SURE,
        what=flow.data.get("what", "-"),
        where=flow.data.get("where", "-"),
        media=_media_count(report),
    )
    return messages.text(body, [t.CONFIRM_YES, t.CANCEL])


def withdraw(ctx: Context, flow: Conversation) -> None:
    """The reporter cancelled a guided report: keep it, marked withdrawn, for inspection."""
    report = ctx.session.get(NewsReport, flow.data.get("report_id"))
    if report is not None and report.status == ReportStatus.DRAFT:
        report.status = ReportStatus.WITHDRAWN


# --- adding to a report later ------------------------------------------------------------------


def start_adding(ctx: Context, registry: Registry) -> list[Message]:
    """'เพิ่มข่าว NR-2569-000123': append the next messages to one of the sender's reports."""
    words = (ctx.text or "").split()
    ref = words[-1].upper() if len(words) > 1 else ""
    report = ctx.session.scalar(select(NewsReport).where(NewsReport.ref_no == ref))
    if report is None or ctx.sender is None or report.reporter_id != ctx.sender.id:
        return [messages.text(t.ADD_NOT_FOUND)]
    registry.start_flow(ctx, FLOW_ADD, "adding", {"report_id": report.id, "ref": report.ref_no})
    return [messages.text(t.ADD_START.format(ref=report.ref_no), [t.DONE])]


def _take_addition(ctx: Context, flow: Conversation) -> list[Message]:
    """Append one message to the report being added to, until 'เสร็จ'."""
    ref = flow.data["ref"]
    if ctx.text == t.DONE:
        conversation.finish(ctx, flow)
        return [messages.text(t.ADD_DONE.format(ref=ref))]
    report = _report(ctx, flow)
    item = add_item(ctx, report)
    if item.kind == "text":
        refresh_suggestion(ctx, report)
    if item.kind == "location":
        link_duplicates(ctx.session, report)
    return [messages.text(t.ADD_RECEIVED.format(ref=ref), [t.DONE])]


def register(registry: Registry) -> None:
    """Add the guided report and the adding flow to the registry."""
    registry.command(*REPORT_WORDS, chat_types={"user"})(partial(start_report, registry=registry))
    registry.command(*ADD_WORDS, chat_types={"user"})(partial(start_adding, registry=registry))
    registry.flow(
        FLOW_REPORT,
        steps={
            "category": _take_category,
            "what": _take_what,
            "where": _take_where,
            "photos": _take_photos,
            "confirm": _take_confirmation,
        },
        before=_kept_aside,
        on_cancel=withdraw,
    )
    registry.flow(FLOW_ADD, steps={"adding": _take_addition})
