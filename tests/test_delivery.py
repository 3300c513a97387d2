"""The outbox: reply while the token is fresh, push with a retry key otherwise, never twice, never lost.

A reply of unknown outcome (5xx, timeout, a crash mid-call) is sent again with its token while the
token is fresh; a refusal of the used token proves the first arrived; only an aged token leads to a push.
"""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from sqlalchemy import select

from line.messages import text
from line.messenger import LineApiError, Messenger
from models import OutboxStatus, OutgoingMessage
from models.retention import messages_marker
from models.timeutil import utcnow
from runtime import delivery
from tests.conftest import TOKEN
from tests.harness import wait_until

INVALID_TOKEN = '{"message":"Invalid reply token"}'


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


@pytest.mark.parametrize("attempts", [1, 3, 8])
def test_backoff_grows_and_is_capped(attempts):
    assert timedelta(seconds=5) <= delivery.backoff(attempts) <= timedelta(minutes=30)


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
    from line.messenger import Messenger

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
    assert caught.value.status == 0 and caught.value.reached is True  # it may have arrived: the token will tell


# --- a reply of unknown outcome: retried with its token, confirmed by a refusal, pushed only when it aged --------


def make_due(services) -> None:
    """Move every pending row's next attempt to now (instead of waiting for the backoff)."""
    with services.sessions.begin() as session:
        for row in session.scalars(select(OutgoingMessage).where(OutgoingMessage.status == OutboxStatus.PENDING)):
            row.next_attempt_at = utcnow()


def age_tokens(services) -> None:
    """The reply tokens of every row have aged (past the deadline LINE's minute allows for)."""
    with services.sessions.begin() as session:
        for row in session.scalars(select(OutgoingMessage)):
            row.reply_deadline = utcnow() - timedelta(seconds=1)


@pytest.mark.parametrize(
    "unknown",
    [LineApiError(500, "Internal server error"), LineApiError(503, "unavailable"), LineApiError(0, "ReadTimeoutError")],
    ids=["500", "503", "timeout"],
)
def test_a_reply_of_unknown_outcome_is_sent_again_with_its_token(services, unknown):
    enqueue(services)
    line = RecordingMessenger(reply_errors=[unknown])
    assert delivery.deliver_due(services.sessions, line) == 0
    row = rows(services)[0]
    assert (row.status, row.method) == (OutboxStatus.PENDING, delivery.REPLY_UNKNOWN)
    assert utcnow() < row.next_attempt_at <= utcnow() + timedelta(seconds=1.5)  # a second, not the push backoff
    assert row.next_attempt_at <= row.reply_deadline
    make_due(services)
    assert delivery.deliver_due(services.sessions, line) == 1
    assert line.calls == [("reply", "token-1", ["ตอบ 0"])] * 2  # the same token: LINE delivers it once at most
    row = rows(services)[0]
    assert (row.status, row.method, row.last_error, row.quota_cost) == (OutboxStatus.SENT, "reply", None, None)


def test_a_refused_token_after_an_unknown_outcome_proves_the_reply_arrived(services):
    enqueue(services)
    line = RecordingMessenger(reply_errors=[LineApiError(500, "oops"), LineApiError(400, INVALID_TOKEN)])
    delivery.deliver_due(services.sessions, line)
    make_due(services)
    assert delivery.deliver_due(services.sessions, line) == 1
    assert [call[0] for call in line.calls] == ["reply", "reply"]  # nothing pushed: it had arrived
    row = rows(services)[0]
    assert (row.status, row.method, row.quota_cost) == (OutboxStatus.SENT, delivery.REPLY_CONFIRMED, None)


def test_replies_are_retried_until_the_token_ages_then_pushed_with_the_retry_key(services):
    enqueue(services)
    line = RecordingMessenger(reply_errors=[LineApiError(502, "bad gateway")] * 4)
    for _ in range(4):
        delivery.deliver_due(services.sessions, line)
        make_due(services)
    assert [call[0] for call in line.calls] == ["reply"] * 4
    assert rows(services)[0].status == OutboxStatus.PENDING
    age_tokens(services)
    assert delivery.deliver_due(services.sessions, line) == 1
    row = rows(services)[0]
    assert line.calls[-1] == ("push", row.recipient, ["ตอบ 0"], row.retry_key)
    assert (row.status, row.method, row.attempts) == (OutboxStatus.SENT, delivery.PUSH_AFTER_REPLY, 5)
    assert row.quota_cost == 1


