"""PDPA retention: raw payloads, rejected bodies and sent message contents are removed after their period.

Rows older and newer than each limit, the statuses that are never purged, a second run that finds
nothing, the clock's claim once a day, the CLI, the admin page of a purged event, and rejected bodies
stored once by their hash (the model, store_rejected, the spool replay and the migration's backfill).
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import create_engine, func, select, text

from bench.databases import fresh_postgres
from bot.inbox import store_rejected
from bot.intake import KIND_REJECTED
from models import (
    AuditEntry,
    Chat,
    InboxEvent,
    InboxStatus,
    JobRun,
    MediaFile,
    MediaStatus,
    Member,
    MemberStatus,
    NewsReport,
    OutboxStatus,
    OutgoingMessage,
    RejectedBody,
    ReportItem,
    ReportStatus,
    Role,
)
from models.periods import Period
from models.retention import PAYLOAD_PREFIX, payload_marker, removal_of
from models.settings import set_setting
from models.timeutil import utcnow
from models.workgroup import StaffLineLink
from reports.network_kpi import network_kpi
from scheduler import triggers
from scheduler.__main__ import main as clock_main
from scheduler.jobs.registry import JOBS, check_period
from scheduler.policy import Policy
from services.media_store import MediaStore
from services.privacy import retention
from services.workgroup.meetings import link_reports
from tests.personal_data_factories import image_bytes, outgoing, stored_media
from tests.test_admin_support import (
    SECRET_TEXT,
    add_event,
    add_member,
    audit_entries,
    event_status,
    make_staff,
    make_token,
    post_form,
)
from tests.test_scheduler_support import RecordingLine, bkk, make_runner
from tests.workgroup_factories import committee, meeting

DAY_MINUTES = 24 * 60
RETENTION_JOBS = {"retention-purge": JOBS["retention-purge"]}


def _days_ago(days: float):
    return utcnow() - timedelta(days=days)


def add_rejected(services, body: str, *, days_ago: float) -> int:
    """Store one rejected body received some days ago; return its id."""
    with services.sessions.begin() as session:
        row = RejectedBody(received_at=_days_ago(days_ago), reason="not JSON: JSONDecodeError", body=body)
        session.add(row)
        session.flush()
        return row.id


def add_outgoing(services, status: OutboxStatus, *, days_ago: float, recipient: str = "U" + "1" * 32) -> int:
    """Store one outbox row with an informant's text written some days ago; return its id."""
    written = _days_ago(days_ago)
    with services.sessions.begin() as session:
        return outgoing(session, recipient, status, text=SECRET_TEXT, when=written).id


def inbox_rows(services) -> dict[int, InboxEvent]:
    with services.sessions() as session:
        return {row.id: row for row in session.scalars(select(InboxEvent))}


def outbox_rows(services) -> dict[int, OutgoingMessage]:
    with services.sessions() as session:
        return {row.id: row for row in session.scalars(select(OutgoingMessage))}


def rejected_ids(services) -> set[int]:
    with services.sessions() as session:
        return set(session.scalars(select(RejectedBody.id)))


def old_event(services, status: InboxStatus, days: float = 100) -> int:
    return add_event(services, status=status, last_error=None, received_minutes_ago=int(days * DAY_MINUTES))


# --- what is purged and what is not --------------------------------------------------------------------------


