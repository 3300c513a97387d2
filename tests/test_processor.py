"""The processor: each event handled once and in order per chat, failures retried then parked."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter, defaultdict
from datetime import timedelta

import time_machine
from sqlalchemy import select

from bot import processor as processor_module
from line.messages import text
from line.messenger import Messenger
from models import InboxEvent, InboxStatus, OutboxStatus, OutgoingMessage
from models.timeutil import utcnow
from tests.conftest import TOKEN
from tests.harness import (
    LineStub,
    close_app,
    envelope,
    group_id,
    inbox_rows,
    make_app,
    outbox_per_event,
    redelivered,
    text_event,
    user_id,
)

EVENTS = 200
CHATS = 8
THREADS = 4


class Recorder:
    """A handler for the command `seq`: remembers each call and answers with one message."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []  # (chat id, webhookEventId) in the order handled
        self._lock = threading.Lock()

    def __call__(self, ctx):
        with self._lock:
            self.calls.append((ctx.chat_id, ctx.event["webhookEventId"]))
        return [text(f"รับแล้ว {ctx.text}")]


def by_event_id(services) -> dict[str, InboxEvent]:
    """Inbox rows by webhookEventId (each expected once)."""
    rows = inbox_rows(services)
    assert len({r.webhook_event_id for r in rows}) == len(rows), "an event was stored twice"
    return {row.webhook_event_id: row for row in rows}


def outbox_rows(services) -> list[OutgoingMessage]:
    """Every outbox row in id order."""
    with services.sessions() as session:
        return list(session.scalars(select(OutgoingMessage).order_by(OutgoingMessage.id)))


