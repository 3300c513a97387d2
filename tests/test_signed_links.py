"""Signed, expiring download links: the token, and GET /d/<token> serving only what a valid link names."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import downloads
from models import AuditEntry, Role
from models.timeutil import utcnow
from runtime.downloads import LinkExpired, LinkInvalid, make_token, read_token
from tests.test_admin_support import login, make_staff

SECRET = "test-secret"


def test_a_token_names_its_document_until_it_expires():
    now = utcnow()
    hour = timedelta(hours=1)
    token = make_token(SECRET, kind="kpi-report", ref="7", fmt="pdf", made_for="line:3", ttl=hour, now=now)
    wanted = read_token(SECRET, token, now=now + timedelta(minutes=59))
    assert (wanted.kind, wanted.ref, wanted.fmt, wanted.made_for) == ("kpi-report", "7", "pdf", "line:3")
    with pytest.raises(LinkExpired):
        read_token(SECRET, token, now=now + timedelta(hours=1))


def test_an_altered_token_or_another_key_is_refused():
    token = make_token(SECRET, kind="kpi-report", ref="7", fmt="pdf", made_for="x")
    with pytest.raises(LinkInvalid):
        read_token("another-secret", token)
    with pytest.raises(LinkInvalid):
        read_token(SECRET, token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"))
    with pytest.raises(LinkInvalid):
        read_token(SECRET, "not-a-token")


@pytest.fixture
def sample_kinds():
    """Two kinds of document for the tests: one open to its link, one that also needs a signed-in secretariat."""
    made = []

    @downloads.producer("test-open")
    def _open(session, wanted):
        made.append(wanted.ref)
        return None if wanted.ref == "gone" else downloads.File(f"รายงาน {wanted.ref}.pdf", b"%PDF-1.4 test")

    @downloads.producer("test-private", login=True)
    def _private(session, wanted):
        return downloads.File("ชุดหลักฐาน.zip", b"PK test")

    yield made
    downloads.PRODUCERS.pop("test-open")
    downloads.PRODUCERS.pop("test-private")


def _link(app, **args) -> str:
    with app.app_context():
        return downloads.signed_link(**args).removeprefix(app.config["PUBLIC_BASE_URL"])


def test_a_valid_link_downloads_with_its_thai_name_and_is_audited(app, client, services, sample_kinds):
    path = _link(app, kind="test-open", ref="42", fmt="pdf", made_for="line:9")
    response = client.get(path)
    assert response.status_code == 200
    assert response.data == b"%PDF-1.4 test"
    assert response.mimetype == "application/pdf"
    assert "filename*=UTF-8''%E0%B8%A3" in response.headers["Content-Disposition"]
    with services.sessions() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == downloads.AUDIT_ACTION))
    assert entry.object_type == "test-open" and entry.object_id == "42"
    assert entry.detail["made_for"] == "line:9"


def test_expired_forged_and_vanished_links_answer_in_thai(app, client, sample_kinds):
    expired = _link(app, kind="test-open", ref="1", fmt="pdf", made_for="x", ttl=timedelta(seconds=-1))
    response = client.get(expired)
    assert response.status_code == 410
    assert "หมดอายุ" in response.get_data(as_text=True)
    forged = client.get("/d/" + "x" * 40)
    assert forged.status_code == 404 and "ไม่ถูกต้อง" in forged.get_data(as_text=True)
    gone = client.get(_link(app, kind="test-open", ref="gone", fmt="pdf", made_for="x"))
    assert gone.status_code == 404 and "ไม่พบเอกสาร" in gone.get_data(as_text=True)
    unknown = client.get(_link(app, kind="no-such-kind", ref="1", fmt="pdf", made_for="x"))
    assert unknown.status_code == 404


def test_a_private_kind_also_needs_a_signed_in_secretariat(app, client, services, sample_kinds):
    path = _link(app, kind="test-private", ref="5", fmt="zip", made_for="secretariat")
    anonymous = client.get(path)
    assert anonymous.status_code == 302 and "/admin/login" in anonymous.headers["Location"]
    make_staff(services, "officer1", Role.DISTRICT_OFFICER, districts=("บางรัก",))
    login(client, "officer1")
    assert client.get(path).status_code == 403
    make_staff(services, "sec1", Role.SECRETARIAT)
    secretariat = app.test_client()
    login(secretariat, "sec1")
    response = secretariat.get(path)
    assert response.status_code == 200 and response.data == b"PK test"
