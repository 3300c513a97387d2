"""The end-to-end bench's pieces: the stand-in's timeline, events shaped as LINE sends them, answers matched."""

from __future__ import annotations

import json
import time

from bench.e2e import events
from bench.e2e.measure import figures, match, steps_of
from bench.webhook import line_stub
from tests.test_bench_faults import push, reply, stub  # noqa: F401 - the stand-in fixture


def test_the_timeline_says_when_each_reply_and_push_arrived(stub):  # noqa: F811
    before = time.time()
    token = line_stub.issue_token()
    assert reply(stub, token) == 200
    assert reply(stub, token) == 400  # a refused call is no arrival
    assert reply(stub, line_stub.issue_token(time.time() - 61)) == 400
    assert push(stub, "Uabc", "key-1") == 200 and push(stub, "Uabc", "key-2") == 200
    assert push(stub, "Uabc", "key-1") == 409  # a repeated retry key is not delivered again
    timeline = stub("GET", "/timeline")[1]
    assert list(timeline["replies"]) == [token] and before <= timeline["replies"][token] <= timeline["now"]
    assert len(timeline["pushes"]["Uabc"]) == 2
    assert stub("GET", f"/timeline?since={timeline['now'] + 1}")[1]["replies"] == {}
    assert set(stub("GET", "/deliveries")[1]) >= {"replies_delivered", "pushes_delivered"}  # unchanged


def test_bodies_are_stamped_when_sent_with_fresh_tokens():
    (offset, body), *rest = events.checkin_dialogue("U" + "1" * 32, "RP-9000", 13.6, 100.4, think=3.0)
    assert [o for o, _ in rest] == [3.0, 6.0, 9.0]
    now = time.time()
    payload = json.loads(body.encode(now))
    (event,) = payload["events"]
    assert event["message"]["text"] == "เช็คอิน RP-9000" and event["source"] == {"type": "user", "userId": "U" + "1" * 32}
    assert event["timestamp"] == int(now * 1000) and 0 <= line_stub.token_age(event["replyToken"]) < 1
    assert [s.label for _, b in rest for s in b.steps] == ["checkin:location", "checkin:photo", "checkin:conditions"]
    burst = events.news_burst("U" + "2" * 32, "C" + "3" * 32)
    kinds = [[s.message["type"] for s in b.steps] for _, b in burst]
    assert kinds == [["text"], ["image", "image"], ["location"]]
    assert [s.answered_by for _, b in burst for s in b.steps] == ["push", "", "", ""]


def test_answers_are_matched_by_token_else_by_the_users_next_push():
    bodies = [events.greeting(), events.greeting(), events.greeting()]
    for n, body in enumerate(bodies):
        body.encode(1000.0 + n)
        body.status, body.answered_in = 200, 0.004
    first, second, third = steps_of(bodies)
    timeline = {"replies": {first.reply_token: 1000.02}, "pushes": {second.user: [1000.5, 1070.0]}}
    match([first, second, third], timeline)
    assert (first.answer_how, round(first.answer_at - first.sent_at, 3)) == ("reply", 0.02)
    assert (second.answer_how, second.answer_at) == ("push", 1070.0)  # the push before its send is not its answer
    assert third.answer_at is None
    result = figures(bodies, [first, second, third])
    assert (result["by_reply"], result["by_push"], result["missing"]) == (1, 1, 1)
    assert result["answer_ms"]["max"] == 69000.0 and result["webhook_ms"]["p50"] == 4.0
