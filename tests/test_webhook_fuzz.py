"""Fuzzing the webhook: events generated from LINE's webhook.yml, mutated and hostile bodies, a seed corpus.

Every body goes through the real /callback, intake, spool, worker and processor, with LINE played by
the emulator (tests/line_fixtures.py). Whatever arrives:
- no answer is a 5xx; a bad signature is a 400 and nothing is kept;
- a signed body that cannot be read is a 400 and is kept once (rejected_bodies), however often it comes;
- every valid event is stored once, and a message from a user in active mode is answered once;
- an event that cannot be stored is kept aside once and blocks nothing: the spool ends empty, and
  afterwards a normal message is answered by the background worker within seconds.
Hypothesis runs derandomized with a fixed number of examples, so CI sees the same bodies every run.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot import signature
from bot.emulator import webhooks
from models import InboxEvent, InboxStatus, Member, RejectedBody
from tests import fuzz_events as fuzz
from tests.conftest import SECRET
from tests.harness import wait_until
from tests.test_network_dialogues import register

CORPUS = Path(__file__).parent / "corpus" / "webhook"
ANSWER_WITHIN = 5.0  # seconds for a normal message after the hostile batch
SENT_TIMES = 3  # each corpus body is sent this often: it must still be kept once

FUZZ = settings(
    derandomize=True,  # the same bodies on every run and machine
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # the pipeline is shared by the examples: no shrinking replays
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    print_blob=False,
)
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
CONTENT_TYPES = {"image": "image/png", "video": "video/mp4", "audio": "audio/m4a", "file": "application/pdf"}


@dataclass
class Outcome:
    """What one body did: HTTP statuses, the inbox rows and rejected bodies it added, the deliveries."""

    statuses: list[int]
    rows: list[InboxEvent]
    rejected: list[RejectedBody]
    deliveries: list
    dead: list = field(default_factory=list)  # spool dead letters (bodies the database could not take)
    again: bool = False  # the same bytes were sent before in this test: nothing new may be kept

    @property
    def kept_aside(self) -> list[str]:
        """The reasons of everything kept aside: rejected bodies and events, and dead letters."""
        return [r.reason for r in self.rejected] + [d.reason for d in self.dead]


class Pipeline:
    """The bot behind the emulator: send a body, run the worker, and look at what was kept and sent."""

    def __init__(self, line):
        """Drive the `line` fixture's bot app and emulator."""
        self.line = line
        self.platform = line.platform
        self.services = line.services
        self.client = line.app.test_client()
        self.sent: set[bytes] = set()

    def adopt(self, event: object) -> None:
        """Tell the emulator about an event built outside it: its user, group, reply token and content."""
        if not isinstance(event, dict) or not isinstance(event.get("source"), dict):
            return
        source = event["source"]
        user = source.get("userId") if isinstance(source.get("userId"), str) else None
        if user:
            self.platform.add_user(f"ผู้ใช้ {user[-6:]}", user_id=user).is_friend = True
        chat = user
        for key, kind in (("groupId", "group"), ("roomId", "room")):
            if isinstance(source.get(key), str):
                chat = source[key]
                self.platform.add_chat(f"กลุ่ม {chat[-6:]}", [user] if user else [], kind=kind, chat_id=chat)
                self.platform.chat(chat).bot_is_member = True
        token = event.get("replyToken")
        message = event.get("message") if isinstance(event.get("message"), dict) else {}
        kind, message_id = message.get("type"), message.get("id")
        content = None
        if isinstance(kind, str) and kind in CONTENT_TYPES and isinstance(message_id, str):
            content = (TINY_PNG if kind == "image" else b"\x00\x00\x00\x18ftypmp42", CONTENT_TYPES[kind])
        if chat:
            self.platform.adopt(
                chat,
                reply_token=token if isinstance(token, str) else None,
                message_id=message_id if content else None,
                content=content,
            )

    def post(self, body: bytes, *, sign_with: str | None = SECRET) -> int:
        """POST a body to /callback, signed with a secret (None: no signature; "hex": hexdigest, a common mistake)."""
        headers = {"content-type": "application/json"}
        if sign_with == "hex":
            headers["x-line-signature"] = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        elif sign_with is not None:
            headers["x-line-signature"] = signature.sign(sign_with, body)
        return self.client.post("/callback", data=body, headers=headers).status_code

    def settle(self) -> None:
        """Run the worker as its thread would: replay the spool, process, deliver; until nothing is left."""
        for _ in range(5):
            processed = self.services.worker.run_once()
            if not processed and not self.services.intake.spool.count():
                return

    def send(self, body: bytes, *, times: int = 1, sign_with: str | None = SECRET, events: list | None = None):
        """Send one body `times` times, let the worker settle, and return what it changed."""
        for event in events or []:
            self.adopt(event)
        again = body in self.sent
        self.sent.add(body)
        last_row, last_rejected = self._last(InboxEvent), self._last(RejectedBody)
        dead_before = {d.name for d in self.services.intake.spool.dead_letters()}
        mark = self.platform.last_seq
        statuses = [self.post(body, sign_with=sign_with) for _ in range(times)]
        self.settle()
        assert not [s for s in statuses if s >= 500], f"the webhook answered {statuses} to {preview(body)}"
        assert len(set(statuses)) == 1, f"the same body was answered {statuses}: {preview(body)}"
        self.assert_spool_empty(body)
        with self.services.sessions() as session:
            rows = session.scalars(select(InboxEvent).where(InboxEvent.id > last_row)).all()
            rejected = session.scalars(select(RejectedBody).where(RejectedBody.id > last_rejected)).all()
        dead = [d for d in self.services.intake.spool.dead_letters() if d.name not in dead_before]
        deliveries = [d for d in self.platform.deliveries if d.seq > mark]
        return Outcome(statuses, list(rows), list(rejected), deliveries, dead, again)

    def _last(self, model) -> int:
        with self.services.sessions() as session:
            return session.scalar(select(func.max(model.id))) or 0

    def count(self, model) -> int:
        """How many rows a table holds."""
        with self.services.sessions() as session:
            return session.scalar(select(func.count()).select_from(model))

    def kept_bodies(self, body: bytes) -> int:
        """How many rejected_bodies rows hold exactly these bytes (by their sha256)."""
        with self.services.sessions() as session:
            digest = hashlib.sha256(body).hexdigest()
            return session.scalar(select(func.count()).where(RejectedBody.body_hash == digest))

    def assert_spool_empty(self, body: bytes = b"") -> None:
        """Nothing is left waiting in the spool (what cannot be replayed is dead-lettered with its reason)."""
        left = self.services.intake.spool.count()
        assert left == 0, f"{left} spooled bodies were not replayed after {preview(body)}"

    def assert_still_answering(self, *people) -> float:
        """A normal text from each person is answered by the background worker within seconds; the slowest time."""
        worker = self.services.worker
        worker.interval = 0.1
        worker.start()
        slowest = 0.0
        try:
            for person in people:
                mark = self.platform.last_seq
                started = time.monotonic()
                person.says("ช่วยเหลือ", process=False)
                wait_until(
                    lambda p=person, m=mark: self.platform.deliveries_to(p.user_id, after=m),
                    timeout=ANSWER_WITHIN,
                    interval=0.02,
                    message=f"the bot to answer {person.name} after the hostile bodies",
                )
                slowest = max(slowest, time.monotonic() - started)
        finally:
            worker.stop()
        self.assert_spool_empty()
        return slowest


