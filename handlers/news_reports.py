"""News reports: building them, quiet listening in network groups, unsend and edits (the guided one-to-one
report is handlers.guided_reports)."""

from __future__ import annotations

import json
from datetime import timedelta

from linebot.v3.messaging import Message
from sqlalchemy import select

from handlers import categories
from handlers.context import Context
from handlers.groups import network_chat
from handlers.registry import Registry
from line import messages
from models import (
    Chat,
    InboxEvent,
    MediaFile,
    MediaStatus,
    NewsReport,
    ReportItem,
    ReportStatus,
)
from models.counters import next_number, report_ref
from models.settings import get_setting
from models.timeutil import be_year, to_bangkok
from reports.news_text import report_text
from services.network.news_reports import link_duplicates
from texts import network as t

MEDIA_KINDS = ("image", "video", "audio", "file")
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
        item.text = str(message.get("text") or "").replace("\x00", "") or None  # PostgreSQL text takes no NUL
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


def refresh_suggestion(ctx: Context, report: NewsReport) -> None:
    """Suggest a category from the report's words; set it unless a person chose one."""
    ctx.session.flush()
    ctx.session.refresh(report, ["items"])
    suggestion = categories.suggest(ctx.session, report_text(report))
    report.suggested_category = suggestion
    if report.category_set_by is None:
        report.category_code = suggestion


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
        link_duplicates(ctx.session, report)
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
    registry.free_text(listen_in_group)
    registry.on_event("unsend")(on_unsend)
    registry.on_event("messageEdited")(on_edited)
