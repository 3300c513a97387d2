"""Bad input never stalls the bot: a body or event that cannot be stored is kept aside once, alone.

The poison of 4 Dec 2026: a signed event holding a lone surrogate escape ("\\ud83d") raised
UnicodeEncodeError when stored; the intake took it for "database unavailable", spooled the whole batch,
the replay raised again on the same file for ever and the worker never processed another event.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DataError

from bot import intake as intake_module
from bot.inbox import MAX_ID_LENGTH, REASONS, database_unavailable, parse_envelope
from line.messenger import Messenger
from models import InboxEvent, InboxStatus, RejectedBody
from tests.conftest import TOKEN
from tests.harness import LineStub, envelope, inbox_rows, signed, text_event, user_id

LONE_SURROGATE = '"\\ud83d"'  # JSON's escape of half an emoji: valid JSON, not storable text


def poison_body(*siblings: dict) -> bytes:
    """A signed-ready body whose first event's text is a lone surrogate, then the siblings."""
    poisoned = text_event(user_id(), "PLACEHOLDER")
    body = json.dumps(envelope(poisoned, *siblings), ensure_ascii=False)
    return body.replace('"PLACEHOLDER"', LONE_SURROGATE).encode()


def post_raw(client, body: bytes):
    """POST bytes to /callback with LINE's signature over them."""
    from bot import signature
    from tests.conftest import SECRET

    headers = {"x-line-signature": signature.sign(SECRET, body), "content-type": "application/json"}
    return client.post("/callback", data=body, headers=headers)


def rejected(services) -> list[RejectedBody]:
    """Every rejected body or event, oldest first."""
    with services.sessions() as session:
        return list(session.scalars(select(RejectedBody).order_by(RejectedBody.id)))


@pytest.fixture
def line(services, monkeypatch):
    """A LINE stand-in the processor replies to."""
    stub = LineStub()
    monkeypatch.setattr(services.processor, "messenger", Messenger(TOKEN, stub.url))
    yield stub
    stub.close()


def test_a_lone_surrogate_is_stored_as_a_replacement_character_and_answered(client, services, line):
    normal = text_event(user_id(), "สวัสดีครับ")
    body = poison_body(normal)
    assert post_raw(client, body).status_code == 200
    assert services.intake.spool.count() == 0
    rows = inbox_rows(services)
    assert len(rows) == 2
    assert json.loads(rows[0].payload)["message"]["text"] == "\ufffd"
    assert not services.intake.database_down()
    assert services.processor.process_due() == 2
    assert {row.status for row in inbox_rows(services)} == {InboxStatus.DONE}
    assert len(line.reply_tokens) == 2 and set(line.reply_tokens.values()) == {1}


def test_an_id_longer_than_lines_is_kept_aside_and_its_sibling_stored(client, services, line):
    too_long = dict(text_event(user_id(), "ข่าว"), webhookEventId="X" * 300)
    normal = text_event(user_id(), "สวัสดีครับ")
    body, headers = signed(envelope(too_long, normal))
    for _ in range(2):  # LINE's redelivery keeps it once
        assert client.post("/callback", data=body, headers=headers).status_code == 200
    assert [json.loads(row.payload)["webhookEventId"] for row in inbox_rows(services)] == [normal["webhookEventId"]]
    kept = rejected(services)
    assert len(kept) == 1
    assert kept[0].reason == REASONS["bad_id"].format(field="webhookEventId", length=300)
    assert json.loads(kept[0].body)["webhookEventId"] == "X" * 300
    assert services.processor.process_due() == 1
    assert sum(line.reply_tokens.values()) == 1


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "too_deep"),
        (b'{"events": [' + b"[" * 40 + b"]" * 40 + b"]}", "event_not_object"),
        (b'{"events": [{"type": "message", "message": ' + b'{"a": ' * 40 + b"1" + b"}" * 40 + b"}]}", "too_deep"),
        (b'{"events": [], "n": ' + b"9" * 5000 + b"}", "not_json"),
        (b'{"events": "\xff\xfe\x00"}', "not_utf8"),
        (b'{"events": [], \x00 }', "not_json"),
    ],
    ids=["nested-arrays", "nested-event", "nested-object", "huge-integer", "bad-utf8", "nul"],
)
def test_hostile_bodies_are_400_kept_once_and_never_a_500(client, services, body, reason):
    for _ in range(2):
        response = post_raw(client, body)
        assert response.status_code == 400
        assert b"Traceback" not in response.data
    kept = rejected(services)
    assert len(kept) == 1
    assert kept[0].reason == REASONS[reason]
    assert "\x00" not in kept[0].body
    assert services.intake.spool.count() == 0
    assert not services.intake.database_down()


