"""The background worker: a backlog (after an outage, or a burst) is worked off without pausing."""

from __future__ import annotations

import json

from bot.inbox import parse_envelope, store_events
from bot.messenger import Messenger
from models import InboxStatus, OutboxStatus
from tests.conftest import TOKEN
from tests.harness import LineStub, envelope, inbox_rows, signed, text_event, user_id, wait_until
from tests.test_processor import outbox_rows

BACKLOG = 260  # more than one round of Processor.process_due (200) and of deliveries


def test_worker_drains_a_backlog_without_waiting_between_rounds(services, monkeypatch):
    stub = LineStub()
    monkeypatch.setattr(services.processor, "messenger", Messenger(TOKEN, stub.url))
    events = [text_event(user_id(), f"แจ้งเหตุ {n}") for n in range(BACKLOG)]
    with services.sessions.begin() as session:  # as a spool replay after an outage leaves it
        store_events(session, parse_envelope(signed(envelope(*events))[0]), via_spool=True)
    services.worker.interval = 3600  # only an idle worker may wait; this one has work
    try:
        services.worker.start()
        wait_until(
            lambda: (
                all(r.status == InboxStatus.DONE for r in inbox_rows(services))
                and all(o.status == OutboxStatus.SENT for o in outbox_rows(services))
            ),
            timeout=120,
            interval=0.2,
            message="the worker to process and deliver the whole backlog",
        )
    finally:
        services.worker.stop()
        stub.close()
    assert len(inbox_rows(services)) == BACKLOG
    assert len(outbox_rows(services)) == BACKLOG
    assert sorted(stub.reply_tokens) == sorted(e["replyToken"] for e in events)
    assert set(stub.reply_tokens.values()) == {1}
    assert json.loads(inbox_rows(services)[0].payload)["webhookEventId"] == events[0]["webhookEventId"]
