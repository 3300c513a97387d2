"""The inbox's doorbell: a webhook stored by the web process wakes the worker process at once, not at its next look.

An idle dedicated worker here looks at the inbox only every 30 s; the event must still be processed in a
moment, because the intake rings (LISTEN/NOTIFY on PostgreSQL, a Unix datagram beside an SQLite file).
"""

from __future__ import annotations

import threading
import time

import pytest

from bot.worker import Worker
from line.messenger import Messenger
from models import InboxStatus
from runtime.doorbell import Doorbell, PostgresDoorbell, SocketDoorbell, doorbell_for, sqlite_folder
from tests.conftest import TOKEN
from tests.harness import LineStub, envelope, inbox_rows, text_event, user_id, wait_until


def _heard(doorbell: Doorbell) -> tuple[threading.Event, callable]:
    heard = threading.Event()
    stop = doorbell.listen(heard.set)
    return heard, stop


def test_a_ring_reaches_every_listener_of_the_same_sqlite_file_and_no_other(tmp_path):
    one = SocketDoorbell(sqlite_folder(f"sqlite:///{tmp_path}/a.db"))
    same = SocketDoorbell(sqlite_folder(f"sqlite:///{tmp_path}/./a.db"))
    other = SocketDoorbell(sqlite_folder(f"sqlite:///{tmp_path}/b.db"))
    heard_one, stop_one = _heard(one)
    heard_other, stop_other = _heard(other)
    try:
        started = time.monotonic()
        same.ring()
        assert heard_one.wait(2.0), "the worker of the same database file was not woken"
        assert time.monotonic() - started < 0.5
        assert not heard_other.wait(0.2)  # another database's worker sleeps on
    finally:
        stop_one()
        stop_other()


def test_a_ring_with_nobody_listening_is_harmless_and_forgets_sockets_of_ended_processes(tmp_path):
    bell = SocketDoorbell(tmp_path / "bell")
    bell.ring()  # no folder yet
    (tmp_path / "bell").mkdir()
    stale = tmp_path / "bell" / "999999-1.sock"
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as gone:
        gone.bind(str(stale))  # bound, then closed: its process has ended
    bell.ring()
    assert not stale.exists()
    assert type(doorbell_for("sqlite://")) is Doorbell  # in memory: no other process to wake


def test_postgres_notifies_a_listener(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    bell = PostgresDoorbell(database_url)
    heard, stop = _heard(bell)
    try:
        assert heard.wait(5.0)  # the listener calls back once on connecting (what arrived before it listened)
        heard.clear()
        started = time.monotonic()
        bell.ring()
        assert heard.wait(5.0), "NOTIFY did not reach the listener"
        assert time.monotonic() - started < 1.0
        heard.clear()
        bell.ring()  # the bell keeps its connection for the next ring
        assert heard.wait(5.0)
    finally:
        stop()
        bell.close()


def test_an_idle_worker_process_answers_a_stored_event_at_once(services, client, post_webhook, monkeypatch):
    stub = LineStub()
    monkeypatch.setattr(services.processor, "messenger", Messenger(TOKEN, stub.url))
    dedicated = Worker(services.intake, services.processor, dedicated=True, interval=30.0)
    try:
        dedicated.start()
        stop = services.doorbell.listen(dedicated.wake)
        time.sleep(1.0)  # the first round is done and the worker is idle, its next look 30 s away
        started = time.monotonic()
        assert post_webhook(envelope(text_event(user_id(), "สวัสดีครับ"))).status_code == 200
        wait_until(
            lambda: [row for row in inbox_rows(services) if row.status == InboxStatus.DONE],
            timeout=10,
            interval=0.02,
            message="the idle worker to be woken by the doorbell",
        )
        waited = time.monotonic() - started
    finally:
        stop()
        dedicated.stop()
        stub.close()
    assert waited < 5.0, f"the event waited {waited:.2f} s: the worker was not woken"