def test_purge_removes_only_what_is_past_its_period_and_keeps_the_rows(services):
    done_old = old_event(services, InboxStatus.DONE)
    ignored_old = old_event(services, InboxStatus.IGNORED, days=91)
    done_new = old_event(services, InboxStatus.DONE, days=89)
    never = {old_event(services, status, days=400) for status in (InboxStatus.FAILED, InboxStatus.PARKED)}
    never.add(old_event(services, InboxStatus.PENDING, days=400))
    rejected_old = add_rejected(services, "{not json", days_ago=31)
    rejected_new = add_rejected(services, "{also not json", days_ago=29)
    sent_old = add_outgoing(services, OutboxStatus.SENT, days_ago=91)
    failed_old = add_outgoing(services, OutboxStatus.FAILED, days_ago=200)
    sent_new = add_outgoing(services, OutboxStatus.SENT, days_ago=89)
    waiting = {add_outgoing(services, status, days_ago=200) for status in (OutboxStatus.PENDING, OutboxStatus.PARKED)}
    member = add_member(services, "U" + "2" * 32, "สมชาย ใจดี")
    before_inbox, before_outbox = inbox_rows(services), outbox_rows(services)

    now = utcnow()
    outcome = retention.purge(services.sessions, now, actor="test")

    assert outcome.counts == retention.Counts(inbox_payloads=2, rejected_bodies=1, outbox_messages=2)
    assert outcome.rules == retention.Rules(90, 30, 90)
    after_inbox = inbox_rows(services)
    assert set(after_inbox) == set(before_inbox)  # every row is kept
    for event_id in (done_old, ignored_old):
        row, was = after_inbox[event_id], before_inbox[event_id]
        assert SECRET_TEXT not in row.payload and "U0123456789abcdef" not in row.payload
        removal = removal_of(row.payload)
        assert removal is not None and removal.days == 90 and abs(removal.at - now) < timedelta(seconds=1)
        assert json.loads(row.payload)["removed_by"] == "retention"
        kept = ("webhook_event_id", "content_hash", "event_type", "source_type", "chat_key", "status", "received_at")
        assert [getattr(row, name) for name in kept] == [getattr(was, name) for name in kept]
    for event_id in {done_new} | never:
        assert after_inbox[event_id].payload == before_inbox[event_id].payload
        assert removal_of(after_inbox[event_id].payload) is None
    assert rejected_ids(services) == {rejected_new}
    assert rejected_old not in rejected_ids(services)
    after_outbox = outbox_rows(services)
    for row_id in (sent_old, failed_old):
        assert SECRET_TEXT not in json.dumps(after_outbox[row_id].messages, ensure_ascii=False)
        assert removal_of(after_outbox[row_id].messages) is not None
        assert after_outbox[row_id].recipient == before_outbox[row_id].recipient
        assert after_outbox[row_id].status == before_outbox[row_id].status
    for row_id in {sent_new} | waiting:
        assert after_outbox[row_id].messages == before_outbox[row_id].messages
    with services.sessions() as session:  # business records are not the job's
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 1
        assert session.scalar(text("SELECT display_name FROM members WHERE id = :id"), {"id": member}) == "สมชาย ใจดี"


def test_a_second_run_finds_nothing_and_leaves_the_markers_as_they_were(services):
    event_id = old_event(services, InboxStatus.DONE)
    sent = add_outgoing(services, OutboxStatus.SENT, days_ago=100)
    add_rejected(services, "{not json", days_ago=40)
    first = retention.purge(services.sessions, utcnow(), actor="test")
    assert first.counts == retention.Counts(1, 1, 1)
    payload, messages = inbox_rows(services)[event_id].payload, outbox_rows(services)[sent].messages

    second = retention.purge(services.sessions, utcnow() + timedelta(hours=1), actor="test")

    assert second.counts == retention.Counts(0, 0, 0)
    assert inbox_rows(services)[event_id].payload == payload
    assert outbox_rows(services)[sent].messages == messages
    entries = audit_entries(services, "retention.purge")
    assert [entry.detail["inbox_payloads"] for entry in entries] == [1, 0]
    assert entries[0].detail == {
        "inbox_payloads": 1,
        "rejected_bodies": 1,
        "outbox_messages": 1,
        "media_files": 0,
        "report_contents": 0,
        "departed_members": 0,
        "inbox_payload_days": 90,
        "rejected_body_days": 30,
        "outbox_message_days": 90,
        "media_days": 180,
        "closed_report_days": 730,
        "departed_member_days": 365,
        "files_deleted": 0,
    }
    assert entries[0].actor == "test"


def test_the_periods_are_settings_and_a_bad_value_falls_back_to_the_default(services):
    event_id = old_event(services, InboxStatus.DONE, days=100)
    rejected = add_rejected(services, "{not json", days_ago=40)
    with services.sessions.begin() as session:
        set_setting(session, "retention.inbox_payload_days", 120, by="test")
        set_setting(session, "retention.rejected_body_days", 0, by="test")  # not a period: the default, 30
    outcome = retention.purge(services.sessions, utcnow(), actor="test")
    assert outcome.rules == retention.Rules(120, 30, 90)
    assert outcome.counts.inbox_payloads == 0 and removal_of(inbox_rows(services)[event_id].payload) is None
    assert rejected not in rejected_ids(services)
    with services.sessions.begin() as session:
        set_setting(session, "retention.inbox_payload_days", 99, by="test")
    assert retention.purge(services.sessions, utcnow(), actor="test").counts.inbox_payloads == 1
    assert removal_of(inbox_rows(services)[event_id].payload).days == 99