def preview(body: bytes, limit: int = 300) -> str:
    """The start of a body, for an assertion message."""
    return repr(body[:limit]) + (f"... ({len(body)} bytes)" if len(body) > limit else "")


def chat_of(event: dict) -> str | None:
    """The group, room or user id an event belongs to (None when it names none as a string)."""
    source = event.get("source") if isinstance(event.get("source"), dict) else {}
    return next((source[k] for k in ("groupId", "roomId", "userId") if isinstance(source.get(k), str)), None)


def parse(body: bytes) -> object:
    """The body as JSON (nesting followed deeper than the webhook's own limit), or None."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(3000)
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None
    finally:
        sys.setrecursionlimit(limit)


def wants_one_answer(event: object) -> bool:
    """A spec-valid message event from a user in a one-to-one chat, in active mode: the bot must answer it once."""
    if not isinstance(event, dict) or event.get("type") != "message" or event.get("mode") != "active":
        return False
    source = event.get("source")
    if not isinstance(source, dict) or source.get("type") != "user" or not isinstance(source.get("userId"), str):
        return False
    return not fuzz.SPEC.validate("Event", event)


def stable(event: dict) -> str:
    """An event without its delivery context, as JSON: a redelivery is the same event."""
    return json.dumps({k: v for k, v in event.items() if k != "deliveryContext"}, sort_keys=True)


def assert_stored_once(outcome: Outcome, payload: dict) -> None:
    """Every event of a valid body is in the inbox once, as sent, processed; user messages answered once."""
    assert outcome.statuses[0] == 200
    first = {}
    for event in payload["events"]:
        first.setdefault(stable(event), event)
    stored = Counter(row.webhook_event_id for row in outcome.rows)
    expected = Counter(event["webhookEventId"] for event in first.values())
    assert stored == expected, "events lost or stored twice"
    assert outcome.kept_aside == [], outcome.kept_aside
    by_id = {row.webhook_event_id: row for row in outcome.rows}
    for event in first.values():
        row = by_id[event["webhookEventId"]]
        kept = json.loads(row.payload)
        if isinstance(kept.get("message"), dict) and kept["message"].get("redacted"):  # an unregistered group's
            assert {k: kept["message"].get(k) for k in ("id", "type")} == {
                k: event["message"].get(k) for k in ("id", "type")
            }
            kept["message"] = event["message"]
        assert kept == event, "the stored event differs from the one sent"
        assert row.status in (InboxStatus.DONE, InboxStatus.IGNORED), (event["type"], row.status, row.last_error)
    assert_answered_once(outcome, list(first.values()))


def assert_answered_once(outcome: Outcome, events: list[dict]) -> None:
    """A user's message in active mode got one reply or push; no event was answered twice, none in standby."""
    answers = Counter(d.chat_id for d in outcome.deliveries)
    active = Counter(chat_of(e) for e in events if isinstance(e, dict) and e.get("mode") == "active")
    for event in events:
        if wants_one_answer(event):
            methods = [d.method for d in outcome.deliveries if d.chat_id == event["source"]["userId"]]
            assert methods in (["reply"], ["push"]), (
                f"a {event['message'].get('type')} message from a user was answered by {methods}"
            )
    for event in events:
        chat = chat_of(event) if isinstance(event, dict) else None
        if chat is not None:
            assert answers[chat] <= active[chat], f"{answers[chat]} answers for {active[chat]} active events"


