"""Fresh PostgreSQL databases for benchmarks and tests, and the --pg-url option that names the server."""

from __future__ import annotations

import argparse
import os
import uuid
from collections.abc import Callable

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
