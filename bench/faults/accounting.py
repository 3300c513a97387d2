"""What happened to every event: stored, answered once, twice or never, from the database and LINE's side."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import text

from bench.faults.sender import Body

DEAD_FOLDER = "dead"  # bot/spool.py keeps the bodies it cannot replay in spool/dead/


def spool_counts(spool_dir: Path) -> tuple[int, int]:
    """Bodies waiting in the spool, and bodies set aside among its dead letters."""
    if not spool_dir.exists():
        return 0, 0
    waiting = sum(1 for _ in spool_dir.glob("*.json"))
    dead = sum(1 for _ in (spool_dir / DEAD_FOLDER).glob("*.json"))
    return waiting, dead


def state(engine, spool_dir: Path) -> dict:
    """Inbox, outbox and media by status, and the spool."""
    with engine.connect() as connection:
        inbox = dict(connection.execute(text("SELECT status, count(*) FROM inbox_events GROUP BY status")).all())
        outbox = dict(connection.execute(text("SELECT status, count(*) FROM outgoing_messages GROUP BY status")).all())
        media = dict(connection.execute(text("SELECT status, count(*) FROM media_files GROUP BY status")).all())
    waiting, dead = spool_counts(spool_dir)
    return {"inbox": inbox, "outbox": outbox, "media": media, "spool": waiting, "dead_letter": dead}


def waiting(now: dict, *, media: bool) -> int:
    """Work still to do: events and messages due or retrying, spooled bodies, media downloads."""
    count = now["inbox"].get("pending", 0) + now["inbox"].get("failed", 0)
    count += now["outbox"].get("pending", 0) + now["spool"]
    return count + (now["media"].get("pending", 0) if media else 0)


def drain(engine, spool_dir: Path, timeout: float, *, media: bool) -> dict:
    """Wait (at most `timeout` seconds) until nothing waits; return the last state and how long it took."""
    started = time.monotonic()
    now: dict = {}
    while True:
        try:
            now = state(engine, spool_dir)
        except Exception as exc:  # noqa: BLE001 - SQLite may be busy for a moment; look again
            now = {**now, "error": type(exc).__name__}
        else:
            if not waiting(now, media=media):
                break
        if time.monotonic() - started >= timeout:
            break
        time.sleep(0.5)
    now["drained"] = "error" not in now and not waiting(now, media=media)
    now["drain_seconds"] = round(time.monotonic() - started, 1)
    return now


def account(engine, bodies: list[Body], deliveries: dict) -> dict:
    """Per event: stored (how many inbox rows), answered (messages LINE delivered for it); the totals."""
    events = [event for body in bodies for event in body.events]
    acknowledged = {event.event_id for body in bodies if body.acknowledged for event in body.events}
    with engine.connect() as connection:
        stored = Counter(row[0] for row in connection.execute(text("SELECT webhook_event_id FROM inbox_events")))
        statuses = dict(connection.execute(text("SELECT webhook_event_id, status FROM inbox_events")).all())
        via_spool = set(connection.execute(text("SELECT webhook_event_id FROM inbox_events WHERE via_spool")).scalars())
        outbox = connection.execute(
            text(
                "SELECT i.webhook_event_id, o.status, o.method, o.last_error FROM outgoing_messages o"
                " JOIN inbox_events i ON o.inbox_event_id = i.id"
            )
        ).all()
    rows_by_event: dict[str, list] = defaultdict(list)
    for event_id, status, method, error in outbox:
        rows_by_event[event_id].append((status, method, (error or "")[:60]))

    replies = deliveries["replies_delivered"]
    pushes = Counter(deliveries["pushes_delivered"])
    answered: dict[str, int] = {}
    by_user: dict[str, list] = defaultdict(list)
    for event in events:
        answered[event.event_id] = replies.get(event.reply_token, 0)
        by_user[event.user_id].append(event)
    for user, own in by_user.items():  # a push names only its user: it answers the user's unanswered events first
        extra = pushes.get(user, 0)
        for event in own:
            if extra and answered[event.event_id] == 0:
                answered[event.event_id] = 1
                extra -= 1
        if extra:
            answered[own[-1].event_id] += extra
    reused_tokens = sum(1 for event in events if deliveries["reply_calls"].get(event.reply_token, 0) > 1)
    reused_keys = sum(1 for n in deliveries["push_calls"].values() if n > 1)

    tokens = {event.reply_token for event in events}
    users = {event.user_id for event in events}
    foreign_replies = {t: n for t, n in deliveries["reply_calls"].items() if t not in tokens}
    foreign_pushes = {u: n for u, n in deliveries["pushes_delivered"].items() if u not in users}

    never = [e for e in events if answered[e.event_id] == 0]
    twice = [e for e in events if answered[e.event_id] > 1]
    outcome_of_unanswered = Counter(
        f"inbox {statuses.get(e.event_id, 'missing')}; outbox "
        + (",".join(f"{s}/{m or '-'}/{err or '-'}" for s, m, err in rows_by_event.get(e.event_id, [])) or "none")
        for e in never
    )
    return {
        "sent": len(events),
        "bodies": len(bodies),
        "no_200": sum(1 for e in events if e.event_id not in acknowledged),
        "redelivered": sum(len(b.events) for b in bodies if len(b.outcomes) > 1),
        "http_outcomes": dict(Counter(outcome for body in bodies for outcome in body.outcomes)),
        "stored": sum(1 for e in events if stored[e.event_id] >= 1),
        "lost": sum(1 for e in events if e.event_id in acknowledged and not stored[e.event_id]),
        "via_spool": sum(1 for e in events if e.event_id in via_spool),
        "stored_twice": sum(1 for e in events if stored[e.event_id] > 1),
        "processed_twice": sum(1 for e in events if len(rows_by_event.get(e.event_id, [])) > 1),
        "answered_once": sum(1 for e in events if answered[e.event_id] == 1),
        "answered_twice": len(twice),
        "never": len(never),
        "reply_tokens_reused": reused_tokens,
        "retry_keys_reused": reused_keys,
        "methods": dict(Counter(m or "-" for rows in rows_by_event.values() for _, m, _ in rows)),
        "unanswered_why": dict(outcome_of_unanswered.most_common(6)),
        "twice_sample": [e.event_id for e in twice[:5]],
        "line_answers": deliveries["answers"],
        "other_reply_calls": foreign_replies,  # tokens of no event sent: should stay empty
        "other_pushes": foreign_pushes,
    }