def test_work_is_done_in_bounded_batches(services, monkeypatch):
    ids = [old_event(services, InboxStatus.DONE) for _ in range(5)]
    calls = []
    real = retention.purge_inbox_batch

    def recording(session, now, days, after_id=0, limit=retention.BATCH_SIZE):
        result = real(session, now, days, after_id, limit)
        calls.append((after_id, limit, result[0]))
        return result

    monkeypatch.setattr(retention, "purge_inbox_batch", recording)
    outcome = retention.purge(services.sessions, utcnow(), actor="test", batch_size=2)
    assert outcome.counts.inbox_payloads == 5
    assert [purged for _, _, purged in calls] == [2, 2, 1, 0]
    assert all(limit == 2 for _, limit, _ in calls)
    assert [after for after, _, _ in calls] == [0, ids[1], ids[3], ids[4]]
    assert all(removal_of(row.payload) for row in inbox_rows(services).values())


def test_a_purged_event_still_deduplicates_a_late_redelivery(post_webhook, services, sample_events):
    event = sample_events["events"][0]
    envelope = {"destination": sample_events["destination"], "events": [event]}
    assert post_webhook(envelope).status_code == 200
    with services.sessions.begin() as session:
        row = session.scalar(select(InboxEvent))
        row.status, row.received_at = InboxStatus.DONE, _days_ago(120)
    assert retention.purge(services.sessions, utcnow(), actor="test").counts.inbox_payloads == 1
    redelivered = {**envelope, "events": [{**event, "deliveryContext": {"isRedelivery": True}}]}
    assert post_webhook(redelivered).status_code == 200
    rows = list(inbox_rows(services).values())
    assert len(rows) == 1 and removal_of(rows[0].payload) is not None


def test_marker_prefix_is_what_json_writes():
    marker = payload_marker(utcnow(), 90)
    assert marker.startswith(PAYLOAD_PREFIX)
    assert removal_of(marker).days == 90
    assert removal_of(json.dumps({"type": "message", "removed_by": "retention"})) is None
    assert removal_of([{"type": "text", "text": "removed_by"}]) is None


# --- the CLI -------------------------------------------------------------------------------------------


