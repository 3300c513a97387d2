"""The baseline: the least a LINE webhook can do. Verify the signature, parse JSON, insert one row.

Served by gunicorn with the repository's gunicorn.conf.py, like FieldLine:
`gunicorn -c gunicorn.conf.py 'bench.webhook.baseline:create_app()'` with DATABASE_URL and
LINE_CHANNEL_SECRET set. The engine comes from runtime.db.make_engine so both apps talk to the
database with the same driver, pool and SQLite pragmas; nothing else of FieldLine is used.
The table (baseline_events) is created by create_table before gunicorn starts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os

from flask import Flask, abort, request
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, func, insert, select

from runtime.config import normalise_database_url
from runtime.db import make_engine

metadata = MetaData()
events = Table(
    "baseline_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("received_at", DateTime(timezone=True), server_default=func.current_timestamp()),
    Column("event_count", Integer, nullable=False),
    Column("body", Text, nullable=False),
)


def create_table(database_url: str) -> None:
    """Create the baseline's one table."""
    engine = make_engine(normalise_database_url(database_url))
    metadata.create_all(engine)
    engine.dispose()


def count_rows(database_url: str) -> int:
    """How many rows the baseline stored."""
    engine = make_engine(normalise_database_url(database_url))
    with engine.connect() as connection:
        rows = connection.scalar(select(func.count()).select_from(events))
    engine.dispose()
    return rows


def create_app() -> Flask:
    """The baseline Flask app."""
    app = Flask(__name__)
    secret = os.environ["LINE_CHANNEL_SECRET"].encode()
    engine = make_engine(normalise_database_url(os.environ["DATABASE_URL"]))

    @app.post("/callback")
    def callback():
        body = request.get_data()
        expected = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest())
        if not hmac.compare_digest(expected, (request.headers.get("x-line-signature") or "").encode()):
            abort(400)
        try:
            data = json.loads(body)
        except ValueError:
            abort(400)
        with engine.begin() as connection:
            connection.execute(insert(events).values(event_count=len(data.get("events", [])), body=body.decode()))
        return "OK"

    @app.get("/healthz")
    def healthz():
        return "OK"

    return app
