"""Nothing lost, nothing doubled: the webhook while the database is stopped, hung or locked.

LINE gives a webhook two seconds. Whatever the database does, a signed body must be answered
200 in time and kept (in the inbox, or else in the local spool), and once the database is back
every event must reach the inbox exactly once and be processed exactly once.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter

import pytest

from bot.inbox import parse_envelope, store_events
from bot.migrate import upgrade
from models import InboxEvent, InboxStatus
from tests import pg_cluster
from tests.harness import (
    SilentDatabase,
    close_app,
    envelope,
    inbox_rows,
    make_app,
    outbox_per_event,
    post_signed,
    redelivered,
    signed,
    text_event,
    user_id,
    wait_until,
)

LINE_DEADLINE = 2.0  # seconds LINE waits for the webhook's answer


def assert_each_once(services, events: list[dict]) -> dict[str, InboxEvent]:
    """Every event is in the inbox once, processed once, with exactly one answer queued."""
    rows = inbox_rows(services)
    stored = Counter(row.webhook_event_id for row in rows)
    sent = [event["webhookEventId"] for event in events]
    assert sorted(stored) == sorted(sent), "lost or unexpected events"
    assert set(stored.values()) == {1}, "an event was stored twice"
    by_id = {row.webhook_event_id: row for row in rows}
    answers = outbox_per_event(services)
    for event_id in sent:
        row = by_id[event_id]
        assert (row.status, row.attempts, row.last_error) == (InboxStatus.DONE, 1, None)
        assert answers[row.id] == 1, "an event was answered more or less than once"
    return by_id


@pytest.fixture
def private_pg():
    """A throwaway PostgreSQL cluster of this test's own, started; destroyed afterwards."""
    reason = pg_cluster.why_unavailable()
    if reason:
        pytest.skip(reason)
    cluster = pg_cluster.PgCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


