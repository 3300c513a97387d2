"""The inbox pages: list and filters without content, event detail, retry, pagination, dates."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from models import InboxStatus
from tests.test_admin_support import SECRET_TEXT, add_event, audit_entries, event_status, post_form


def test_list_shows_metadata_but_never_the_message(secretariat, services):
    event_id = add_event(services, status=InboxStatus.PARKED, last_error="KeyError: 'postback'")
    page = secretariat.get("/admin/inbox").get_data(as_text=True)
    assert f'id="event-{event_id}"' in page
    assert "ข้อความ" in page and "แชตส่วนตัว" in page and "พักไว้" in page and "KeyError" in page
    assert SECRET_TEXT not in page
    assert "U0123456789abcdef" not in page  # nor the sender's LINE id
    assert audit_entries(services, "view.inbox_payload") == []


def test_list_filters_by_status_and_type(secretariat, services):
    parked = add_event(services, status=InboxStatus.PARKED, event_type="message")
    done = add_event(services, status=InboxStatus.DONE, event_type="message", last_error=None)
    follow = add_event(services, status=InboxStatus.PARKED, event_type="follow")
    page = secretariat.get("/admin/inbox?status=parked").get_data(as_text=True)
    assert f'id="event-{parked}"' in page and f'id="event-{follow}"' in page and f'id="event-{done}"' not in page
    page = secretariat.get("/admin/inbox?status=parked&type=follow").get_data(as_text=True)
    assert f'id="event-{follow}"' in page and f'id="event-{parked}"' not in page
    page = secretariat.get("/admin/inbox?status=bogus").get_data(as_text=True)  # an unknown filter is ignored
    assert all(f'id="event-{i}"' in page for i in (parked, done, follow))


def test_received_time_is_bangkok_time_in_the_buddhist_era(secretariat, services):
    with time_machine.travel(datetime(2026, 11, 22, 7, 5, tzinfo=UTC), tick=False):
        add_event(services)
    page = secretariat.get("/admin/inbox").get_data(as_text=True)
    assert "22 พ.ย. 2569 14:05 น." in page


def test_list_is_paginated(secretariat, services):
    ids = [add_event(services, status=InboxStatus.DONE, last_error=None) for _ in range(5)]
    first = secretariat.get("/admin/inbox?per_page=2").get_data(as_text=True)
    assert f'id="event-{ids[-1]}"' in first and f'id="event-{ids[-3]}"' not in first  # newest first
    assert "หน้า 1 จาก 3" in first
    assert "page=2" in first
    last = secretariat.get("/admin/inbox?per_page=2&page=3").get_data(as_text=True)
    assert f'id="event-{ids[0]}"' in last and "หน้า 3 จาก 3" in last


def test_detail_shows_the_payload_to_secretariat_and_audits_the_view(secretariat, services):
    event_id = add_event(services)
    page = secretariat.get(f"/admin/inbox/{event_id}")
    assert page.status_code == 200
    assert SECRET_TEXT in page.get_data(as_text=True)
    [entry] = audit_entries(services, "view.inbox_payload")
    assert (entry.actor, entry.object_type, entry.object_id) == ("noi", "inbox_event", str(event_id))
    assert SECRET_TEXT not in str(entry.detail)
    assert page.headers["Cache-Control"] == "no-store"


def test_unknown_event_is_a_thai_404(secretariat):
    response = secretariat.get("/admin/inbox/999999")
    assert response.status_code == 404
    assert "ไม่พบหน้าที่ต้องการ" in response.get_data(as_text=True)


def test_retry_moves_a_parked_event_back_to_pending(secretariat, services):
    event_id = add_event(services, status=InboxStatus.PARKED, attempts=5)
    listing = secretariat.get("/admin/inbox?status=parked").get_data(as_text=True)
    assert f"/admin/inbox/{event_id}/retry" in listing
    response = post_form(secretariat, f"/admin/inbox/{event_id}/retry", {"next": "/admin/inbox?status=parked"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/inbox?status=parked"
    assert event_status(services, event_id) == InboxStatus.PENDING
    [entry] = audit_entries(services, "inbox.retry")
    assert entry.object_id == str(event_id)
    follow = secretariat.get("/admin/inbox?status=parked").get_data(as_text=True)
    assert f"ส่งเหตุการณ์ #{event_id} กลับเข้าคิวแล้ว" in follow


def test_retry_also_takes_failed_events_but_not_done_ones(secretariat, services):
    failed = add_event(services, status=InboxStatus.FAILED, attempts=2)
    done = add_event(services, status=InboxStatus.DONE, last_error=None)
    post_form(secretariat, f"/admin/inbox/{failed}/retry")
    assert event_status(services, failed) == InboxStatus.PENDING
    response = post_form(secretariat, f"/admin/inbox/{done}/retry")
    assert response.status_code == 302
    assert event_status(services, done) == InboxStatus.DONE
    assert "ลองใหม่ได้เฉพาะเหตุการณ์ที่ล้มเหลวหรือถูกพักไว้" in secretariat.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_retry_needs_post_and_csrf(secretariat, services):
    event_id = add_event(services, status=InboxStatus.PARKED)
    assert secretariat.get(f"/admin/inbox/{event_id}/retry").status_code == 405
    assert secretariat.post(f"/admin/inbox/{event_id}/retry").status_code == 400
    assert event_status(services, event_id) == InboxStatus.PARKED


def test_retry_refuses_an_off_site_next(secretariat, services):
    event_id = add_event(services, status=InboxStatus.PARKED)
    response = post_form(secretariat, f"/admin/inbox/{event_id}/retry", {"next": "https://evil.example/"})
    assert response.headers["Location"] == f"/admin/inbox/{event_id}"


def test_dashboard_counts_by_status(secretariat, services):
    add_event(services, status=InboxStatus.PARKED)
    add_event(services, status=InboxStatus.PARKED)
    add_event(services, status=InboxStatus.DONE, last_error=None)
    page = secretariat.get("/admin/inbox/health").get_data(as_text=True)
    assert 'href="/admin/inbox?status=parked"' in page
    parked_tile = page.split('tile-parked" href="/admin/inbox?status=parked">')[1]
    assert parked_tile.split("</span>")[0].strip().endswith(">2")
    assert SECRET_TEXT not in page
    home = secretariat.get("/admin/").get_data(as_text=True)
    assert 'id="tile-parked-events" href="/admin/inbox?status=parked"' in home and SECRET_TEXT not in home
