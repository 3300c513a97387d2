"""Fixtures shared by every test: a migrated database (SQLite or PostgreSQL), the app, LINE helpers.

The database comes from TEST_DATABASE_URL (a PostgreSQL server URL; a fresh database is created
on it for the run and dropped afterwards) or, when unset, a SQLite file in a temporary folder.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from bench.databases import fresh_postgres
from bot import create_app, signature
from bot.migrate import upgrade
from models import Base

pytest_plugins = ["tests.line_fixtures", "tests.browser"]

SECRET = "8c570fa6dd201bb328f1c1eac23a96d8"
TOKEN = "test-access-token"
LINE_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "line"  # vendored; see its README.md


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A migrated database for the whole run, on PostgreSQL when TEST_DATABASE_URL says so."""
    server = os.environ.get("TEST_DATABASE_URL")
    if server:
        url, drop = fresh_postgres(server, "fieldline_test")
    else:
        url, drop = f"sqlite:///{tmp_path_factory.mktemp('db') / 'fieldline.db'}", None
    upgrade(url)
    yield url
    if drop:
        drop()


def bot_config(database_url: str, tmp_path, **overrides) -> dict:
    """The test app's config: production mode, test secrets, no background thread; with overrides."""
    config = {
        "TESTING": True,
        "FIELDLINE_MODE": "production",
        "DATABASE_URL": database_url,
        "LINE_CHANNEL_SECRET": SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
        "SECRET_KEY": "test-secret-key",
        "SPOOL_DIR": str(tmp_path / "spool"),
        "MEDIA_DIR": str(tmp_path / "media"),
        "LINE_API_BASE_URL": "http://127.0.0.1:9",
        "BACKGROUND_WORKER": False,
        "SESSION_COOKIE_SECURE": False,
    }
    config.update(overrides)
    return config


@pytest.fixture
def app(database_url, tmp_path, monkeypatch):
    """A FieldLine app on the test database, emptied before each test; no background thread."""
    monkeypatch.setenv("FIELDLINE_INSTANCE_DIR", str(tmp_path / "instance"))
    application = create_app(bot_config(database_url, tmp_path))
    _empty_tables(application.extensions["fieldline"].engine)
    yield application
    application.extensions["fieldline"].close()


SEEDED_BY_MIGRATIONS = {"occupations", "report_categories"}


def _empty_tables(engine) -> None:
    """Delete every row but the migrations' reference data, children first, before each test."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in SEEDED_BY_MIGRATIONS:
                connection.execute(table.delete())


@pytest.fixture
def services(app):
    """The app's shared services (sessions, intake, processor, worker, messenger)."""
    return app.extensions["fieldline"]


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def post_webhook(client):
    """Sign a body with the test channel secret and POST it to /callback."""

    def post(payload, *, secret: str = SECRET, raw: bytes | None = None):
        body = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()
        return client.post(
            "/callback",
            data=body,
            headers={"x-line-signature": signature.sign(secret, body), "content-type": "application/json"},
        )

    return post


@pytest.fixture
def sample_events():
    """LINE's recorded webhook body from line-bot-sdk-python's tests (28 events), vendored in tests/fixtures/line."""
    return json.loads((LINE_FIXTURES / "sample-webhook-events.json").read_text(encoding="utf-8"))


@pytest.fixture
def live_server(app):
    """The app served on a real port by werkzeug in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    server.server_close()


@pytest.fixture
def secretariat(client, services):
    """The test client signed in as a secretariat staff member (noi)."""
    from models import Role
    from tests.test_admin_support import login, make_staff

    make_staff(services, "noi", Role.SECRETARIAT)
    assert login(client, "noi").status_code == 302
    return client
