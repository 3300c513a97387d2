"""Routing order: conversation state, postback, command, free text, help; flows as tables of steps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from handlers import conversation
from handlers.context import Context
from handlers.registry import Registry
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
    registry.flow("register", steps={"name": lambda ctx, state: [text("flow")]})
    registry.postback("approve")(lambda ctx: [text("postback")])
    registry.command("สถานะ")(lambda ctx: [text("command")])
    registry.command("กลุ่มเท่านั้น", chat_types={"group"})(lambda ctx: [text("group command")])
    registry.command("ยกเลิก", interrupts=True)(lambda ctx: [text("cancel")])
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
        assert said(registry, session, event("postback", data="action=unknown")) == ["help"]  # an old button: answered
        in_group = {"type": "group", "groupId": "C" + "1" * 32, "userId": USER}
        assert said(registry, session, event("postback", data="action=unknown", source=in_group)) == []
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


def ctx_of(session, body):
    return Context(session=session, event=body, now=NOW)


def state(session):
    row = session.scalar(select(Conversation).where(Conversation.line_user_id == USER))
    return None if row is None else (row.flow, row.step, row.data)


def survey(tidied: list[str]) -> Registry:
    """A two-step flow: a name (text only, checked before every step), then yes to finish."""
    registry = Registry()

    def take_name(ctx, conv):
        if len(ctx.text) < 2:
            return [text("too short")]  # staying on the step: neither advance nor finish
        conversation.advance(conv, "confirm", name=ctx.text)
        return [text(f"confirm {ctx.text}?")]

    def take_confirm(ctx, conv):
        if ctx.text != "yes":
            return [text(f"confirm {conv.data['name']}?")]
        conversation.finish(ctx, conv)
        return [text("saved")]

    def text_only(ctx, conv):
        return None if ctx.text is not None else [text("text please")]

    registry.flow(
        "survey",
        steps={"name": take_name, "confirm": take_confirm},
        before=text_only,
        on_cancel=lambda ctx, conv: tidied.append(f"survey at {conv.step}"),
    )
    registry.flow("other", steps={"only": lambda ctx, conv: [text("other")]})
    registry.command("ยกเลิก", interrupts=True)(lambda ctx: [text("cancelled")] if registry.cancel_flow(ctx) else [])
    return registry


def test_a_flow_walks_its_step_table(services):
    registry = survey([])
    with services.sessions.begin() as session:
        registry.start_flow(ctx_of(session, event(message_text="go")), "survey", "name", {"n": 1})
        assert said(registry, session, event(message_text="ก")) == ["too short"]
        assert state(session) == ("survey", "name", {"n": 1})
        sticker = {"type": "message", "source": {"type": "user", "userId": USER}, "message": {"type": "sticker"}}
        assert said(registry, session, sticker) == ["text please"]  # before: the step is not run
        assert said(registry, session, event(message_text="สมชาย")) == ["confirm สมชาย?"]
        assert state(session) == ("survey", "confirm", {"n": 1, "name": "สมชาย"})
        assert said(registry, session, event("postback", data="action=nobody")) == ["text please"]
        assert said(registry, session, event(message_text="yes")) == ["saved"]
        assert state(session) is None


def test_cancel_and_starting_another_flow_run_the_tidy_up(services):
    tidied: list[str] = []
    registry = survey(tidied)
    with services.sessions.begin() as session:
        registry.start_flow(ctx_of(session, event(message_text="go")), "survey", "name")
        said(registry, session, event(message_text="สมชาย"))
        assert said(registry, session, event(message_text="ยกเลิก")) == ["cancelled"]
        assert tidied == ["survey at confirm"] and state(session) is None

        registry.start_flow(ctx_of(session, event(message_text="go")), "survey", "name")
        registry.start_flow(ctx_of(session, event(message_text="go")), "survey", "name", {"again": True})
        assert tidied == ["survey at confirm"]  # restarting the same flow is no cancel
        registry.start_flow(ctx_of(session, event(message_text="go")), "other", "only")
        assert tidied == ["survey at confirm", "survey at name"]
        assert state(session) == ("other", "only", {})


def test_an_unknown_step_ends_the_conversation_and_steps_are_checked(services):
    registry = survey([])
    with services.sessions.begin() as session:
        session.add(Conversation(line_user_id=USER, flow="survey", step="gone", data={}))
        session.flush()
        assert said(registry, session, event(message_text="สมชาย")) == []
        assert state(session) is None
        with pytest.raises(ValueError):
            registry.start_flow(ctx_of(session, event(message_text="go")), "survey", "nowhere")
    with pytest.raises(ValueError):
        registry.flow("empty", steps={})
