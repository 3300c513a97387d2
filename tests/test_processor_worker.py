"""The background worker: a backlog (after an outage, or a burst) is worked off without pausing."""

from __future__ import annotations

import json
from datetime import timedelta

from bot import heartbeat
from bot import worker as worker_module
from bot.inbox import parse_envelope, store_events
from bot.worker import Worker
from line.messenger import Messenger
from models import InboxStatus, OutboxStatus
from models.timeutil import utcnow
from tests.conftest import TOKEN
from tests.harness import LineStub, envelope, inbox_rows, signed, text_event, user_id, wait_until
from tests.test_processor import outbox_rows

BACKLOG = 260  # more than one round of Processor.process_due (200) and of deliveries


def test_worker_drains_a_backlog_without_waiting_between_rounds(services, monkeypatch):
    stub = LineStub()
    monkeypatch.setattr(services.processor, "messenger", Messenger(TOKEN, stub.url))
    events = [text_event(user_id(), f"แจ้งเหตุ {n}") for n in range(BACKLOG)]
    with services.sessions.begin() as session:  # as a spool replay after an outage leaves it
        store_events(session.connection(), parse_envelope(signed(envelope(*events))[0]), via_spool=True)
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


def test_web_threads_leave_events_to_a_live_dedicated_worker(services, monkeypatch):
    stub = LineStub()
    monkeypatch.setattr(services.processor, "messenger", Messenger(TOKEN, stub.url))
    monkeypatch.setattr(heartbeat, "BEAT_EVERY", timedelta(0))  # look at the heartbeat on every round
    web = services.worker
    dedicated = Worker(services.intake, services.processor, dedicated=True)
    store(services, text_event(user_id(), "ข่าวที่หนึ่ง"))
    try:
        assert dedicated.run_once() == 1  # it beats its heartbeat, then processes
        store(services, text_event(user_id(), "ข่าวที่สอง"))
        assert web.run_once() == 0  # a dedicated worker is alive: the web thread leaves the event to it
        assert [r.status for r in inbox_rows(services)] == [InboxStatus.DONE, InboxStatus.PENDING]
        dedicated.stop()  # a clean stop withdraws the heartbeat: the web thread takes over at once
        assert web.run_once() == 1
        assert [r.status for r in inbox_rows(services)] == [InboxStatus.DONE, InboxStatus.DONE]
    finally:
        stub.close()


def test_a_dedicated_worker_that_stopped_beating_is_not_waited_for(services, monkeypatch):
    stub = LineStub()
    monkeypatch.setattr(services.processor, "messenger", Messenger(TOKEN, stub.url))
    monkeypatch.setattr(heartbeat, "BEAT_EVERY", timedelta(0))
    with services.sessions.begin() as session:  # a worker that crashed half a minute ago
        heartbeat.beat(session, "crashed-host:4242", utcnow() - heartbeat.ALIVE_WITHIN - timedelta(seconds=10))
    store(services, text_event(user_id(), "ข่าว"))
    try:
        assert services.worker.run_once() == 1
    finally:
        stub.close()


def store(services, *events) -> None:
    """Put events in the inbox as the webhook does."""
    with services.sessions.begin() as session:
        store_events(session.connection(), parse_envelope(signed(envelope(*events))[0]))


def test_a_flood_of_arrivals_slows_processing_until_it_passes(services, monkeypatch):
    """In a web process (and in a dedicated worker on SQLite) a flood is processed a few events a round."""
    stub = LineStub()
    monkeypatch.setattr(services.processor, "messenger", Messenger(TOKEN, stub.url))
    monkeypatch.setattr(worker_module, "ROUND", 20)
    monkeypatch.setattr(worker_module, "BURST_BATCH", 3)
    monkeypatch.setattr(worker_module, "BURST_RATE", 10.0)
    clock = [1000.0]
    monkeypatch.setattr(worker_module.time, "monotonic", lambda: clock[0])
    in_web = Worker(services.intake, services.processor, dedicated=False)
    assert in_web.paced
    rounds = []

    def round_after(seconds: float) -> None:
        clock[0] += seconds
        rounds.append((in_web.run_once(), in_web.bursting))

    try:
        store(services, *(text_event(user_id(), f"ข่าว {n}") for n in range(5)))
        round_after(1.0)  # a normal trickle: processed at once
        store(services, *(text_event(user_id(), f"ข่าวด่วน {n}") for n in range(40)))
        round_after(1.0)  # 40 arrived in a second: a flood, the webhook comes first
        round_after(1.0)  # only a few are processed while it lasts; nothing new arrived, so it is over
        round_after(1.0)  # the rest at full speed
    finally:
        in_web.stop()
        stub.close()
    assert rounds == [(5, False), (20, True), (3, False), (17, False)]
    assert all(r.status == InboxStatus.DONE for r in inbox_rows(services))


def test_a_dedicated_worker_is_paced_only_on_sqlite(services):
    """On PostgreSQL the kernel (nice 19) and MVCC keep the webhook fast; SQLite's one write lock needs pacing."""
    dedicated = Worker(services.intake, services.processor, dedicated=True)
    postgres = services.engine.dialect.name == "postgresql"
    assert dedicated.paced is not postgres