def test_database_stopped_then_started(private_pg, tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDLINE_INSTANCE_DIR", str(tmp_path / "instance"))
    upgrade(private_pg.url())
    application = make_app(private_pg.url(), tmp_path / "spool", tmp_path / "media")
    services = application.extensions["fieldline"]
    services.worker.interval = 0.1
    client = application.test_client()
    try:
        before = [text_event(user_id(), "สวัสดี"), text_event(user_id(), "hello")]
        for event in before:
            assert post_signed(client, envelope(event))[0] == 200
        services.worker.start()
        wait_until(lambda: all(r.status == InboxStatus.DONE for r in inbox_rows(services)), message="first events")

        private_pg.stop("immediate")
        talkative = user_id()
        during = [text_event(user_id(), f"report {n}") for n in range(5)]
        bodies = [envelope(event) for event in during]
        pair = [text_event(talkative, "first"), text_event(talkative, "second"), text_event(user_id(), "other")]
        bodies.append(envelope(*pair))
        during += pair
        for body in bodies:
            status, elapsed = post_signed(client, body)
            assert status == 200
            assert elapsed < LINE_DEADLINE, f"answered after {elapsed:.2f} s with the database stopped"
        assert services.intake.spool.count() == len(bodies)

        private_pg.start()
        wait_until(
            lambda: (
                services.intake.spool.count() == 0
                and len(rows := inbox_rows(services)) == len(before) + len(during)
                and all(r.status == InboxStatus.DONE for r in rows)
            ),
            timeout=60,
            message="the spool to be replayed and every event processed",
        )
        by_id = assert_each_once(services, before + during)
        assert all(by_id[e["webhookEventId"]].via_spool for e in during)
        assert not any(by_id[e["webhookEventId"]].via_spool for e in before)
        first, second = (by_id[e["webhookEventId"]] for e in pair[:2])
        assert first.processed_at <= second.processed_at, "one chat's events processed out of order"

        # LINE redelivers a spooled event after the recovery: still one row, still processed once.
        services.worker.stop()
        assert post_signed(client, envelope(redelivered(during[0])))[0] == 200
        services.worker.run_once()  # replays it if it went to the spool, then processes what is due
        services.worker.run_once()
        assert services.intake.spool.count() == 0
        assert_each_once(services, before + during)
    finally:
        close_app(application)


def test_hung_database_answers_in_time_and_spool_replays_once(app, services, tmp_path, caplog):
    silent = SilentDatabase()
    hung = make_app(silent.url(), services.intake.spool.directory, tmp_path / "hung-media")
    event = text_event(user_id(), "ไฟดับที่ซอย 5")
    try:
        status, elapsed = post_signed(hung.test_client(), envelope(event))
        assert status == 200
        assert elapsed < LINE_DEADLINE, f"answered after {elapsed:.2f} s with a hung database"
        assert silent.accepted, "the app never reached the hung database"
        assert "did not answer within" in caplog.text
        assert services.intake.spool.count() == 1
        # While the database is known to hang, the next body goes straight to the spool.
        status, elapsed = post_signed(hung.test_client(), envelope(redelivered(event)))
        assert status == 200 and elapsed < LINE_DEADLINE
        assert services.intake.spool.count() == 2
    finally:
        silent.close()
        close_app(hung)

    # Another process with a working database shares the spool folder: `flask --app bot spool replay`.
    runner = app.test_cli_runner()
    result = runner.invoke(args=["spool", "replay"])
    assert result.exit_code == 0, result.output
    assert "replayed 2" in result.output
    assert services.intake.spool.count() == 0
    assert runner.invoke(args=["spool", "replay"]).exit_code == 0
    rows = inbox_rows(services)
    assert [(r.webhook_event_id, r.via_spool, r.status) for r in rows] == [
        (event["webhookEventId"], True, InboxStatus.PENDING)
    ]
    services.processor.process_due()
    assert_each_once(services, [event])


def test_sqlite_locked_past_the_deadline(tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDLINE_INSTANCE_DIR", str(tmp_path / "instance"))
    path = tmp_path / "locked.db"
    upgrade(f"sqlite:///{path}")
    application = make_app(f"sqlite:///{path}", tmp_path / "spool", tmp_path / "media")
    services = application.extensions["fieldline"]
    client = application.test_client()
    deadline = application.config["DB_DEADLINE_SECONDS"]
    event = text_event(user_id(), "locked out")
    locker = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        locker.execute("PRAGMA journal_mode=WAL")
        locker.execute("BEGIN EXCLUSIVE")
        locked_at = time.monotonic()
        status, elapsed = post_signed(client, envelope(event))
        assert status == 200
        assert elapsed < LINE_DEADLINE, f"answered after {elapsed:.2f} s with the database locked"
        assert services.intake.spool.count() == 1
        assert time.monotonic() - locked_at > deadline, "the lock was not held past the deadline"
        locker.execute("ROLLBACK")
    finally:
        locker.close()
    try:
        # The store that timed out may still finish now; the replay must not double it either way.
        assert services.intake.replay_spool() == 1
        assert services.intake.spool.count() == 0
        services.intake.close()  # let the late store finish, if it is still waiting
        assert [r.webhook_event_id for r in inbox_rows(services)] == [event["webhookEventId"]]
        services.processor.process_due()
        assert_each_once(services, [event])
    finally:
        close_app(application)


def test_replaying_a_body_again_stores_only_the_new_events(services):
    someone = user_id()
    first = [text_event(someone, f"ข้อความ {n}") for n in range(3)]
    overlapping = [redelivered(first[1]), redelivered(first[2]), text_event(someone, "ใหม่")]
    with services.sessions.begin() as session:
        assert store_events(session.connection(), parse_envelope(signed(envelope(*first))[0]), via_spool=True) == 3
    with services.sessions.begin() as session:
        assert store_events(session.connection(), parse_envelope(signed(envelope(*overlapping))[0])) == 1
    with services.sessions.begin() as session:
        assert store_events(session.connection(), parse_envelope(signed(envelope(*first, *overlapping))[0])) == 0
    rows = inbox_rows(services)
    assert [r.webhook_event_id for r in rows] == [e["webhookEventId"] for e in (*first, overlapping[2])]
    assert [r.via_spool for r in rows] == [True, True, True, False]
    assert [r.is_redelivery for r in rows] == [False] * 4  # the first copy stored is kept as it came