def test_cli_dry_run_only_counts_then_run_purges_and_audits(app, services):
    event_id = old_event(services, InboxStatus.DONE)
    add_rejected(services, "{not json", days_ago=40)
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["retention", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "ทดลองเท่านั้น" in dry.output
    assert "ข้อมูลดิบของเหตุการณ์ที่ประมวลผลเสร็จแล้ว (เกิน 90 วัน): 1 รายการ" in dry.output
    assert "ข้อมูลที่ถูกปฏิเสธ (เกิน 30 วัน): 1 รายการ" in dry.output
    assert removal_of(inbox_rows(services)[event_id].payload) is None
    assert len(rejected_ids(services)) == 1
    assert audit_entries(services, "retention.purge") == []

    done = runner.invoke(args=["retention", "run"])
    assert done.exit_code == 0, done.output
    assert "ลบข้อมูลที่เกินระยะเวลาเก็บรักษาแล้ว" in done.output and ": 1 รายการ" in done.output
    assert removal_of(inbox_rows(services)[event_id].payload) is not None
    assert rejected_ids(services) == set()
    [entry] = audit_entries(services, "retention.purge")
    assert entry.actor == "cli" and SECRET_TEXT not in json.dumps(entry.detail, ensure_ascii=False)


# --- the clock ------------------------------------------------------------------------------------------


def test_the_clock_purges_once_a_day_whatever_the_number_of_clocks(services, capsys):
    with time_machine.travel(bkk(2026, 3, 15, 3, 30, 5), tick=False) as traveller:
        first = old_event(services, InboxStatus.DONE)
        clocks = [make_runner(services, RecordingLine(), owner=f"clock-{n}", jobs=RETENTION_JOBS) for n in "ab"]
        outcomes = [outcome for clock in clocks for outcome in clock.run_due()]
        assert [(o.key, o.status) for o in outcomes] == [("retention-purge:2569-03-15", "done")]
        assert clocks[0].run_due() == []
        assert removal_of(inbox_rows(services)[first].payload) is not None

        traveller.move_to(bkk(2026, 3, 15, 12, 0))
        second = old_event(services, InboxStatus.DONE)
        assert clocks[1].run_due() == []  # the day's run is done; the next one is tomorrow
        assert removal_of(inbox_rows(services)[second].payload) is None
        assert clock_main(["--run", "retention-purge", "--period", "2569-03-15"], runner=clocks[1]) == 0
        assert "ทำครั้งเดียว" in capsys.readouterr().out
        assert removal_of(inbox_rows(services)[second].payload) is None

        traveller.move_to(bkk(2026, 3, 16, 3, 30, 5))
        assert [o.key for o in clocks[1].run_due()] == ["retention-purge:2569-03-16"]
        assert removal_of(inbox_rows(services)[second].payload) is not None
    with services.sessions() as session:
        runs = session.execute(select(JobRun.key, JobRun.note).where(JobRun.job == "retention-purge")).all()
    assert sorted(key for key, _ in runs) == ["retention-purge:2569-03-15", "retention-purge:2569-03-16"]
    assert all(note.startswith("1 inbox payloads") for _, note in runs)
    assert [entry.actor for entry in audit_entries(services, "retention.purge")] == ["clock", "clock"]


def test_the_purge_is_a_daily_job_at_half_past_three_listed_in_thai(services, capsys):
    found = triggers.occurrences("retention-purge", Policy(), bkk(2026, 3, 15, 0, 0), bkk(2026, 3, 17, 0, 0))
    assert [(o.due_at, o.period) for o in found] == [
        (bkk(2026, 3, 15, 3, 30), "2569-03-15"),
        (bkk(2026, 3, 16, 3, 30), "2569-03-16"),
    ]
    check_period("retention-purge", "2569-03-15")
    with pytest.raises(ValueError):
        check_period("retention-purge", "2569-03")
    assert JOBS["retention-purge"].claimed and JOBS["retention-purge"].scheduled
    runner = make_runner(services, RecordingLine())
    with time_machine.travel(bkk(2026, 3, 31, 12, 0), tick=False):
        assert clock_main(["--list"], runner=runner) == 0
    out = capsys.readouterr().out
    assert "retention-purge: ลบข้อมูลส่วนบุคคลที่เกินระยะเวลาเก็บรักษาตาม PDPA" in out
    assert "1 เม.ย. 2569 03:30 น.  [2569-04-01]" in out


# --- reading a purged event -----------------------------------------------------------------------------


def test_the_admin_page_says_in_thai_that_the_payload_was_removed(secretariat, services):
    with time_machine.travel(bkk(2026, 11, 22, 3, 30), tick=False):
        event_id = old_event(services, InboxStatus.DONE)
        live_id = old_event(services, InboxStatus.DONE, days=1)
        retention.purge(services.sessions, utcnow(), actor="clock")

    page = secretariat.get(f"/admin/inbox/{event_id}").get_data(as_text=True)

    assert "ลบข้อมูลดิบของเหตุการณ์นี้แล้วตามกำหนดระยะเวลาเก็บรักษาข้อมูลส่วนบุคคล (PDPA)" in page
    assert "เก็บไว้ 90 วันนับจากวันที่ได้รับ เมื่อ 22 พ.ย. 2569 03:30 น." in page
    assert SECRET_TEXT not in page and "removed_by" not in page
    assert audit_entries(services, "view.inbox_payload") == []  # nothing personal was shown
    live = secretariat.get(f"/admin/inbox/{live_id}").get_data(as_text=True)
    assert SECRET_TEXT in live and "ลบข้อมูลดิบ" not in live


def test_a_purged_event_cannot_be_retried_into_a_crash(secretariat, services):
    event_id = old_event(services, InboxStatus.DONE)
    retention.purge(services.sessions, utcnow(), actor="test")
    response = post_form(secretariat, f"/admin/inbox/{event_id}/retry")
    assert response.status_code == 302
    assert event_status(services, event_id) == InboxStatus.DONE
    assert "ลองใหม่ได้เฉพาะเหตุการณ์ที่ล้มเหลวหรือถูกพักไว้" in secretariat.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert services.processor.process_one() is False  # nothing due: the marker is never handled as an event


def test_the_api_returns_the_marker_as_the_payload(client, services):
    make_staff(services, "admin1", Role.ADMIN)
    token = make_token(services, "admin1")
    event_id = old_event(services, InboxStatus.IGNORED)
    retention.purge(services.sessions, utcnow(), actor="test")
    response = client.get(f"/api/v1/inbox/{event_id}?include=payload", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    payload = response.get_json()["item"]["payload"]
    assert payload["removed_by"] == "retention" and payload["kept_days"] == 90
    listing = client.get("/api/v1/inbox?include=payload", headers={"Authorization": f"Bearer {token}"})
    assert listing.status_code == 200 and SECRET_TEXT not in listing.get_data(as_text=True)


# --- rejected bodies, once -------------------------------------------------------------------------------


def test_the_same_rejected_body_is_stored_once(services):
    body = b'{"events": "nope", "text": "\xe0\xb8\x82\xe0\xb9\x88\xe0\xb8\xb2\xe0\xb8\xa7"}'
    for reason in ("no events list", "malformed body (replayed from spool)"):
        with services.sessions.begin() as session:
            store_rejected(session, body, reason)
    with services.sessions.begin() as session:
        store_rejected(session, b"{not json", "not JSON: JSONDecodeError")
    with services.sessions() as session:
        rows = session.execute(select(RejectedBody.body_hash, RejectedBody.reason).order_by(RejectedBody.id)).all()
    assert rows == [
        (hashlib.sha256(body).hexdigest(), "no events list"),
        (hashlib.sha256(b"{not json").hexdigest(), "not JSON: JSONDecodeError"),
    ]


def test_a_rejected_body_replayed_from_the_spool_after_a_late_commit_stays_one_row(services):
    body = b"[1, 2, 3]"
    services.intake.reject(body, "no events list")  # the database took it ...
    services.intake.spool.write(body, KIND_REJECTED)  # ... but answered too late, so it was spooled too
    assert services.intake.replay_spool() == 1
    assert services.intake.spool.count() == 0
    with services.sessions() as session:
        assert session.scalars(select(RejectedBody.body)).all() == ["[1, 2, 3]"]


def test_a_rejected_body_added_through_the_model_hashes_its_text(services):
    row_id = add_rejected(services, "{ข่าว", days_ago=0)
    with services.sessions() as session:
        assert session.get(RejectedBody, row_id).body_hash == hashlib.sha256("{ข่าว".encode()).hexdigest()


def _scratch_database(tmp_path):
    """A fresh empty database on the test backend; its URL and a dropper."""
    server = os.environ.get("TEST_DATABASE_URL")
    if server:
        return fresh_postgres(server, "fieldline_test")
    return f"sqlite:///{tmp_path / 'old.db'}", None


def test_the_migration_hashes_existing_rejected_bodies_and_drops_exact_duplicates(tmp_path):
    from bot.migrate import upgrade

    url, drop = _scratch_database(tmp_path)
    engine = create_engine(url)
    try:
        upgrade(url, "0007_worker_heartbeats")
        with engine.begin() as connection:
            for body in ("{not json", "[1]", "{not json", "{ข่าว"):
                connection.execute(
                    text("INSERT INTO rejected_bodies (received_at, reason, body) VALUES (:at, 'r', :body)"),
                    {"at": utcnow().replace(tzinfo=None), "body": body},
                )
        upgrade(url)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, body, body_hash FROM rejected_bodies ORDER BY id")).all()
    finally:
        engine.dispose()
        if drop:
            drop()
    assert [(row_id, body) for row_id, body, _ in rows] == [(1, "{not json"), (2, "[1]"), (4, "{ข่าว")]
    assert [digest for _, _, digest in rows] == [hashlib.sha256(body.encode()).hexdigest() for _, body, _ in rows]


# --- the business records: report photos and contents, members who left (a moving clock) ------------------


def _network_figures(services, fiscal_year: int = 2569) -> list:
    """The network KPI ladder (levels and evidence) of a fiscal year and its quarters, to compare."""
    with services.sessions() as session:
        periods = (
            Period.of_fiscal_year(fiscal_year),
            *(Period.of_quarter(fiscal_year, quarter) for quarter in (1, 2, 3, 4)),
        )
        return [[(r.level, r.achieved, r.reason, r.evidence) for r in network_kpi(session, p).levels] for p in periods]


def _report_with_photo(session, store, chat, status, when, *, colour, text) -> tuple[int, int, str]:
    """A group report with a text and a stored photo; its id, the photo's media id and file path."""
    report = NewsReport(
        ref_no=f"NR-2569-{colour[0]:06d}",
        channel="group",
        chat_id=chat.id,
        sender_key="U" + f"{colour[0]:02d}" * 16,
        status=status,
        district="คลองเตย",
        place="หลังตลาด",
        latitude=13.7,
        longitude=100.5,
        started_at=when,
        last_item_at=when,
    )
    session.add(report)
    session.flush()
    media = stored_media(session, store, image_bytes(colour), when=when)
    session.add(ReportItem(report_id=report.id, kind="text", text=text, sent_at=when))
    session.add(ReportItem(report_id=report.id, kind="image", media_id=media.id, sent_at=when))
    session.flush()
    return report.id, media.id, media.path


def test_photos_then_contents_of_finished_reports_go_after_their_periods_and_the_counts_stay(app, services):
    store = MediaStore(app.config["MEDIA_DIR"])
    start = bkk(2026, 1, 10, 9, 0)
    day = timedelta(days=1)
    with time_machine.travel(start, tick=False) as clock:
        with services.sessions.begin() as session:
            chat = Chat(line_chat_id="C" + "1" * 32, chat_type="group", name="กลุ่มเครือข่าย", purpose="network")
            chat.registered_at, chat.occupation_code = start, "volunteer"
            session.add(chat)
            session.flush()
            forwarded = _report_with_photo(
                session, store, chat, ReportStatus.FORWARDED, start, colour=(1, 0, 0), text="ข่าวที่ส่งต่อแล้ว"
            )
            still_new = _report_with_photo(
                session, store, chat, ReportStatus.NEW, start, colour=(2, 0, 0), text="ข่าวที่ยังไม่ได้ดำเนินการ"
            )
            taken_up = _report_with_photo(
                session, store, chat, ReportStatus.FORWARDED, start, colour=(3, 0, 0), text="ข่าวที่ประชุมพิจารณา"
            )
            held = meeting(session, committee(session).id, start + 100 * day)  # takes it up 100 days later
            link_reports(session, held.id, [taken_up[0]])
        figures = _network_figures(services)
        assert figures[0][1][1] is True and figures[0][1][3]["reports_total"] == 3  # level 2 holds: not empty

        def run(days: int) -> retention.Counts:
            clock.move_to(start + days * day)
            return retention.purge(services.sessions, utcnow(), actor="test", store=store).counts

        def state(found):
            report_id, media_id, path = found
            with services.sessions() as session:
                media = session.get(MediaFile, media_id)
                report = session.get(NewsReport, report_id)
                texts = session.scalars(select(ReportItem.text).where(ReportItem.report_id == report_id)).all()
                return media.status, (store.root / path).exists(), report.place, texts, report.sender_key

        assert run(179).media_files == 0
        counts = run(181)
        assert (counts.media_files, counts.report_contents) == (1, 0)
        assert state(forwarded)[:3] == (MediaStatus.REMOVED, False, "หลังตลาด")  # the file is gone, the text not yet
        assert state(taken_up)[:2] == (MediaStatus.STORED, True)  # the meeting restarted its clock
        assert run(281).media_files == 1 and state(taken_up)[:2] == (MediaStatus.REMOVED, False)
        assert run(729).report_contents == 0
        counts = run(731)
        assert (counts.media_files, counts.report_contents) == (0, 1)
        status, _, place, texts, sender = state(forwarded)
        assert place is None and texts == [None, None] and sender == "U" + "01" * 16  # no member: no pseudonym
        assert state(taken_up)[3] == ["ข่าวที่ประชุมพิจารณา", None]
        assert run(831).report_contents == 1 and state(taken_up)[3] == [None, None]
        assert run(2000) == retention.Counts()
        assert state(still_new)[:4] == (MediaStatus.STORED, True, "หลังตลาด", ["ข่าวที่ยังไม่ได้ดำเนินการ", None])
        assert _network_figures(services) == figures
    [*_, last] = audit_entries(services, "retention.purge")
    assert last.detail["media_days"] == 180 and last.detail["closed_report_days"] == 730


def test_members_who_left_are_anonymised_after_their_period_and_level_1_stays(services):
    start = bkk(2026, 1, 10, 9, 0)
    day = timedelta(days=1)

    def member(number: int, status: MemberStatus, *, friend: bool) -> Member:
        return Member(
            line_user_id="U" + f"{number:02d}" * 16,
            display_name=f"คนที่ {number}",
            full_name=f"ชื่อจริง {number}",
            phone=f"08100000{number:02d}",
            is_friend=friend,
            status=status,
            occupation_code="volunteer",
            district="คลองเตย",
            registered_at=start - 30 * day,
            decided_at=start if status != MemberStatus.UNREGISTERED else None,
        )

    staff = make_staff(services, "lead")
    with time_machine.travel(start, tick=False) as clock:
        with services.sessions.begin() as session:
            people = {
                "suspended": member(1, MemberStatus.SUSPENDED, friend=True),
                "blocked": member(2, MemberStatus.APPROVED, friend=False),
                "rejected": member(3, MemberStatus.REJECTED, friend=True),
                "group_only": member(4, MemberStatus.UNREGISTERED, friend=False),
                "active": member(5, MemberStatus.APPROVED, friend=True),
                "still_reporting": member(6, MemberStatus.APPROVED, friend=False),
                "staff": member(7, MemberStatus.UNREGISTERED, friend=False),
            }
            session.add_all(people.values())
            session.flush()
            session.add(StaffLineLink(staff_user_id=staff, line_user_id=people["staff"].line_user_id))
            ids = {name: person.id for name, person in people.items()}

        clock.move_to(start + 200 * day)  # a report from one who blocked the bot: a sign of life
        with services.sessions.begin() as session:
            session.add(
                NewsReport(
                    channel="group",
                    reporter_id=ids["still_reporting"],
                    sender_key="U" + "06" * 16,
                    status=ReportStatus.NEW,
                    started_at=utcnow(),
                    last_item_at=utcnow(),
                )
            )
        figures = _network_figures(services)
        assert figures[0][0][3]["registered_members_by_occupation"] == {"จิตอาสา": 3}  # level 1 counts them

        def run(days: int) -> int:
            clock.move_to(start + days * day)
            return retention.purge(services.sessions, utcnow(), actor="test").counts.departed_members

        def anonymised() -> set[str]:
            with services.sessions() as session:
                rows = {name: session.get(Member, member_id) for name, member_id in ids.items()}
                return {name for name, row in rows.items() if row.erased_at is not None}

        assert run(364) == 0 and anonymised() == set()
        assert run(366) == 4
        assert anonymised() == {"suspended", "blocked", "rejected", "group_only"}
        with services.sessions() as session:
            blocked = session.get(Member, ids["blocked"])
            assert (blocked.full_name, blocked.phone, blocked.display_name) == (None, None, None)
            assert blocked.line_user_id == f"anon:{blocked.reporter_code}" and blocked.status == MemberStatus.APPROVED
            assert session.get(Member, ids["active"]).full_name == "ชื่อจริง 5"
        assert run(565) == 0
        assert run(567) == 1 and "still_reporting" in anonymised()
        assert run(3000) == 0 and "active" not in anonymised() and "staff" not in anonymised()
        assert _network_figures(services) == figures


def test_the_dry_run_and_the_cli_list_the_new_periods(app, services):
    with time_machine.travel(bkk(2025, 1, 1, 9, 0), tick=False), services.sessions.begin() as session:
        session.add(Member(line_user_id="U" + "9" * 32, status=MemberStatus.SUSPENDED, decided_at=utcnow()))
    outcome = retention.purge(services.sessions, utcnow(), actor="test", dry_run=True)
    assert outcome.counts.departed_members == 1 and outcome.rules.departed_member_days == 365
    output = app.test_cli_runner().invoke(args=["retention", "run"]).output
    assert "รูปภาพและไฟล์ของข่าวที่ดำเนินการเสร็จแล้ว (เกิน 180 วัน): 0 รายการ" in output
    assert "ข้อความและสถานที่ของข่าวที่ดำเนินการเสร็จแล้ว (เกิน 730 วัน): 0 เรื่อง" in output
    assert "สมาชิกที่ออกจากเครือข่ายแล้ว ทำให้ไม่สามารถระบุตัวตนได้ (เกิน 365 วัน): 1 คน" in output