def assert_kept_once(outcome: Outcome, events: list) -> None:
    """A hostile body: each distinct event stored at most once, the rest kept aside once with a reason."""
    distinct = {stable(e) for e in events if isinstance(e, dict)}
    stored = Counter((row.webhook_event_id, row.content_hash) for row in outcome.rows)
    assert all(count == 1 for count in stored.values()), "an event was stored twice"
    assert len(outcome.rows) <= len(distinct), "more inbox rows than events"
    assert all(reason.strip() for reason in outcome.kept_aside), "kept aside without a reason"
    if outcome.statuses[0] == 400:
        assert outcome.rows == [], "a refused body left events in the inbox"
    if outcome.again:
        assert (outcome.rows, outcome.kept_aside) == ([], []), "a body sent again was kept again"
    else:
        if outcome.statuses[0] == 400 or len(outcome.rows) < len(distinct):
            assert outcome.kept_aside, "a body (or event) that was not stored was not kept aside either"
        assert len(outcome.kept_aside) <= max(len(distinct), 1), "a body (or event) was kept more than once"
    stored_ids = {row.webhook_event_id for row in outcome.rows}
    answerable = [e for e in events if wants_one_answer(e) and e.get("webhookEventId") in stored_ids]
    assert_answered_once(outcome, answerable)


