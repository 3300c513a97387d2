"""News reports: quiet listening in network groups, the guided one-to-one report, unsend and edits."""

from __future__ import annotations

import json
import math
from datetime import timedelta

from linebot.v3.messaging import LocationAction, Message, MessageAction, QuickReply, QuickReplyItem, TextMessage
from sqlalchemy import select

from handlers import categories, conversation
from handlers.context import Context
from handlers.groups import network_chat
from handlers.registry import Registry
from line import messages
from models import (
    Chat,
    Conversation,
    InboxEvent,
    MediaFile,
    MediaStatus,
    NewsReport,
    ReportCategory,
    ReportItem,
    ReportLink,
    ReportStatus,
)
from models.counters import next_number, report_ref
from models.settings import get_setting
from models.timeutil import be_year, to_bangkok
from texts import common
from texts import network as t

FLOW_REPORT = "report"
FLOW_ADD = "report_add"
MEDIA_KINDS = ("image", "video", "audio", "file")
REPORT_WORDS = (common.QUICK_REPORT,)
ADD_WORDS = ("เพิ่มข่าว",)
REDACTED = "[ผู้ส่งยกเลิกข้อความนี้]"


# --- building reports -------------------------------------------------------------------------


def new_report(ctx: Context, *, channel: str, chat: Chat | None, status: ReportStatus) -> NewsReport:
    """Open a report for the event's sender."""
    member = ctx.sender
    report = NewsReport(
        channel=channel,
        chat_id=chat.id if chat else None,
        reporter_id=member.id if member else None,
        sender_key=ctx.user_id or "pc",
        status=status,
        district=member.district if member else None,
        started_at=ctx.sent_at,
        last_item_at=ctx.sent_at,
    )
    if status == ReportStatus.NEW:
        assign_ref(ctx, report)
    ctx.session.add(report)
    ctx.session.flush()
    return report


def assign_ref(ctx: Context, report: NewsReport) -> None:
    """Give a report its reference number, e.g. NR-2569-000123 (Buddhist Era year of Bangkok time)."""
    year = be_year(to_bangkok(report.started_at).date())
    report.ref_no = report_ref(next_number(ctx.session, "NR", year), year)


def add_item(ctx: Context, report: NewsReport) -> ReportItem:
    """Record the event's message as part of a report (text, location, media, sticker or other)."""
    message = ctx.message
    kind = str(message.get("type") or "unknown")[:12]
    item = ReportItem(
        report_id=report.id,
        line_message_id=str(message["id"]) if message.get("id") else None,
        inbox_event_id=ctx.inbox_event_id,
        kind=kind,
        sent_at=ctx.sent_at,
    )
    if kind == "text":
        item.text = message.get("text")
    elif kind == "location":
        item.latitude, item.longitude = message.get("latitude"), message.get("longitude")
        item.address = " ".join(str(message[k]) for k in ("title", "address") if message.get(k)) or None
        if report.latitude is None and item.latitude is not None:
            report.latitude, report.longitude, report.place = item.latitude, item.longitude, item.address
    elif kind == "sticker":
        item.text = " ".join(message.get("keywords") or []) or None
    elif kind in MEDIA_KINDS:
        provider = message.get("contentProvider") or {"type": "line"}
        if provider.get("type") == "line" and item.line_message_id:
            item.media = _media(ctx, item.line_message_id, kind, message.get("fileName"))
        else:
            item.text = provider.get("originalContentUrl")
        item.image_set = message.get("imageSet")
    report.last_item_at = max(report.last_item_at, ctx.sent_at)
    ctx.session.add(item)
    ctx.session.flush()
    return item


def _media(ctx: Context, message_id: str, kind: str, file_name: str | None) -> MediaFile:
    """A pending download of a message's content (fetched by the worker right after the commit)."""
    existing = ctx.session.scalar(select(MediaFile).where(MediaFile.line_message_id == message_id))
    if existing is not None:
        return existing
    media = MediaFile(line_message_id=message_id, kind=kind, file_name=file_name, next_attempt_at=ctx.now)
    ctx.session.add(media)
    return media


def report_text(report: NewsReport) -> str:
    """All the visible text of a report, for category suggestions."""
    return "\n".join(item.text for item in report.items if item.text and item.kind == "text" and not item.unsent_at)


def refresh_suggestion(ctx: Context, report: NewsReport) -> None:
    """Suggest a category from the report's words; set it unless a person chose one."""
    ctx.session.flush()
    ctx.session.refresh(report, ["items"])
    suggestion = categories.suggest(ctx.session, report_text(report))
    report.suggested_category = suggestion
    if report.category_set_by is None:
        report.category_code = suggestion


