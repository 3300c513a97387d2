"""The webhook: signatures, storing each event once, malformed bodies, the Verify button."""

from __future__ import annotations

import copy
import json
import threading
import time

from sqlalchemy import func, select

from bot import signature
from models import InboxEvent, RejectedBody
from tests.conftest import SECRET


def count(services, model) -> int:
    """How many rows a table holds."""
    with services.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_signature_matches_line_test_vector():
    body = b'{"destination":"U8e742f61d673b39c7fff3cecb7536ef0","events":[]}'
    assert signature.sign(SECRET, body) == "GhRKmvmHys4Pi8DxkF4+EayaH0OqtJtaZxgTD9fMDLs="
    assert signature.is_valid(SECRET, body, "GhRKmvmHys4Pi8DxkF4+EayaH0OqtJtaZxgTD9fMDLs=")
    assert not signature.is_valid(SECRET, body + b" ", "GhRKmvmHys4Pi8DxkF4+EayaH0OqtJtaZxgTD9fMDLs=")
    hexdigest = "1a144a9af9877ace0f8bc0f1b2f913e11ac9a1f43aaa4b6d6718130f5f4c0cbb"
    assert not signature.is_valid(SECRET, body, hexdigest)


def test_missing_or_wrong_signature_is_400_and_stores_nothing(client, services, sample_events):
    body = json.dumps(sample_events).encode()
    assert client.post("/callback", data=body).status_code == 400
    wrong = signature.sign("another-secret", body)
    assert client.post("/callback", data=body, headers={"x-line-signature": wrong}).status_code == 400
    assert count(services, InboxEvent) == 0
    assert count(services, RejectedBody) == 0


# The sample's 28 events share one webhookEventId (a test fixture, unlike LINE); event 25 is
# event 0 redelivered (isRedelivery: true, otherwise identical), so 27 distinct events remain.
DISTINCT_SAMPLE_EVENTS = 27


def test_every_sample_event_is_stored_once(post_webhook, services, sample_events):
    assert len(sample_events["events"]) == 28
    assert post_webhook(sample_events).status_code == 200
    assert count(services, InboxEvent) == DISTINCT_SAMPLE_EVENTS
    redelivered = copy.deepcopy(sample_events)
    for event in redelivered["events"]:
        event["deliveryContext"] = {"isRedelivery": True}
    assert post_webhook(redelivered).status_code == 200
    assert count(services, InboxEvent) == DISTINCT_SAMPLE_EVENTS
    with services.sessions() as session:
        types = sorted(session.scalars(select(InboxEvent.event_type)))
    assert types.count("message") == 10
    assert "undefined" in types  # the unknown type is kept raw, not dropped


def test_each_event_posted_alone_is_stored_once(post_webhook, services, sample_events):
    for event in sample_events["events"]:
        envelope = {"destination": sample_events["destination"], "events": [event]}
        assert post_webhook(envelope).status_code == 200
        assert post_webhook(envelope).status_code == 200
    assert count(services, InboxEvent) == DISTINCT_SAMPLE_EVENTS