@pytest.mark.parametrize(
    "change",
    [
        {"type": "x" * 41},
        {"type": 7},
        {"mode": "active\x00"},
        {"source": {"type": "user", "userId": "U" * 65}},
        {"source": {"type": "user", "userId": "U\x00abc"}},
        {"source": {"type": "ผู้ใช้", "userId": "Uabc"}},
        {"webhookEventId": ["a"]},
        {"replyToken": "r" * 201},
    ],
)
def test_events_not_shaped_as_lines_are_refused_alone(change):
    parsed = parse_envelope(json.dumps(envelope(dict(text_event(user_id(), "x"), **change))).encode())
    assert parsed.events == [] and len(parsed.refused) == 1


def test_lines_own_sample_events_all_pass_the_checks(sample_events):
    parsed = parse_envelope(json.dumps(sample_events).encode())
    assert len(parsed.events) == len(sample_events["events"]) and parsed.refused == []
    assert all(len(event["webhookEventId"]) <= MAX_ID_LENGTH for event in parsed.events)


def test_a_batch_failing_on_its_data_stores_the_others_one_by_one(post_webhook, services, monkeypatch):
    """Only an unavailable database spools; a failure of one body's data keeps just that event aside."""
    real_insert = intake_module.store_events

    def refuse_the_bad_one(connection, *envelopes, **kwargs):
        if any(event["message"].get("text") == "เสีย" for env in envelopes for event in env.events):
            raise DataError("INSERT", {}, ValueError("value too long"))
        return real_insert(connection, *envelopes, **kwargs)

    monkeypatch.setattr(intake_module, "store_events", refuse_the_bad_one)
    good, bad = text_event(user_id(), "ปกติ"), text_event(user_id(), "เสีย")
    assert post_webhook(envelope(good, bad)).status_code == 200
    assert [json.loads(row.payload)["message"]["text"] for row in inbox_rows(services)] == ["ปกติ"]
    kept = rejected(services)
    assert len(kept) == 1 and kept[0].reason == REASONS["unstorable"].format(error="DataError")
    assert services.intake.spool.count() == 0
    assert not services.intake.database_down()


def test_only_connection_and_timeout_errors_count_as_an_unavailable_database():
    from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    assert database_unavailable(OperationalError("SELECT 1", {}, OSError("connection refused")))
    assert database_unavailable(PoolTimeout("QueuePool limit reached"))
    assert database_unavailable(DBAPIError("INSERT", {}, OSError("server closed the connection")))
    assert database_unavailable(ConnectionRefusedError())
    assert not database_unavailable(DataError("INSERT", {}, ValueError("value too long")))
    assert not database_unavailable(IntegrityError("INSERT", {}, ValueError("duplicate")))
    assert not database_unavailable(UnicodeEncodeError("utf-8", "\ud83d", 0, 1, "surrogates not allowed"))
    assert not database_unavailable(RecursionError())


def test_a_spooled_poison_body_replays_and_the_worker_goes_on(services, line):
    """The run of 4 Dec: a poison body in the spool used to stop every replay and every event after it."""
    normal = text_event(user_id(), "หลังจากนั้น")
    services.intake.spool.write(poison_body(), "webhook")
    services.intake.spool.write(signed(envelope(normal))[0], "webhook")
    assert services.worker.run_once() == 2
    assert services.intake.spool.count() == 0 and services.intake.spool.dead_count() == 0
    assert {row.status for row in inbox_rows(services)} == {InboxStatus.DONE}
    assert len(line.reply_tokens) == 2