def link_duplicates(ctx: Context, report: NewsReport) -> None:
    """Link reports near this one in place and time as possible duplicates."""
    if report.latitude is None or report.longitude is None or report.ref_no is None:
        return
    radius = float(get_setting(ctx.session, "network.duplicate_radius_m"))
    hours = float(get_setting(ctx.session, "network.duplicate_hours"))
    window = timedelta(hours=hours)
    others = ctx.session.scalars(
        select(NewsReport).where(
            NewsReport.id != report.id,
            NewsReport.latitude.is_not(None),
            NewsReport.ref_no.is_not(None),
            NewsReport.started_at.between(report.started_at - window, report.started_at + window),
        )
    )
    for other in others:
        distance = distance_m(report.latitude, report.longitude, other.latitude, other.longitude)
        if distance > radius:
            continue
        first, second = sorted((report.id, other.id))
        exists = ctx.session.scalar(
            select(ReportLink).where(ReportLink.report_id == first, ReportLink.other_id == second)
        )
        if exists is None:
            minutes = abs((report.started_at - other.started_at).total_seconds()) / 60
            ctx.session.add(ReportLink(report_id=first, other_id=second, distance_m=distance, minutes_apart=minutes))


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    radius = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


# --- listening in network groups -----------------------------------------------------------------


def _mentions_bot(ctx: Context) -> bool:
    mention = ctx.message.get("mention") or {}
    return any(m.get("isSelf") for m in mention.get("mentionees") or [] if isinstance(m, dict))


def _starts_new(ctx: Context) -> bool:
    text = ctx.text or ""
    return any(text.startswith(tag) for tag in get_setting(ctx.session, "network.new_report_tags"))


def listen_in_group(ctx: Context) -> list[Message] | None:
    """Gather messages in a registered network group into reports; quiet unless mentioned."""
    if ctx.chat_type not in ("group", "room"):
        return None
    chat = network_chat(ctx)
    if chat is None:
        redact_unregistered(ctx)
        return []
    if chat.purpose != "network":
        return []
    window = timedelta(minutes=float(get_setting(ctx.session, "network.burst_minutes")))
    report = None
    if not _starts_new(ctx):
        report = ctx.session.scalar(
            select(NewsReport)
            .where(
                NewsReport.chat_id == chat.id,
                NewsReport.sender_key == (ctx.user_id or "pc"),
                NewsReport.last_item_at >= ctx.sent_at - window,
                NewsReport.channel == "group",
            )
            .order_by(NewsReport.last_item_at.desc())
            .limit(1)
        )
    created = report is None
    if created:
        report = new_report(ctx, channel="group", chat=chat, status=ReportStatus.NEW)
    item = add_item(ctx, report)
    if item.kind == "text":
        refresh_suggestion(ctx, report)
    if item.kind == "location" or created:
        link_duplicates(ctx, report)
    if created and ctx.sender is not None and ctx.sender.is_friend:
        ctx.push_to(ctx.user_id, [messages.text(t.GROUP_REPORT_RECEIVED.format(group=chat.name, ref=report.ref_no))])
    return [messages.text(t.GROUP_MENTIONED)] if _mentions_bot(ctx) else []


def redact_unregistered(ctx: Context) -> None:
    """Unregistered groups are never logged: keep only the envelope of the inbox row, not the message."""
    if ctx.inbox_event_id is None or ctx.event_type != "message":
        return
    row = ctx.session.get(InboxEvent, ctx.inbox_event_id)
    if row is not None:
        raw = json.loads(row.payload)
        raw["message"] = {"id": ctx.message.get("id"), "type": ctx.message.get("type"), "redacted": "unregistered"}
        row.payload = json.dumps(raw, ensure_ascii=False)


# --- the guided one-to-one report ----------------------------------------------------------------


def _category_names(ctx: Context) -> list[str]:
    query = select(ReportCategory.name).where(ReportCategory.is_active).order_by(ReportCategory.sort_order)
    return list(ctx.session.scalars(query))[:12]


def start_report(ctx: Context) -> list[Message]:
    """'แจ้งข่าว' in a one-to-one chat: begin a guided report."""
    report = new_report(ctx, channel="direct", chat=None, status=ReportStatus.DRAFT)
    conversation.start(ctx, FLOW_REPORT, "category", {"report_id": report.id})
    return [messages.text(t.ASK_CATEGORY, [*_category_names(ctx), t.NOT_SURE])]


def _where_question() -> TextMessage:
    items = [
        QuickReplyItem(action=LocationAction(label=t.SEND_LOCATION)),
        QuickReplyItem(action=MessageAction(label=t.SKIP, text=t.SKIP)),
    ]
    return TextMessage(text=t.ASK_WHERE, quick_reply=QuickReply(items=items))


