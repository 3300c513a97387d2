"""The guided one-to-one news report ('แจ้งข่าว': category ► what ► where ► photos ► confirm) and adding to a
report later ('เพิ่มข่าว NR-2569-000123' ► messages ► 'เสร็จ')."""

from __future__ import annotations

from functools import partial

from linebot.v3.messaging import Message, MessageAction, QuickReply, QuickReplyItem, TextMessage
from sqlalchemy import select
from sqlalchemy.orm import object_session

from handlers import conversation
from handlers.context import Context
from handlers.news_reports import MEDIA_KINDS, add_item, assign_ref, new_report, refresh_suggestion
from handlers.registry import Registry
from line import messages
from line.network_cards import choice_list
from models import Conversation, NewsReport, ReportCategory, ReportItem, ReportStatus
from services.network.news_reports import link_duplicates
from texts import common
from texts import network as t

FLOW_REPORT = "report"
FLOW_ADD = "report_add"
REPORT_WORDS = (common.QUICK_REPORT,)
ADD_WORDS = ("เพิ่มข่าว",)
KNOWN_KINDS = ("text", "location", "sticker", *MEDIA_KINDS)


# --- the guided one-to-one report ----------------------------------------------------------------


def _category_names(ctx: Context) -> list[str]:
    query = select(ReportCategory.name).where(ReportCategory.is_active).order_by(ReportCategory.sort_order)
    return list(ctx.session.scalars(query))[:12]


def _category_question(ctx: Context) -> Message:
    """The categories as buttons; as a Flex list when a name would not fit a quick-reply label."""
    names = [*_category_names(ctx), t.NOT_SURE]
    if all(len(name) <= messages.MAX_LABEL for name in names):
        return messages.text(t.ASK_CATEGORY, names)
    return choice_list(t.ASK_CATEGORY, names, t.ASK_CATEGORY, quick=[t.CANCEL])


def start_report(ctx: Context, registry: Registry) -> list[Message]:
    """'แจ้งข่าว' in a one-to-one chat (even mid-way through something else): begin a guided report.

    Words typed after the command ('แจ้งข่าว มีคนแปลกหน้า...') are the news itself: kept, and not asked again.
    """
    report = new_report(ctx, channel="direct", chat=None, status=ReportStatus.DRAFT)
    rest = next((ctx.text[len(word) :].strip() for word in REPORT_WORDS if ctx.text.startswith(word)), "")
    data: dict = {"report_id": report.id}
    if rest:
        add_item(ctx, report)
        data["what"] = rest[:300]
    registry.start_flow(ctx, FLOW_REPORT, "category", data)
    return [_category_question(ctx)]


def report_from_draft(ctx: Context, registry: Registry, report: NewsReport) -> list[Message]:
    """Turn a draft of loose messages into a guided report at the category step, its items already in."""
    data: dict = {"report_id": report.id}
    said = " ".join(item.text for item in report.items if item.kind == "text" and item.text)
    if said:
        data["what"] = said[:300]
    if report.latitude is not None:
        data["where"] = _place_label(report)
    registry.start_flow(ctx, FLOW_REPORT, "category", data)
    return [_category_question(ctx)]


def _what_question(body: str = t.ASK_WHAT) -> Message:
    return messages.ask_photo(body)


def _where_question(body: str = t.ASK_WHERE) -> Message:
    return messages.ask_place(body, [t.SKIP], location_label=t.SEND_LOCATION)


def _photos_question(body: str = t.ASK_PHOTOS) -> Message:
    return messages.ask_photo(body, [t.DONE, t.NO_PHOTO])


def _report(ctx: Context, flow: Conversation) -> NewsReport:
    return ctx.session.get(NewsReport, flow.data["report_id"])


def _kind(ctx: Context) -> str:
    return str(ctx.message.get("type") or "")


def _kept_aside(ctx: Context, flow: Conversation) -> list[Message] | None:
    """Before every step: keep a message no step can take (unsupported, too long) and say why."""
    if ctx.event_type != "message":
        return None
    text = ctx.text
    if _kind(ctx) not in KNOWN_KINDS:
        kept_already(ctx) or add_item(ctx, _report(ctx, flow))
        return [messages.text(t.UNSUPPORTED_MESSAGE)]
    if text is not None and messages.utf16_length(text) > messages.MAX_TEXT_UTF16:
        kept_already(ctx) or add_item(ctx, _report(ctx, flow))
        return [messages.text(t.TOO_LONG)]
    return None


def _place_label(report: NewsReport) -> str:
    if report.place:
        return report.place[:200]
    return "-" if report.latitude is None else t.PLACE_ON_MAP


def kept_already(ctx: Context) -> ReportItem | None:
    """The report item of this very message if it was kept before (LINE may deliver a message twice)."""
    message_id = ctx.message.get("id")
    if not message_id:
        return None
    return ctx.session.scalar(select(ReportItem).where(ReportItem.line_message_id == str(message_id)))


def _keep(ctx: Context, flow: Conversation, report: NewsReport) -> ReportItem | None:
    """Keep any message in the report (never a postback); a location becomes the report's place."""
    if ctx.event_type != "message":
        return None
    item = kept_already(ctx) or add_item(ctx, report)
    if item.kind == "location" and item.latitude is not None:
        report.latitude, report.longitude, report.place = item.latitude, item.longitude, item.address
        conversation.advance(flow, flow.step, where=_place_label(report))
    return item


def _received(report: NewsReport, kind: str, template: str) -> str:
    return template.format(kind=t.MEDIA_KINDS[kind], count=_media_count(report))


def _after_category(flow: Conversation) -> list[Message]:
    if flow.data.get("what"):
        return _after_what(flow)
    conversation.advance(flow, "what")
    return [_what_question()]