def test_a_body_that_can_never_be_stored_becomes_a_dead_letter_and_blocks_nothing(services, line, monkeypatch):
    spool = services.intake.spool
    first, later = text_event(user_id(), "ติดอยู่"), text_event(user_id(), "ผ่าน")
    spool.write(signed(envelope(first))[0], "webhook")
    spool.write(signed(envelope(later))[0], "webhook")
    real = services.intake.store_isolated

    def fail_on_first(parsed, **kwargs):
        if parsed.events and parsed.events[0]["webhookEventId"] == first["webhookEventId"]:
            raise RuntimeError("a bug in storing this body")
        return real(parsed, **kwargs)

    monkeypatch.setattr(services.intake, "store_isolated", fail_on_first)
    assert services.worker.run_once() == 1
    assert spool.count() == 0
    [letter] = spool.dead_letters()
    assert letter.reason == "บันทึกลงฐานข้อมูลไม่ได้ (RuntimeError)"
    assert letter.kind == "webhook" and letter.failed_at is not None
    assert [json.loads(row.payload)["webhookEventId"] for row in inbox_rows(services)] == [later["webhookEventId"]]
    monkeypatch.undo()
    assert spool.requeue(letter.name)  # after the fix, the admin puts it back
    assert spool.dead_count() == 0
    assert services.worker.run_once() == 1
    assert len(inbox_rows(services)) == 2


def test_an_unreadable_spool_file_becomes_a_dead_letter(services):
    spool = services.intake.spool
    (spool.directory / "20261204T000000000000-torn.json").write_text('{"kind": "webhook", "bo')
    spool.write(signed(envelope(text_event(user_id(), "ต่อไป")))[0], "webhook")
    assert services.intake.replay_spool() == 1
    [letter] = spool.dead_letters()
    assert letter.reason == "ไฟล์สำรองเสียหาย อ่านไม่ได้"
    assert letter.failed_at is not None
    assert not spool.requeue(letter.name)  # nothing readable to replay
    assert spool.discard(letter.name) and spool.dead_count() == 0


def test_an_unavailable_database_keeps_the_spool_for_later_but_the_worker_still_processes(services, line, monkeypatch):
    from sqlalchemy.exc import OperationalError

    waiting = text_event(user_id(), "รออยู่ในกล่อง")
    with services.sessions.begin() as session:
        from bot.inbox import store_events

        store_events(session.connection(), parse_envelope(signed(envelope(waiting))[0]))
    services.intake.spool.write(signed(envelope(text_event(user_id(), "ในไฟล์สำรอง")))[0], "webhook")

    def down(*args, **kwargs):
        raise OperationalError("INSERT", {}, OSError("connection refused"))

    monkeypatch.setattr(services.intake, "store_isolated", down)
    assert services.worker.run_once() == 1  # the inbox's event, whatever the spool does
    assert services.intake.spool.count() == 1 and services.intake.spool.dead_count() == 0


def test_an_event_whose_transaction_cannot_commit_is_set_aside(services, line, monkeypatch):
    """A failure outside the handler's savepoint used to be claimed again and again, blocking the queue.

    The two events are handled in one batch: its transaction fails, so each is handled again alone, and
    only the event at fault is set aside.
    """
    from runtime import delivery

    first, second = text_event(user_id(), "หนึ่ง"), text_event(user_id(), "สอง")
    with services.sessions.begin() as session:
        from bot.inbox import store_events

        store_events(session.connection(), parse_envelope(signed(envelope(first, second))[0]))
    real_lease = delivery.lease

    def lease_fails_for_the_first(session, rows, now):
        if any(row.recipient == first["source"]["userId"] for row in rows):
            raise ValueError("a bug after the handler")
        return real_lease(session, rows, now)

    monkeypatch.setattr(delivery, "lease", lease_fails_for_the_first)
    assert services.processor.process_due() == 2
    statuses = {json.loads(row.payload)["message"]["text"]: row.status for row in inbox_rows(services)}
    assert statuses == {"หนึ่ง": InboxStatus.FAILED, "สอง": InboxStatus.DONE}
    with services.sessions() as session:
        failed = session.scalar(select(InboxEvent).where(InboxEvent.status == InboxStatus.FAILED))
    assert failed.attempts == 1 and "a bug after the handler" in failed.last_error