def on_report_step(ctx: Context) -> list[Message]:
    """Take the answer to the current step of a guided report."""
    flow = conversation.current(ctx)
    report = ctx.session.get(NewsReport, flow.data["report_id"])
    kind = ctx.message.get("type")
    text = ctx.text
    if kind not in ("text", "location", "sticker", *MEDIA_KINDS):
        add_item(ctx, report)
        return [messages.text(t.UNSUPPORTED_MESSAGE)]
    if text is not None and messages.utf16_length(text) > messages.MAX_TEXT_UTF16:
        add_item(ctx, report)
        return [messages.text(t.TOO_LONG)]
    step = flow.step
    if step == "category":
        return _take_category(ctx, flow, report, text)
    if step == "what":
        if kind in MEDIA_KINDS:
            add_item(ctx, report)
            return [messages.text(t.PHOTO_RECEIVED.format(kind=t.MEDIA_KINDS[kind], count=_media_count(report)))]
        if not text:
            return [messages.text(t.NEED_TEXT)]
        add_item(ctx, report)
        conversation.advance(flow, "where", what=text[:300])
        return [_where_question()]
    if step == "where":
        if kind == "location":
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
    if step == "photos":
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
        return [messages.text(t.ASK_PHOTOS, [t.DONE, t.NO_PHOTO])]
    if text == t.CONFIRM_YES:
        return _confirm(ctx, flow, report)
    return [_confirmation(ctx, flow, report)]


def _take_category(ctx: Context, flow: Conversation, report: NewsReport, text: str | None) -> list[Message]:
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


def _confirm(ctx: Context, flow: Conversation, report: NewsReport) -> list[Message]:
    report.status = ReportStatus.NEW
    assign_ref(ctx, report)
    refresh_suggestion(ctx, report)
    link_duplicates(ctx, report)
    conversation.finish(ctx, flow)
    return [messages.text(t.REPORT_SENT.format(ref=report.ref_no), [f"เพิ่มข่าว {report.ref_no}"])]


def withdraw(ctx: Context, flow: Conversation) -> None:
    """The reporter cancelled a guided report: keep it, marked withdrawn, for inspection."""
    report = ctx.session.get(NewsReport, flow.data.get("report_id"))
    if report is not None and report.status == ReportStatus.DRAFT:
        report.status = ReportStatus.WITHDRAWN


# --- adding to a report later ------------------------------------------------------------------


def start_adding(ctx: Context) -> list[Message]:
    """'เพิ่มข่าว NR-2569-000123': append the next messages to one of the sender's reports."""
    words = (ctx.text or "").split()
    ref = words[-1].upper() if len(words) > 1 else ""
    report = ctx.session.scalar(select(NewsReport).where(NewsReport.ref_no == ref))
    if report is None or ctx.sender is None or report.reporter_id != ctx.sender.id:
        return [messages.text(t.ADD_NOT_FOUND)]
    conversation.start(ctx, FLOW_ADD, "adding", {"report_id": report.id, "ref": report.ref_no})
    return [messages.text(t.ADD_START.format(ref=report.ref_no), [t.DONE])]


def on_add_step(ctx: Context) -> list[Message]:
    """Append one message to the report being added to, until 'เสร็จ'."""
    flow = conversation.current(ctx)
    report = ctx.session.get(NewsReport, flow.data["report_id"])
    ref = flow.data["ref"]
    if ctx.text == t.DONE:
        conversation.finish(ctx, flow)
        return [messages.text(t.ADD_DONE.format(ref=ref))]
    item = add_item(ctx, report)
    if item.kind == "text":
        refresh_suggestion(ctx, report)
    if item.kind == "location":
        link_duplicates(ctx, report)
    return [messages.text(t.ADD_RECEIVED.format(ref=ref), [t.DONE])]


# --- unsend and edits ----------------------------------------------------------------------------


def on_unsend(ctx: Context) -> list[Message]:
    """The sender unsent a message: hide its text and media from the report, and say so there."""
    message_id = str((ctx.event.get("unsend") or {}).get("messageId") or "")
    item = ctx.session.scalar(select(ReportItem).where(ReportItem.line_message_id == message_id))
    if item is None:
        return []
    item.unsent_at = ctx.now
    item.text = None
    item.latitude = item.longitude = None
    item.address = None
    if item.media is not None:
        item.media.status = MediaStatus.HIDDEN  # the worker deletes the files after the commit
    if item.inbox_event_id is not None:
        row = ctx.session.get(InboxEvent, item.inbox_event_id)
        if row is not None:
            raw = json.loads(row.payload)
            raw["message"] = {"id": message_id, "type": item.kind, "unsent": REDACTED}
            row.payload = json.dumps(raw, ensure_ascii=False)
    return []


def on_edited(ctx: Context) -> list[Message]:
    """A group message was edited: the report shows the new text."""
    message_id = str(ctx.message.get("id") or "")
    item = ctx.session.scalar(select(ReportItem).where(ReportItem.line_message_id == message_id))
    if item is not None and item.unsent_at is None and isinstance(ctx.message.get("text"), str):
        item.text = ctx.message["text"]
        item.edited_at = ctx.now
    return []


def register(registry: Registry) -> None:
    """Add the news report handlers to the registry."""
    registry.command(*REPORT_WORDS, chat_types={"user"})(start_report)
    registry.command(*ADD_WORDS, chat_types={"user"})(start_adding)
    registry.flow(FLOW_REPORT, on_cancel=withdraw)(on_report_step)
    registry.flow(FLOW_ADD)(on_add_step)
    registry.free_text(listen_in_group)
    registry.on_event("unsend")(on_unsend)
    registry.on_event("messageEdited")(on_edited)