def assert_refused_and_kept(pipeline: Pipeline, outcome: Outcome, body: bytes) -> None:
    """A signed body that is not LINE's envelope: 400, nothing in the inbox, the bytes kept once with a reason."""
    assert outcome.statuses[0] == 400, f"answered {outcome.statuses[0]} to {preview(body)}"
    assert outcome.rows == []
    assert all(reason.strip() for reason in outcome.kept_aside), "kept without a reason"
    if outcome.again:
        assert outcome.kept_aside == [], "a body sent again was kept again"
        assert pipeline.kept_bodies(body) <= 1
    else:
        assert len(outcome.kept_aside) == 1, f"kept {len(outcome.kept_aside)} times: {preview(body)}"
        assert pipeline.kept_bodies(body) + len(outcome.dead) == 1, "the body kept is not the one sent"


@pytest.fixture
def pipeline(line):
    """The bot and the emulator, driven body by body."""
    return Pipeline(line)


# ----- the generator itself -------------------------------------------------------------------


KINDS = [(kind, None) for kind in fuzz.EVENT_TYPES if kind != "message"] + [
    ("message", message_type) for message_type in fuzz.MESSAGE_TYPES
]


def test_the_generator_covers_every_event_type_of_the_spec():
    assert len(fuzz.EVENT_TYPES) == 19 and "message" in fuzz.EVENT_TYPES
    assert fuzz.MESSAGE_TYPES == ["audio", "file", "image", "location", "sticker", "text", "video"]
    seen = Counter()
    for kind, message_type in KINDS:

        @settings(FUZZ, max_examples=5)
        @given(fuzz.valid_bodies(kind, message_type))
        def bodies_pass_the_emulators_check(payload):
            webhooks.check(fuzz.encode(payload))  # webhook.yml with discriminators resolved, and ULID ids
            seen.update((e["type"], e.get("message", {}).get("type")) for e in payload["events"])

        bodies_pass_the_emulators_check()
    assert set(seen) == set(KINDS)


# ----- valid events ---------------------------------------------------------------------------


def test_valid_events_of_every_type_are_stored_once_and_answered_once(pipeline):
    for kind, message_type in KINDS:  # one pipeline for all: a fresh app per type would cost more than the examples

        @settings(FUZZ, max_examples=4)
        @given(fuzz.valid_bodies(kind, message_type), st.integers(1, 2))
        def each_body(payload, times):
            outcome = pipeline.send(fuzz.encode(payload), times=times, events=payload["events"])
            assert_stored_once(outcome, payload)

        each_body()


def test_duplicates_and_redeliveries_are_stored_and_answered_once(pipeline):
    @settings(FUZZ, max_examples=10)
    @given(st.lists(fuzz.events("message", "text"), min_size=1, max_size=3), st.data())
    def each_batch(items, data):
        for event in items:
            event["mode"] = "active"
            event["source"] = {"type": "user", "userId": fuzz.fresh_line_id("U")}
        copies = data.draw(st.lists(st.sampled_from(items), min_size=1, max_size=4))
        bodies = [fuzz.envelope(*items), *(fuzz.envelope(fuzz.redelivered(e), e) for e in copies)]
        for event in items:
            pipeline.adopt(event)
        mark = pipeline.platform.last_seq
        rows_before = pipeline.count(InboxEvent)
        for payload in bodies:
            assert pipeline.post(fuzz.encode(payload)) == 200
            pipeline.settle()
        with pipeline.services.sessions() as session:
            stored = Counter(session.scalars(select(InboxEvent.webhook_event_id)))
        assert sum(stored.values()) == rows_before + len(items)
        assert all(stored[e["webhookEventId"]] == 1 for e in items)
        answers = Counter(d.chat_id for d in pipeline.platform.deliveries if d.seq > mark)
        assert [answers[e["source"]["userId"]] for e in items] == [1] * len(items)

    each_batch()
    pipeline.assert_spool_empty()


