"""Lanes: one key's jobs run in order, different keys' jobs at the same time, and wait() means finished."""

from __future__ import annotations

import threading
import time
from collections import defaultdict

from runtime.lanes import Lanes


def test_a_keys_jobs_run_in_the_order_submitted():
    lanes = Lanes(4)
    done: dict[str, list[int]] = defaultdict(list)
    for number in range(300):
        key = f"chat-{number % 7}"
        lanes.submit(key, lambda key=key, number=number: (time.sleep(0.0005), done[key].append(number)))
    assert lanes.wait(10)
    for key, numbers in done.items():
        assert numbers == sorted(numbers), f"{key}'s jobs ran out of order"
    assert sum(len(numbers) for numbers in done.values()) == 300
    lanes.close()


def test_different_keys_run_at_the_same_time():
    """Eight jobs of 0.2 s on eight lanes take about 0.2 s, not 1.6 s (a reply waiting on LINE holds only its chat)."""
    lanes = Lanes(8)
    keys, found = [], set()
    for number in range(1000):  # keys that fall on eight different lanes
        key = f"U{number}"
        lane = Lanes._lane_of(key, 8)
        if lane not in found:
            found.add(lane)
            keys.append(key)
        if len(keys) == 8:
            break
    started = time.perf_counter()
    for key in keys:
        lanes.submit(key, lambda: time.sleep(0.2))
    assert lanes.wait(5)
    assert time.perf_counter() - started < 1.0
    lanes.close()


def test_a_failing_job_does_not_stop_its_lane():
    lanes = Lanes(1)
    ran = threading.Event()
    lanes.submit("a", lambda: 1 / 0)
    lanes.submit("a", ran.set)
    assert lanes.wait(5) and ran.is_set()
    lanes.close()


def test_wait_with_nothing_submitted_returns_at_once():
    assert Lanes(2).wait(0.1)
