"""The outbox: reply while the token is fresh, push with a retry key otherwise, never twice."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import delivery
from bot.messenger import LineApiError
from handlers.messages import text
from models import OutboxStatus, OutgoingMessage
from models.timeutil import utcnow


class RecordingMessenger:
    """Stands in for LINE: records calls and answers with scripted errors."""

    def __init__(self, reply_errors=(), push_errors=()):
        self.calls = []
        self.reply_errors = list(reply_errors)
        self.push_errors = list(push_errors)

    def reply(self, token, messages):
        self.calls.append(("reply", token, [m.text for m in messages]))
        if self.reply_errors:
            raise self.reply_errors.pop(0)

    def push(self, to, messages, retry_key):
        self.calls.append(("push", to, [m.text for m in messages], retry_key))
        if self.push_errors:
            raise self.push_errors.pop(0)


def enqueue(services, *, age: timedelta = timedelta(0), count: int = 1):
    with services.sessions.begin() as session:
        rows = delivery.enqueue(
            session,
            "U1234567890abcdef1234567890abcdef",
            [text(f"ตอบ {n}") for n in range(count)],
            reply_token="token-1",
            event_at=utcnow() - age,
        )
        return [row.id for row in rows]


def rows(services):
    with services.sessions() as session:
        return session.scalars(select(OutgoingMessage).order_by(OutgoingMessage.id)).all()


def test_fresh_token_replies_once(services):
    enqueue(services)
    line = RecordingMessenger()
    assert delivery.deliver_due(services.sessions, line) == 1
    assert delivery.deliver_due(services.sessions, line) == 0
    assert line.calls == [("reply", "token-1", ["ตอบ 0"])]
    assert rows(services)[0].status == OutboxStatus.SENT


def test_expired_token_pushes_with_the_rows_retry_key(services):
    enqueue(services, age=timedelta(minutes=2))
    line = RecordingMessenger()
    delivery.deliver_due(services.sessions, line)
    (call,) = line.calls
    assert call[0] == "push" and call[3] == rows(services)[0].retry_key
    assert rows(services)[0].method == "push"


def test_invalid_reply_token_falls_back_to_push(services):
    enqueue(services)
    line = RecordingMessenger(reply_errors=[LineApiError(400, '{"message":"Invalid reply token"}')])
    delivery.deliver_due(services.sessions, line)
    assert [call[0] for call in line.calls] == ["reply", "push"]
    assert rows(services)[0].status == OutboxStatus.SENT


def test_more_than_five_messages_reply_then_push(services):
    enqueue(services, count=7)
    line = RecordingMessenger()
    delivery.deliver_due(services.sessions, line)
    assert [(call[0], len(call[2])) for call in line.calls] == [("reply", 5), ("push", 2)]


def test_server_errors_are_retried_later_with_the_same_retry_key(services):
    enqueue(services, age=timedelta(minutes=5))
    line = RecordingMessenger(push_errors=[LineApiError(500, "oops"), LineApiError(429, "slow down")])
    delivery.deliver_due(services.sessions, line)
    row = rows(services)[0]
    assert row.status == OutboxStatus.PENDING and row.attempts == 1 and row.last_error.startswith("500")
    assert row.next_attempt_at > utcnow()
    assert delivery.deliver_due(services.sessions, line) == 0  # not due yet
    for _ in range(2):
        with services.sessions.begin() as session:
            session.get(OutgoingMessage, row.id).next_attempt_at = utcnow()
        delivery.deliver_due(services.sessions, line)
    assert rows(services)[0].status == OutboxStatus.SENT
    assert len(line.calls) == 3
    assert len({call[3] for call in line.calls}) == 1


def test_bad_request_is_not_retried(services):
    enqueue(services, age=timedelta(minutes=5))
    line = RecordingMessenger(push_errors=[LineApiError(400, '{"message":"The request body has 1 error(s)"}')])
    delivery.deliver_due(services.sessions, line)
    assert rows(services)[0].status == OutboxStatus.FAILED
    delivery.deliver_due(services.sessions, line)
    assert len(line.calls) == 1


def test_a_reply_interrupted_by_a_crash_is_not_sent_again(services):
    (row_id,) = enqueue(services)
    with services.sessions.begin() as session:  # the state a crash after the reply call leaves
        row = session.get(OutgoingMessage, row_id)
        row.reply_attempted_at = utcnow()
        row.attempts = 1
    line = RecordingMessenger()
    delivery.deliver_due(services.sessions, line)
    assert line.calls == []
    assert rows(services)[0].method == "reply-unconfirmed"


@pytest.mark.parametrize("attempts", [1, 3, 8])
def test_backoff_grows_and_is_capped(attempts):
    assert timedelta(seconds=5) <= delivery.backoff(attempts) <= timedelta(minutes=30)


def test_a_reply_lost_in_a_server_error_is_not_pushed_again(services):
    enqueue(services)
    line = RecordingMessenger(reply_errors=[LineApiError(503, "unavailable")])
    delivery.deliver_due(services.sessions, line)
    delivery.deliver_due(services.sessions, line)
    assert [call[0] for call in line.calls] == ["reply"]  # LINE may have delivered it: never twice
    assert rows(services)[0].method == "reply-unconfirmed"


def test_a_rate_limited_reply_falls_back_to_push(services):
    enqueue(services)
    line = RecordingMessenger(reply_errors=[LineApiError(429, "Too many requests")])
    delivery.deliver_due(services.sessions, line)
    assert [call[0] for call in line.calls] == ["reply", "push"]


def test_a_reply_that_never_reached_line_is_pushed(services):
    enqueue(services)
    line = RecordingMessenger(reply_errors=[LineApiError(0, "NewConnectionError", reached=False)])
    assert delivery.deliver_due(services.sessions, line) == 1
    assert [call[0] for call in line.calls] == ["reply", "push"]  # refused before sending: LINE got nothing
    assert rows(services)[0].method == "push"


def test_a_refused_connection_is_told_apart_from_a_timeout():
    from bot.messenger import Messenger

    with socket.socket() as probe:  # a port nothing listens on: the connection is refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    refused = Messenger("token", f"http://127.0.0.1:{port}", timeout=2)
    with pytest.raises(LineApiError) as caught:
        refused.reply("token-1", [text("ทดสอบ")])
    assert caught.value.status == 0 and caught.value.reached is False

    with socket.socket() as silent:  # accepts the connection, reads the request, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        slow = Messenger("token", f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.5)
        with pytest.raises(LineApiError) as caught:
            slow.reply("token-1", [text("ทดสอบ")])
    assert caught.value.status == 0 and caught.value.reached is True  # it may have arrived: never resent