# ----- mutated and hostile bodies -------------------------------------------------------------


def test_mutated_events_are_kept_once_and_block_nothing(pipeline, line):
    registered = line.user("สมชาย ใจดี")
    register(registered)
    with pipeline.services.sessions() as session:
        member = session.scalar(select(Member).where(Member.line_user_id == registered.user_id))
        assert (member.full_name, member.consent_version is not None) == ("สมชาย ใจดี", True)

    @settings(FUZZ, max_examples=60)
    @given(st.lists(fuzz.mutated_events(), min_size=1, max_size=3))
    def each_body(items):
        body = fuzz.encode(fuzz.envelope(*items))
        outcome = pipeline.send(body, times=2, events=items)
        assert_kept_once(outcome, items)

    each_body()
    assert pipeline.assert_still_answering(registered, line.user("ผู้ใช้ ใหม่")) < ANSWER_WITHIN


def test_hostile_bodies_are_refused_or_kept_once_and_block_nothing(pipeline, line):
    @settings(FUZZ, max_examples=50)
    @given(fuzz.hostile_bodies())
    def each_body(body):
        parsed = parse(body)
        items = parsed.get("events") if isinstance(parsed, dict) else None
        outcome = pipeline.send(body, times=2, events=items if isinstance(items, list) else [])
        if items == []:  # LINE's Verify button
            assert (outcome.statuses[0], outcome.rows, outcome.kept_aside) == (200, [], [])
        elif isinstance(items, list) and all(isinstance(e, dict) for e in items):
            assert_kept_once(outcome, items)
        else:
            assert_refused_and_kept(pipeline, outcome, body)

    each_body()
    assert pipeline.assert_still_answering(line.user("ผู้ใช้ ใหม่")) < ANSWER_WITHIN


def test_bad_signatures_are_refused_and_nothing_is_kept(pipeline):
    @settings(FUZZ, max_examples=15)
    @given(
        st.one_of(fuzz.valid_bodies().map(fuzz.encode), fuzz.hostile_bodies()),
        st.sampled_from(["another-secret", "", None, "hex"]),
    )
    def each_body(body, secret):
        outcome = pipeline.send(body, sign_with=secret)
        assert outcome.statuses == [400]
        assert (pipeline.count(InboxEvent), pipeline.count(RejectedBody), outcome.dead) == (0, 0, [])
        pipeline.assert_spool_empty(body)

    each_body()


# ----- the seed corpus ------------------------------------------------------------------------

EXPECTED = {
    # file: what must happen to it (see tests/corpus/webhook/README.md)
    "poison-lone-surrogate.json": "kept",
    "lone-surrogates-in-ids.json": "kept",
    "nul-in-ids.json": "kept",
    "nul-in-text.json": "stored",
    "thai-and-emoji.json": "stored",
    "duplicates-and-redelivery.json": "stored",
    "unknown-event-types.json": "stored",
    "long-webhook-event-id.json": "rejected",
    "long-user-id.json": "rejected",
    "wrong-types.json": "kept",
    "timestamp-out-of-range.json": "kept",
    "timestamp-nan.json": "kept",
    "invalid-utf8.bin": "refused",
    "random-bytes.bin": "refused",
    "truncated.json": "refused",
    "not-an-envelope.json": "refused",
    "events-not-objects.json": "refused",
    "bad-signature.json": "unsigned",
    "verify.json": "verify",
    "empty.bin": "refused",
}


