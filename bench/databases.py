"""Fresh databases for benchmarks and tests, the --pg-url option that names the server, and where results go."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from runtime.config import normalise_database_url


def fresh_postgres(server: str, prefix: str) -> tuple[str, Callable[[], None]]:
    """Create a uniquely named database on the server; return its URL and a function that drops it."""
    url = make_url(normalise_database_url(server))
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def add_pg_url(parser: argparse.ArgumentParser, help: str) -> None:
    """Add --pg-url: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local server."""
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_DATABASE_URL")
        or os.environ.get("TEST_DATABASE_URL")
        or "postgresql://postgres@127.0.0.1:5432/postgres",
        help=help,
    )


RESULTS = Path(__file__).resolve().parent / "results"


@contextmanager
def bench_database(label: str, pg_url: str, prefix: str) -> Iterator[str]:
    """A fresh database to fill: an SQLite file in a temporary folder ("sqlite"), else a new database on the
    PostgreSQL server; removed afterwards."""
    if label == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    url, drop = fresh_postgres(pg_url, prefix)
    try:
        yield url
    finally:
        drop()


def chosen(only: str | None) -> list[str]:
    """The databases a bench's --only asks for: both, or the one named."""
    return [label for label in ("sqlite", "postgres") if only in (None, label)]


def save_results(kind: str, results: list) -> Path:
    """Write a bench's results to bench/results/<kind>-<UTC time>.json and say where."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{kind}-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"results: {out}")
    return out