def test_a_retry_that_cannot_connect_leaves_the_outcome_unknown(services):
    enqueue(services)
    never = LineApiError(0, "NewConnectionError", reached=False)
    line = RecordingMessenger(reply_errors=[LineApiError(500, "oops"), never, LineApiError(429, "Too many requests")])
    for _ in range(3):
        delivery.deliver_due(services.sessions, line)
        make_due(services)
    assert [call[0] for call in line.calls] == ["reply"] * 3  # the first may have arrived: no push yet
    assert rows(services)[0].method == delivery.REPLY_UNKNOWN
    assert delivery.deliver_due(services.sessions, line) == 1
    assert rows(services)[0].method == "reply"


def test_retries_of_a_reply_leave_the_row_its_pushes(services):
    enqueue(services)
    line = RecordingMessenger(
        reply_errors=[LineApiError(500, "oops")] * 5, push_errors=[LineApiError(500, "oops")] * delivery.MAX_ATTEMPTS
    )
    for _ in range(5):
        delivery.deliver_due(services.sessions, line)
        make_due(services)
    age_tokens(services)
    for number in range(1, delivery.MAX_ATTEMPTS + 1):
        make_due(services)
        delivery.deliver_due(services.sessions, line)
        row = rows(services)[0]
        assert row.push_tries == number
        assert row.status == (OutboxStatus.PARKED if number == delivery.MAX_ATTEMPTS else OutboxStatus.PENDING)
    assert [call[0] for call in line.calls] == ["reply"] * 5 + ["push"] * delivery.MAX_ATTEMPTS
    assert len({call[3] for call in line.calls if call[0] == "push"}) == 1
    assert (row.attempts, row.method) == (5 + delivery.MAX_ATTEMPTS, delivery.REPLY_UNKNOWN)  # may have arrived


def test_a_reply_interrupted_by_a_crash_is_sent_again_while_its_token_is_fresh(services):
    (row_id,) = enqueue(services)
    with services.sessions.begin() as session:  # the state a crash during the reply call leaves
        row = session.get(OutgoingMessage, row_id)
        row.reply_attempted_at = utcnow()
        row.attempts = 1
    line = RecordingMessenger(reply_errors=[LineApiError(400, INVALID_TOKEN)])
    delivery.deliver_due(services.sessions, line)
    assert line.calls == [("reply", "token-1", ["ตอบ 0"])]  # LINE refuses the used token: it had arrived
    assert (rows(services)[0].status, rows(services)[0].method) == (OutboxStatus.SENT, delivery.REPLY_CONFIRMED)


def test_a_reply_interrupted_by_a_crash_is_pushed_when_its_token_aged(services):
    (row_id,) = enqueue(services)
    with services.sessions.begin() as session:
        row = session.get(OutgoingMessage, row_id)
        row.reply_attempted_at = utcnow() - timedelta(minutes=2)
        row.reply_deadline = utcnow() - timedelta(minutes=1)
        row.attempts = 1
    line = RecordingMessenger()
    assert delivery.deliver_due(services.sessions, line) == 1
    row = rows(services)[0]
    assert line.calls == [("push", row.recipient, ["ตอบ 0"], row.retry_key)]
    assert row.method == delivery.PUSH_AFTER_REPLY  # the secretariat sees that it may have arrived twice


def test_a_reply_is_leased_for_less_than_the_token_lives(services):
    (row_id,) = enqueue(services)
    with services.sessions.begin() as session:
        row = session.get(OutgoingMessage, row_id)
        delivery.lease(session, [row], utcnow())
        assert row.next_attempt_at < row.reply_deadline  # a crash mid-call is retried with the token


def test_reply_backoff_is_short_and_capped():
    assert [delivery.reply_backoff(n).total_seconds() for n in (1, 2, 3, 4, 9)] == [1, 2, 4, 8, 8]


def test_a_parked_row_is_requeued_with_its_retry_key_and_a_fresh_budget(services):
    enqueue(services, age=timedelta(minutes=5))
    line = RecordingMessenger(push_errors=[LineApiError(400, '{"message":"Failed to send messages"}')])
    delivery.deliver_due(services.sessions, line)
    row = rows(services)[0]
    assert row.status == OutboxStatus.FAILED
    with services.sessions.begin() as session:
        assert delivery.requeue(session, row.id, utcnow())
        assert not delivery.requeue(session, row.id, utcnow())  # pending already
    assert delivery.deliver_due(services.sessions, line) == 1
    again = rows(services)[0]
    assert (again.status, again.attempts, again.push_tries) == (OutboxStatus.SENT, 2, 1)
    assert line.calls[0][3] == line.calls[1][3] == row.retry_key


def test_a_row_whose_messages_were_removed_is_not_requeued(services):
    (row_id,) = enqueue(services, age=timedelta(minutes=5))
    with services.sessions.begin() as session:
        row = session.get(OutgoingMessage, row_id)
        row.status = OutboxStatus.PARKED
        row.messages = messages_marker(utcnow(), 90)
    with services.sessions.begin() as session:
        assert not delivery.requeue(session, row_id, utcnow())
        assert session.get(OutgoingMessage, row_id).status == OutboxStatus.PARKED


