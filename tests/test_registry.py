"""Routing order: conversation state, postback, command, free text, help."""

from __future__ import annotations

from datetime import UTC, datetime

from handlers.context import Context
from handlers.registry import Registry, interrupts_flows
from line.messages import text
from models import Conversation

USER = "U" + "1" * 32
NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


def event(kind="message", *, message_text=None, data=None, source=None):
    body = {"type": kind, "source": source or {"type": "user", "userId": USER}}
    if message_text is not None:
        body["message"] = {"type": "text", "id": "1", "text": message_text}
    if data is not None:
        body["postback"] = {"data": data}
    return body


def said(registry, session, body):
    return [m.text for m in registry.dispatch(Context(session=session, event=body, now=NOW))]


def build():
    registry = Registry()
    registry.flow("register")(lambda ctx: [text("flow")])
    registry.postback("approve")(lambda ctx: [text("postback")])
    registry.command("สถานะ")(lambda ctx: [text("command")])
    registry.command("กลุ่มเท่านั้น", chat_types={"group"})(lambda ctx: [text("group command")])
    registry.command("ยกเลิก")(interrupts_flows(lambda ctx: [text("cancel")]))
    registry.free_text(lambda ctx: [text("free")] if (ctx.text or "").startswith("#ข่าว") else None)
    registry.help(lambda ctx: [text("help")])
    registry.on_event("follow")(lambda ctx: [text("hello")])
    return registry


def test_order_without_a_conversation(services):
    registry = build()
    with services.sessions() as session:
        assert said(registry, session, event(message_text="สถานะ")) == ["command"]
        assert said(registry, session, event(message_text="สถานะ ของฉัน")) == ["command"]
        assert said(registry, session, event(message_text="สถานะการณ์")) == ["help"]  # a word, not a prefix
        assert said(registry, session, event(message_text="#ข่าว มีคนแปลกหน้า")) == ["free"]
        assert said(registry, session, event(message_text="อะไรนะ")) == ["help"]
        assert said(registry, session, event("postback", data="action=approve&id=3")) == ["postback"]
        assert said(registry, session, event("postback", data="action=unknown")) == []
        assert said(registry, session, event("follow")) == ["hello"]
        assert said(registry, session, event("beacon")) == []


def test_conversation_state_comes_first_but_cancel_interrupts(services):
    registry = build()
    with services.sessions.begin() as session:
        session.add(Conversation(line_user_id=USER, flow="register", step="name", data={}))
        session.flush()
        assert said(registry, session, event(message_text="สถานะ")) == ["flow"]
        assert said(registry, session, event(message_text="ยกเลิก")) == ["cancel"]
        assert said(registry, session, event("postback", data="action=other")) == ["flow"]


def test_groups_get_no_help_and_commands_respect_chat_types(services):
    registry = build()
    group = {"type": "group", "groupId": "C" + "2" * 32, "userId": USER}
    with services.sessions() as session:
        assert said(registry, session, event(message_text="คุยกันเอง", source=group)) == []
        assert said(registry, session, event(message_text="กลุ่มเท่านั้น", source=group)) == ["group command"]
        assert said(registry, session, event(message_text="กลุ่มเท่านั้น")) == ["help"]