def _text_event(number: int, text: str) -> dict:
    return {
        "type": "message",
        "message": {"type": "text", "id": f"5{number:017d}", "quoteToken": f"q{number}", "text": text},
        "webhookEventId": f"01KBFUZZ{number:018d}",
        "deliveryContext": {"isRedelivery": False},
        "timestamp": fuzz.now_ms(),
        "source": {"type": "user", "userId": f"U{number:032x}"},
        "replyToken": f"{number:032x}",
        "mode": "active",
    }


def generated_body(name: str) -> bytes:
    """The corpus bodies too large to keep as files, made at test time."""
    if name == "deep-nesting-100000":
        return fuzz.raw_envelope(fuzz.nested(100_000))
    if name == "deep-nesting-in-an-event":
        event = _text_event(7, "x")
        text = json.dumps(event).replace('"x"', fuzz.nested(sys.getrecursionlimit() - 100))
        return fuzz.raw_envelope(f"[{text}]")
    if name == "near-1-mib":  # eight user messages of 40,000 Thai letters (120 KB) each
        return fuzz.encode(fuzz.envelope(*(_text_event(n, "ก" * 40_000) for n in range(1, 9))))
    if name == "over-1-mib":
        return fuzz.encode(fuzz.envelope(_text_event(9, "ก" * 360_000)))
    raise KeyError(name)


GENERATED = {
    "deep-nesting-100000": "refused",
    "deep-nesting-in-an-event": "kept",
    "near-1-mib": "stored",
    "over-1-mib": "too-large",
}


def test_every_corpus_file_has_an_expectation():
    files = [p for p in CORPUS.iterdir() if p.suffix in (".json", ".bin")]
    assert sorted(p.name for p in files) == sorted(EXPECTED)
    assert all(p.stat().st_size < 4096 for p in files), "corpus files are small; make large ones in code"


@pytest.mark.parametrize("name", sorted(EXPECTED) + sorted(GENERATED))
def test_corpus_body(pipeline, line, name):
    body = (CORPUS / name).read_bytes() if name in EXPECTED else generated_body(name)
    expected = EXPECTED.get(name) or GENERATED[name]
    assert len(body) <= 1024 * 1024 or expected == "too-large"
    parsed = parse(body)
    items = parsed["events"] if isinstance(parsed, dict) and isinstance(parsed.get("events"), list) else []
    if expected == "unsigned":
        outcome = pipeline.send(body, times=SENT_TIMES, sign_with="another-secret", events=items)
        assert (outcome.statuses[0], outcome.rows, outcome.kept_aside, outcome.deliveries) == (400, [], [], [])
    elif expected == "verify":
        outcome = pipeline.send(body, times=SENT_TIMES)
        assert (outcome.statuses[0], outcome.rows, outcome.kept_aside) == (200, [], [])
    elif expected == "too-large":
        outcome = pipeline.send(body, events=items)
        assert (outcome.statuses[0], outcome.rows, outcome.kept_aside) == (413, [], [])
    elif expected == "refused":
        assert_refused_and_kept(pipeline, pipeline.send(body, times=SENT_TIMES), body)
    elif expected == "stored":
        assert_stored_once(pipeline.send(body, times=SENT_TIMES, events=items), parsed)
    elif expected == "rejected":
        outcome = pipeline.send(body, times=SENT_TIMES, events=items)
        assert outcome.rows == [], "an event with ids longer than LINE's was stored"
        assert len(outcome.kept_aside) == 1 and outcome.kept_aside[0].strip()
    else:
        assert_kept_once(pipeline.send(body, times=SENT_TIMES, events=items), items)
    assert pipeline.assert_still_answering(line.user("ผู้ใช้ ใหม่")) < ANSWER_WITHIN