# --- the same against the LINE emulator, with faults injected (bot/emulator/faults.py) -------------------------


def bot_rows(line) -> list[OutgoingMessage]:
    return rows(line.services)


def test_emulator_reply_500_then_the_retry_delivers_once(line):
    alice = line.user("อาสา สมชาย")
    line.platform.faults.add("replyMessage", status=500)
    assert alice.says("ช่วยเหลือ") == []  # LINE failed; nothing arrived
    (row,) = bot_rows(line)
    assert (row.status, row.method) == (OutboxStatus.PENDING, delivery.REPLY_UNKNOWN)
    make_due(line.services)
    line.process()
    replies = line.deliveries(alice)
    assert [d.method for d in replies] == ["reply"] and len(replies[0].messages) == len(row.messages)
    assert (bot_rows(line)[0].status, bot_rows(line)[0].method) == (OutboxStatus.SENT, "reply")
    assert [c.outcome for c in line.platform.calls if c.operation_id == "replyMessage"] == ["fault", "ok"]


def test_emulator_reply_delivered_despite_500_is_confirmed_by_the_refused_token(line):
    alice = line.user("อาสา สมชาย")
    line.platform.faults.add("replyMessage", status=500, deliver=True)
    alice.says("ช่วยเหลือ")
    assert len(line.deliveries(alice)) == 1  # it did arrive; the bot only heard 500
    make_due(line.services)
    line.process()
    assert len(line.deliveries(alice)) == 1  # the retry was refused: nothing twice, nothing pushed
    replies = [(c.status, c.outcome) for c in line.platform.calls if c.operation_id == "replyMessage"]
    assert replies == [(500, "fault"), (400, "refused")]  # a refusal, not the bot's bug: it never heard
    assert not [c for c in line.platform.calls if c.operation_id == "pushMessage"]
    row = bot_rows(line)[0]
    assert (row.status, row.method) == (OutboxStatus.SENT, delivery.REPLY_CONFIRMED)


def test_emulator_reply_timeouts_until_the_token_ages_then_one_push(line):
    alice = line.user("อาสา สมชาย")
    messenger = Messenger(TOKEN, line.api_url, timeout=0.3)
    alice.says("ช่วยเหลือ", process=False)
    line.platform.faults.add("replyMessage", delay=1.0, count=3)  # LINE answers too late, delivering nothing
    line.services.processor.messenger = messenger
    line.process()
    for _ in range(2):
        make_due(line.services)
        delivery.deliver_due(line.services.sessions, messenger)
    assert line.platform.faults.waiting == 0  # three replies went out; the emulator records each when it answers
    wait_until(lambda: len([c for c in line.platform.calls if c.operation_id == "replyMessage"]) == 3, timeout=5)
    assert {c.outcome for c in line.platform.calls if c.operation_id == "replyMessage"} == {"fault"}
    assert line.deliveries(alice) == []
    age_tokens(line.services)
    line.clock.advance(seconds=61)
    line.platform.faults.add("pushMessage", delay=1.0, deliver=True)  # delivered, but the answer comes too late
    make_due(line.services)
    delivery.deliver_due(line.services.sessions, messenger)
    row = bot_rows(line)[0]
    assert row.status == OutboxStatus.PENDING and row.push_tries == 1
    make_due(line.services)
    assert delivery.deliver_due(line.services.sessions, messenger) == 1
    wait_until(lambda: len([c for c in line.platform.calls if c.operation_id == "pushMessage"]) == 2, timeout=5)
    pushes = [c for c in line.platform.calls if c.operation_id == "pushMessage"]
    assert sorted((c.status, c.outcome, c.retry_key) for c in pushes) == [
        (409, "refused", row.retry_key),  # the retry: LINE had accepted the key, so it is not delivered again
        (500, "fault", row.retry_key),  # delivered, answered after the bot gave up
    ]
    assert [d.method for d in line.deliveries(alice)] == ["push"]  # once, though pushed twice
    row = bot_rows(line)[0]
    assert (row.status, row.method) == (OutboxStatus.SENT, delivery.PUSH_AFTER_REPLY)
    messenger.api.api_client.rest_client.pool_manager.clear()


def test_emulator_rate_limited_reply_is_pushed_at_once(line):
    alice = line.user("อาสา สมชาย")
    line.platform.faults.add("replyMessage", status=429)
    replies = alice.says("ช่วยเหลือ")
    assert replies.methods == ["push"]
    assert (bot_rows(line)[0].status, bot_rows(line)[0].method) == (OutboxStatus.SENT, "push")