def test_the_admin_sees_dead_letters_and_puts_one_back(client, services):
    from models import AuditEntry, Role
    from tests.test_admin_support import login, make_staff

    make_staff(services, "ada", Role.ADMIN)
    login(client, "ada")
    admin = client

    spool = services.intake.spool
    spool.write_dead(signed(envelope(text_event(user_id(), "ข่าวที่ค้าง")))[0], "webhook", "บันทึกลงฐานข้อมูลไม่ได้ (X)")
    assert "บันทึกลงฐานข้อมูลไม่ได้ 1 รายการ" in admin.get("/admin/inbox/health").get_data(as_text=True)
    page = admin.get("/admin/dead-letters")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "บันทึกลงฐานข้อมูลไม่ได้ (X)" in html and "ข่าวที่ค้าง" in html
    when = html.split("<tbody>")[1].split("</td>")[1]
    assert "2569" in when and "+00:00" not in when  # a Buddhist Era date, not an ISO timestamp
    [letter] = spool.dead_letters()
    from tests.test_admin_support import csrf_token

    token = csrf_token(admin, "/admin/dead-letters")
    response = admin.post(f"/admin/dead-letters/{letter.name}/requeue", data={"csrf_token": token})
    assert response.status_code == 302
    assert spool.dead_count() == 0 and spool.count() == 1
    with services.sessions() as session:
        actions = set(session.scalars(select(AuditEntry.action)))
    assert {"view.dead_letters", "dead_letter.requeue"} <= actions
    assert admin.get("/healthz").get_json()["spool_backlog"] == 1


def test_dead_letters_are_not_for_viewers_and_names_cannot_escape_the_folder(client, services):
    from models import Role
    from tests.test_admin_support import login, make_staff

    make_staff(services, "vee", Role.VIEWER)
    login(client, "vee")
    assert client.get("/admin/dead-letters").status_code == 403
    assert not services.intake.spool.requeue("../spool.json")
    assert not services.intake.spool.discard("..%2Fx.json")


def test_the_cli_lists_dead_letters_and_puts_one_back(app, services):
    spool = services.intake.spool
    spool.write_dead(b'{"events": []}', "webhook", "บันทึกลงฐานข้อมูลไม่ได้ (X)")
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["spool", "dead-letters"])
    assert listed.exit_code == 0
    assert "บันทึกลงฐานข้อมูลไม่ได้ (X)" in listed.output and "ข้อมูลที่บันทึกไม่ได้ 1 รายการ" in listed.output
    name = listed.output.split("\t")[0]
    assert runner.invoke(args=["spool", "dead-letters", "--requeue", name]).exit_code == 0
    assert spool.dead_count() == 0 and spool.count() == 1
    assert runner.invoke(args=["spool", "dead-letters", "--requeue", name]).exit_code != 0


def test_old_dead_letters_are_purged_by_the_worker_after_the_rejected_bodies_period(services):
    import time_machine

    from models.timeutil import utcnow

    spool = services.intake.spool
    spool.write_dead(b'{"events": []}', "webhook", "เก่า")
    with time_machine.travel(utcnow() + timedelta(days=31), tick=False):
        spool.write_dead(b'{"events": [1]}', "webhook", "ใหม่")
        services.worker.run_once()
    assert [letter.reason for letter in spool.dead_letters()] == ["ใหม่"]
