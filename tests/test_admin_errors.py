"""Thai error pages, JSON errors under /api/, and the 500 handler that rolls the session back."""

from __future__ import annotations

import pytest

from bot.admin import errors
from bot.request_session import db
from models import AuditEntry
from tests.test_admin_support import audit_entries


@pytest.fixture
def failing_app(app, monkeypatch):
    """The app with a view that writes, then fails; exceptions reach the 500 handler as in production."""
    rollbacks = []
    real_rollback = errors.rollback_session

    def counting_rollback():
        rollbacks.append(True)
        real_rollback()

    monkeypatch.setattr(errors, "rollback_session", counting_rollback)

    def boom():
        session = db()
        session.add(AuditEntry(actor="half-done", action="test.write"))
        session.flush()
        raise RuntimeError("a bug")

    app.add_url_rule("/admin/boom", "boom", boom)
    app.add_url_rule("/api/v1-boom", "api_boom", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.rollbacks = rollbacks
    return app


def test_500_rolls_back_and_apologises_in_thai(failing_app, services):
    response = failing_app.test_client().get("/admin/boom")
    assert response.status_code == 500
    assert "ขออภัย ระบบขัดข้องชั่วคราว" in response.get_data(as_text=True)
    assert "a bug" not in response.get_data(as_text=True)
    assert failing_app.rollbacks == [True]
    assert audit_entries(services, "test.write") == []


def test_500_under_the_api_prefix_is_json(failing_app, services):
    response = failing_app.test_client().get("/api/v1-boom")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"


def test_404_is_thai(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "ไม่พบหน้าที่ต้องการ" in text and 'lang="th"' in text


def test_admin_pages_send_security_headers(client):
    response = client.get("/admin/login")
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_stylesheet_is_served_locally(client):
    response = client.get("/static/admin.css")
    assert response.status_code == 200
    assert "--brand" in response.get_data(as_text=True)
    response.close()