def test_concurrent_redeliveries_store_one_row(app, services, sample_events):
    event = sample_events["events"][0]
    body = json.dumps({"destination": "Uabc", "events": [event]}).encode()
    headers = {"x-line-signature": signature.sign(SECRET, body)}
    statuses = []

    def deliver():
        statuses.append(app.test_client().post("/callback", data=body, headers=headers).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 8
    assert count(services, InboxEvent) == 1


def test_bodies_arriving_during_a_write_share_the_next_insert(app, services, sample_events, monkeypatch):
    """Group commit: bodies that wait while the writer is busy go to the database in one statement."""
    from bot import intake as intake_module
    from bot.inbox import parse_envelope
    from runtime.db import make_intake_engine

    batches = []
    release = threading.Event()
    real_store = intake_module.store_events

    def slow_store(connection, *envelopes, **kwargs):
        batches.append(len(envelopes))
        release.wait(10)
        return real_store(connection, *envelopes, **kwargs)

    monkeypatch.setattr(intake_module, "store_events", slow_store)
    engine = make_intake_engine(app.config["DATABASE_URL"], connections=1)
    intake = intake_module.Intake(engine, services.intake.spool, deadline=10.0, threads=1)
    outcomes = []

    def deliver(n, event):
        body = json.dumps({"destination": "Uabc", "events": [dict(event, webhookEventId=f"01GROUP{n:019d}")]})
        outcomes.append(intake.accept(parse_envelope(body.encode()), body.encode()))

    threads = [threading.Thread(target=deliver, args=pair) for pair in enumerate(sample_events["events"][:12])]
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 8
        while (len(batches), sum(batches) + len(intake._waiting)) != (1, 12) and time.monotonic() < deadline:
            time.sleep(0.01)  # until the writer holds its first batch and every other body waits
        release.set()
        for thread in threads:
            thread.join()
    finally:
        release.set()
        intake.close()
    assert outcomes == ["stored"] * 12
    assert len(batches) == 2 and sum(batches) == 12, batches  # the waiting bodies went in one statement
    assert count(services, InboxEvent) == 12
    assert services.intake.spool.count() == 0


def test_a_failing_insert_spools_every_body_of_its_batch(post_webhook, services, sample_events, monkeypatch):
    from bot import intake as intake_module

    def refuse(connection, *envelopes, **kwargs):
        raise intake_module.DBAPIError("INSERT", {}, OSError("server closed the connection"))

    monkeypatch.setattr(intake_module, "store_events", refuse)
    assert post_webhook({"destination": "Uabc", "events": sample_events["events"][:3]}).status_code == 200
    assert services.intake.spool.count() == 1
    assert count(services, InboxEvent) == 0
    monkeypatch.undo()
    assert services.intake.replay_spool() == 1
    assert count(services, InboxEvent) == 3


def test_verify_button_needs_no_database(post_webhook, services, monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("the database was touched")

    monkeypatch.setattr(services.intake, "accept", boom)
    assert post_webhook({"destination": "U8e742f61d673b39c7fff3cecb7536ef0", "events": []}).status_code == 200


def test_malformed_signed_body_is_400_and_kept(post_webhook, services):
    assert post_webhook(None, raw=b"{not json").status_code == 400
    assert post_webhook(None, raw=b'{"events": "nope"}').status_code == 400
    assert post_webhook(None, raw=b"[1, 2]").status_code == 400
    with services.sessions() as session:
        bodies = session.scalars(select(RejectedBody.body).order_by(RejectedBody.id)).all()
    assert bodies == ["{not json", '{"events": "nope"}', "[1, 2]"]
    assert count(services, InboxEvent) == 0


def test_oversized_body_is_413(client):
    body = b'{"events": [' + b" " * (1024 * 1024) + b"]}"
    response = client.post("/callback", data=body, headers={"x-line-signature": signature.sign(SECRET, body)})
    assert response.status_code == 413


def test_oversized_body_without_content_length_is_413(app, services):
    """A chunked body (no Content-Length) is cut off at the limit too, and nothing is stored."""
    from werkzeug.test import EnvironBuilder

    body = b'{"events": [' + b" " * (1024 * 1024) + b"]}"
    environ = EnvironBuilder(path="/callback", method="POST", data=body).get_environ()
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input_terminated"] = True
    environ["HTTP_X_LINE_SIGNATURE"] = signature.sign(SECRET, body)
    statuses = []
    b"".join(app.wsgi_app(environ, lambda status, headers, exc_info=None: statuses.append(status)))
    assert statuses == ["413 REQUEST ENTITY TOO LARGE"]
    assert count(services, InboxEvent) == 0


def test_callback_answers_only_post(client):
    response = client.get("/callback")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"


def test_accepted_delivery_answers_plain_ok(post_webhook, sample_events):
    response = post_webhook({**sample_events, "events": sample_events["events"][:1]})
    assert (response.status_code, response.data, response.mimetype) == (200, b"OK", "text/plain")


def test_healthz_reports_the_database_the_backlogs_and_the_event_workers(client, services):
    from bot import heartbeat
    from models import InboxStatus
    from models.timeutil import utcnow
    from tests.test_admin_support import add_event

    add_event(services, status=InboxStatus.PENDING)
    add_event(services, status=InboxStatus.FAILED)
    add_event(services, status=InboxStatus.PARKED)
    add_event(services, status=InboxStatus.DONE)
    services.intake.spool.write(b'{"events": []}', "webhook")
    with services.sessions.begin() as session:
        heartbeat.beat(session, "worker-host:1", utcnow())
        heartbeat.beat(session, "worker-host:2", utcnow() - heartbeat.ALIVE_WITHIN * 2)  # long gone
    report = client.get("/healthz")
    assert report.status_code == 200
    assert report.get_json() == {
        "status": "ok",
        "database": "ok",
        "spool_backlog": 1,
        "spool_dead_letters": 0,
        "inbox_backlog": 2,
        "inbox_parked": 1,
        "event_workers": 1,
    }