def _after_what(flow: Conversation) -> list[Message]:
    if flow.data.get("where"):
        conversation.advance(flow, "photos")
        return [_photos_question()]
    conversation.advance(flow, "where")
    return [_where_question()]


def _take_category(ctx: Context, flow: Conversation) -> list[Message]:
    report, text, kind = _report(ctx, flow), ctx.text, _kind(ctx)
    chosen = ctx.session.scalar(select(ReportCategory).where(ReportCategory.name == text)) if text else None
    if chosen is not None:
        report.category_code, report.category_set_by = chosen.code, "reporter"
        return _after_category(flow)
    if text == t.NOT_SURE:
        return _after_category(flow)
    _keep(ctx, flow, report)  # they started telling the news straight away: keep it, move on
    if text:
        conversation.advance(flow, "what", what=text[:300])
        return _after_what(flow)
    conversation.advance(flow, "what")
    if kind in MEDIA_KINDS:
        return [_what_question(_received(report, kind, t.PHOTO_KEPT_ASK_WHAT))]
    if kind == "location":
        return [_what_question(f"{t.PLACE_KEPT}\n{t.ASK_WHAT}")]
    return [_what_question()]


def _take_what(ctx: Context, flow: Conversation) -> list[Message]:
    report, kind, text = _report(ctx, flow), _kind(ctx), ctx.text
    _keep(ctx, flow, report)
    if text:
        conversation.advance(flow, "what", what=text[:300])
        return _after_what(flow)
    if kind in MEDIA_KINDS:
        return [_what_question(_received(report, kind, t.PHOTO_KEPT_ASK_WHAT))]
    if kind == "location":
        return [_what_question(f"{t.PLACE_KEPT}\n{t.ASK_WHAT}")]
    return [_what_question(t.NEED_TEXT)]


def _take_where(ctx: Context, flow: Conversation) -> list[Message]:
    report, kind, text = _report(ctx, flow), _kind(ctx), ctx.text
    if text == t.SKIP:
        conversation.advance(flow, "photos", where="-")
        return [_photos_question()]
    _keep(ctx, flow, report)
    if kind == "location":
        conversation.advance(flow, "photos")
    elif text:
        report.place = text[:500]
        conversation.advance(flow, "photos", where=text[:200])
    elif kind in MEDIA_KINDS:
        return [_where_question(_received(report, kind, t.PHOTO_KEPT_ASK_WHERE))]
    else:
        return [_where_question()]
    return [_photos_question()]


def _take_photos(ctx: Context, flow: Conversation) -> list[Message]:
    report, kind, text = _report(ctx, flow), _kind(ctx), ctx.text
    if text in (t.DONE, t.NO_PHOTO):
        conversation.advance(flow, "confirm")
        return [_confirmation(ctx, flow, report)]
    _keep(ctx, flow, report)
    if kind in MEDIA_KINDS:
        return [messages.ask_photo(_received(report, kind, t.PHOTO_RECEIVED), [t.DONE])]
    if kind == "location":
        return [_photos_question(f"{t.PLACE_KEPT}\n{t.ASK_PHOTOS}")]
    if text:
        return [_photos_question(f"{t.DETAIL_KEPT}\n{t.ASK_PHOTOS}")]
    return [_photos_question()]


def _take_confirmation(ctx: Context, flow: Conversation) -> list[Message]:
    report = _report(ctx, flow)
    if ctx.text != t.CONFIRM_YES:
        item = _keep(ctx, flow, report)
        notes = {"location": t.PLACE_KEPT, "text": t.DETAIL_KEPT}
        note = notes.get(item.kind) if item is not None else None
        return [*([messages.text(note)] if note else []), _confirmation(ctx, flow, report)]
    report.status = ReportStatus.NEW
    assign_ref(ctx, report)
    refresh_suggestion(ctx, report)
    link_duplicates(ctx.session, report)
    conversation.finish(ctx, flow)
    add = MessageAction(label=t.ADD_MORE, text=f"{ADD_WORDS[0]} {report.ref_no}")
    body = t.REPORT_SENT.format(ref=report.ref_no, add=t.ADD_MORE)
    return [TextMessage(text=body, quick_reply=QuickReply(items=[QuickReplyItem(action=add)]))]


def _media_count(report: NewsReport) -> int:
    session = object_session(report)
    kinds = select(ReportItem.kind).where(ReportItem.report_id == report.id)
    return sum(1 for kind in session.scalars(kinds) if kind in MEDIA_KINDS)


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
    return [messages.ask_photo_or_place(t.ADD_START.format(ref=report.ref_no), [t.DONE])]


def _take_addition(ctx: Context, flow: Conversation) -> list[Message]:
    """Append one message to the report being added to, until 'เสร็จ'."""
    ref = flow.data["ref"]
    if ctx.text == t.DONE:
        conversation.finish(ctx, flow)
        return [messages.text(t.ADD_DONE.format(ref=ref))]
    if ctx.event_type != "message":
        return [messages.ask_photo_or_place(t.ADD_START.format(ref=ref), [t.DONE])]
    report = _report(ctx, flow)
    item = add_item(ctx, report)
    if item.kind == "text":
        refresh_suggestion(ctx, report)
    if item.kind == "location":
        link_duplicates(ctx.session, report)
    return [messages.ask_photo_or_place(t.ADD_RECEIVED.format(ref=ref), [t.DONE])]


def register(registry: Registry) -> None:
    """Add the guided report and the adding flow to the registry."""
    registry.command(*REPORT_WORDS, chat_types={"user"}, interrupts=True)(partial(start_report, registry=registry))
    registry.command(*ADD_WORDS, chat_types={"user"}, interrupts=True)(partial(start_adding, registry=registry))
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