def test_racing_processors_handle_each_event_once_in_chat_order(
    app, services, database_url, tmp_path, post_webhook, monkeypatch
):
    stub = LineStub()
    monkeypatch.setattr(services.processor, "messenger", Messenger(TOKEN, stub.url))
    other = make_app(database_url, tmp_path / "other-spool", tmp_path / "other-media", line_url=stub.url)
    recorder = Recorder()
    processors = []
    for application in (app, other):
        fieldline = application.extensions["fieldline"]
        fieldline.registry.command("seq")(recorder)
        processors.append(fieldline.processor)

    groups = [group_id() for _ in range(2)]
    chats = [(user_id(), None) for _ in range(CHATS - len(groups))] + [(None, g) for g in groups]
    start = int(time.time() * 1000) - 1000  # fresh reply tokens: LINE allows a minute
    events = []
    for n in range(EVENTS):
        user, group = chats[n % CHATS]
        events.append(text_event(user or user_id(), f"seq {n}", group=group, timestamp_ms=start + n))
    for first in range(0, EVENTS, 10):  # LINE batches several chats' events in one body
        assert post_webhook(envelope(*events[first : first + 10])).status_code == 200

    def finished() -> bool:
        rows = inbox_rows(services)
        outbox = outbox_rows(services)
        return (
            len(rows) == EVENTS
            and all(r.status != InboxStatus.PENDING for r in rows)
            and len(outbox) >= EVENTS
            and all(o.status != OutboxStatus.PENDING for o in outbox)
        )

    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def race(processor) -> None:
        try:
            barrier.wait(10)
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                if processor.process_due() == 0 and finished():
                    return
            raise AssertionError("the processors did not finish in time")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=race, args=(processors[n % 2],)) for n in range(THREADS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    finally:
        close_app(other)
        stub.close()
    assert not errors, errors

    rows = by_event_id(services)
    assert len(rows) == EVENTS
    assert {(r.status, r.attempts, r.last_error) for r in rows.values()} == {(InboxStatus.DONE, 1, None)}
    handled = Counter(event_id for _, event_id in recorder.calls)
    assert len(handled) == EVENTS and set(handled.values()) == {1}, "a handler ran twice (or never) for an event"

    answers = outbox_per_event(services)
    assert all(answers[row.id] == 1 for row in rows.values()), "an event queued its answer twice (or never)"
    outbox = outbox_rows(services)
    assert {(o.status, o.method) for o in outbox} == {(OutboxStatus.SENT, "reply")}
    assert sorted(stub.reply_tokens) == sorted(e["replyToken"] for e in events)
    assert set(stub.reply_tokens.values()) == {1}, "LINE was asked to reply twice with one token"
    assert not stub.pushes

    sent_order: dict[str, list[str]] = defaultdict(list)
    for event in events:
        source = event["source"]
        sent_order[source.get("groupId") or source["userId"]].append(event["webhookEventId"])
    handled_order: dict[str, list[str]] = defaultdict(list)
    for chat, event_id in recorder.calls:
        handled_order[chat].append(event_id)
    assert handled_order == sent_order, "a chat's events were handled out of order"
    inbox_by_row = {row.id: row.webhook_event_id for row in rows.values()}
    queued_order: dict[str, list[str]] = defaultdict(list)
    for row in outbox:
        queued_order[row.recipient].append(inbox_by_row[row.inbox_event_id])
    assert queued_order == sent_order, "a chat's answers were queued out of order"


def test_failing_handler_is_retried_with_backoff_then_parked(services, post_webhook, caplog):
    broken = {"now": True}
    recorder = Recorder()

    def flaky(ctx):
        if broken["now"]:
            ctx.session.add(OutgoingMessage(recipient="nobody", messages=[]))  # must be rolled back
            raise RuntimeError("district table unavailable")
        return recorder(ctx)

    services.registry.command("boom")(flaky)
    services.registry.command("seq")(recorder)
    reporter, bystander = user_id(), user_id()
    bad = text_event(reporter, "boom", timestamp_ms=int(time.time() * 1000) - 3)
    same_chat_later = text_event(reporter, "seq 1", timestamp_ms=bad["timestamp"] + 1)
    other_chat = text_event(bystander, "seq 2", timestamp_ms=bad["timestamp"] + 2)
    assert post_webhook(envelope(bad, same_chat_later, other_chat)).status_code == 200
    bad_id = bad["webhookEventId"]
    caplog.set_level(logging.WARNING, logger="bot.processor")

    with time_machine.travel(utcnow(), tick=False) as clock:
        assert services.processor.process_due() == 3
        rows = by_event_id(services)
        failed = rows[bad_id]
        assert failed.status == InboxStatus.FAILED and failed.attempts == 1
        assert "RuntimeError: district table unavailable" in failed.last_error
        assert failed.next_attempt_at == utcnow() + processor_module.retry_delay(1)
        # A failed event holds up nothing: the rest of its chat and other chats go on.
        for event in (same_chat_later, other_chat):
            assert (rows[event["webhookEventId"]].status, rows[event["webhookEventId"]].attempts) == (
                InboxStatus.DONE,
                1,
            )

        for attempt in range(2, processor_module.MAX_ATTEMPTS + 1):
            delay = processor_module.retry_delay(attempt - 1)
            clock.shift(delay - timedelta(seconds=1))
            assert services.processor.process_due() == 0, "retried before its backoff was over"
            assert by_event_id(services)[bad_id].attempts == attempt - 1
            clock.shift(timedelta(seconds=2))
            assert services.processor.process_due() == 1
            assert by_event_id(services)[bad_id].attempts == attempt
        assert [processor_module.retry_delay(n).total_seconds() for n in (1, 2, 3)] == [10, 40, 160]

        parked = by_event_id(services)[bad_id]
        assert parked.status == InboxStatus.PARKED
        assert parked.attempts == processor_module.MAX_ATTEMPTS
        assert "district table unavailable" in parked.last_error
        clock.shift(timedelta(days=2))
        assert services.processor.process_due() == 0, "a parked event was picked up again"

        messages = [r.getMessage() for r in caplog.records if r.name == "bot.processor"]
        assert sum("will retry" in m for m in messages) == processor_module.MAX_ATTEMPTS - 1
        assert sum("parked after" in m for m in messages) == 1
        assert not any(r.recipient == "nobody" for r in outbox_rows(services)), "a failed handler's writes stayed"

        # The admin's retry button puts it back; once the cause is fixed it is processed (once).
        broken["now"] = False
        with services.sessions.begin() as session:
            assert processor_module.retry(session, parked.id)
        assert services.processor.process_due() == 1
    done = by_event_id(services)[bad_id]
    assert (done.status, done.attempts, done.last_error) == (InboxStatus.DONE, 1, None)
    assert Counter(event_id for _, event_id in recorder.calls) == {
        bad_id: 1,
        same_chat_later["webhookEventId"]: 1,
        other_chat["webhookEventId"]: 1,
    }


def test_standby_events_are_stored_and_never_answered(services, post_webhook):
    recorder = Recorder()
    services.registry.command("seq")(recorder)
    quiet_user, quiet_group = user_id(), group_id()
    standby = [
        text_event(quiet_user, "seq 1", mode="standby"),
        text_event(user_id(), "seq 2", group=quiet_group, mode="standby"),
    ]
    active = text_event(user_id(), "seq 3")
    assert post_webhook(envelope(*standby, active)).status_code == 200
    assert post_webhook(envelope(redelivered(standby[0]))).status_code == 200
    assert services.processor.process_due() == 3
    assert services.processor.process_due() == 0

    rows = by_event_id(services)
    assert len(rows) == 3
    for event in standby:
        row = rows[event["webhookEventId"]]
        assert (row.status, row.attempts, row.mode) == (InboxStatus.IGNORED, 1, "standby")
        assert json.loads(row.payload) == event
    answers = outbox_per_event(services)
    assert not any(answers[rows[e["webhookEventId"]].id] for e in standby), "a standby event was answered"
    assert answers[rows[active["webhookEventId"]].id] == 1
    assert [event_id for _, event_id in recorder.calls] == [active["webhookEventId"]]


def test_unknown_event_types_are_kept_and_logged(services, post_webhook, caplog):
    caplog.set_level(logging.INFO)
    secret_words = "รายงานลับ ห้ามลง log"
    someone = user_id()
    novel_event = {
        **text_event(someone, secret_words),
        "type": "brandNewThing",
        "brandNewThing": {"detail": secret_words},
    }
    novel_message = text_event(someone, secret_words)
    novel_message["message"] = {"type": "hologram", "id": "42", "hologram": {"caption": secret_words}}
    novel_source = text_event(someone, secret_words)
    novel_source["source"] = {"type": "square", "squareChatId": "S" + "1" * 32, "userId": someone}
    events = [novel_event, novel_message, novel_source]
    assert post_webhook(envelope(*events)).status_code == 200
    assert services.processor.process_due() == 3

    rows = by_event_id(services)
    assert len(rows) == 3
    for event in events:
        row = rows[event["webhookEventId"]]
        assert row.status in (InboxStatus.DONE, InboxStatus.IGNORED) and row.attempts == 1
        assert json.loads(row.payload) == event, "the raw event was not kept as LINE sent it"
    assert rows[novel_event["webhookEventId"]].event_type == "brandNewThing"
    assert "brandNewThing" in caplog.text, "an unknown event type went by without a log line"
    assert secret_words not in caplog.text, "a message body reached the log"


def test_every_sample_event_is_processed_without_failure(services, post_webhook, sample_events):
    assert post_webhook(sample_events).status_code == 200
    while services.processor.process_due():
        pass
    rows = inbox_rows(services)
    assert len(rows) == 27
    outcomes = Counter((r.status, r.attempts) for r in rows)
    assert set(outcomes) <= {(InboxStatus.DONE, 1), (InboxStatus.IGNORED, 1)}, [
        (r.event_type, r.status, r.last_error) for r in rows if r.status not in (InboxStatus.DONE, InboxStatus.IGNORED)
    ]


def test_a_member_inserted_meanwhile_by_another_process_is_reused(services):
    from types import SimpleNamespace

    from sqlalchemy import select

    from handlers.basics import _insert_once
    from models import Member

    line_id = "U" + "7" * 32
    with services.sessions.begin() as other:  # the other process got there first and committed
        other.add(Member(line_user_id=line_id, is_friend=True))
    with services.sessions.begin() as session:
        found = select(Member).where(Member.line_user_id == line_id)
        member = _insert_once(SimpleNamespace(session=session), Member(line_user_id=line_id, is_friend=False), found)
        assert member.is_friend is True  # theirs, not a second row; this transaction goes on
        assert session.scalar(select(Member.id).where(Member.line_user_id == line_id)) == member.id


def _handle_in_batches(services, monkeypatch, events: list[dict], size: int) -> list[str]:
    """Store the events as the webhook does, process them `size` chats at a time; the ids in the order handled."""
    from bot.inbox import parse_envelope, store_events
    from tests.harness import signed

    stub = LineStub()
    monkeypatch.setattr(services.processor, "messenger", Messenger(TOKEN, stub.url))
    recorder = Recorder()
    services.registry.command("seq")(recorder)
    with services.sessions.begin() as session:
        store_events(session.connection(), parse_envelope(signed(envelope(*events))[0]))
    try:
        while services.processor.process_batch(size):
            pass
        services.processor.record_sent()
    finally:
        stub.close()
    return [event_id for _, event_id in recorder.calls]


def test_an_overloaded_queue_answers_the_newest_chats_first_keeping_each_chats_order(services, monkeypatch):
    """Once the oldest event has waited OVERLOADED_AFTER, the chats writing now come first, each in its order."""
    now_ms = int(time.time() * 1000)
    early, late, fresh = user_id(), user_id(), user_id()
    events = [
        text_event(early, "seq 1", timestamp_ms=now_ms - 40_000),
        text_event(late, "seq 2", timestamp_ms=now_ms - 30_000),
        text_event(early, "seq 3", timestamp_ms=now_ms - 20_000),
        text_event(fresh, "seq 4", timestamp_ms=now_ms - 100),
        text_event(early, "seq 5", timestamp_ms=now_ms - 50),
    ]
    order = {event["webhookEventId"]: n for n, event in enumerate(events, start=1)}
    handled = [order[event_id] for event_id in _handle_in_batches(services, monkeypatch, events, 1)]
    # `early` wrote last, so its events come first, oldest first (1, 3, 5); then `fresh` (4); `late`,
    # who wrote longest ago, comes last (2).
    assert handled == [1, 3, 5, 4, 2]


def test_a_queue_that_keeps_up_is_taken_oldest_first(services, monkeypatch):
    now_ms = int(time.time() * 1000)
    events = [text_event(user_id(), f"seq {n}", timestamp_ms=now_ms - 3000 + n) for n in range(4)]
    handled = _handle_in_batches(services, monkeypatch, list(reversed(events)), 16)
    assert handled == [event["webhookEventId"] for event in events]
