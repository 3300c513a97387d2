"""Engine and session factory, built in the app factory and kept in app.extensions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_index_hint(_compiler, _table, text: str | None) -> str | None:
    """Render select().with_hint(table, "INDEXED BY ix_name", "sqlite") after the table's name.

    SQLAlchemy's SQLite compiler drops table hints; SQLite's planner, without statistics, picks an index
    that makes the inbox's claim sort the whole queue, so the claim names the index that answers it.
    """
    return text


SQLiteCompiler.get_from_hint_text = _sqlite_index_hint


def make_engine(url: str, *, connect_timeout: float = 5.0) -> Engine:
    """Create an engine tuned for FieldLine's two databases."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _sqlite_pragmas(engine)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        pool_timeout=5,
        connect_args={"connect_timeout": max(2, int(connect_timeout)), "application_name": "fieldline"},
    )


def make_intake_engine(url: str, *, connections: int, connect_timeout: float = 5.0) -> Engine:
    """The webhook intake's engine: on PostgreSQL autocommit and no pre-ping, one round trip per body.

    A connection the database dropped is noticed by the insert itself (Intake retries once on a
    fresh one); the pool holds one connection per intake thread.
    """
    if url.startswith("sqlite"):
        return make_engine(url)
    return create_engine(
        url,
        isolation_level="AUTOCOMMIT",
        pool_size=connections,
        max_overflow=0,
        pool_timeout=5,
        connect_args={"connect_timeout": max(2, int(connect_timeout)), "application_name": "fieldline-intake"},
    )


def _sqlite_pragmas(engine: Engine) -> None:
    """WAL, foreign keys and immediate write transactions so concurrent claims serialise."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def long_read(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session for a long read (an evidence pack) that never holds SQLite's write lock.

    On SQLite every transaction of the shared engine begins IMMEDIATE (it takes the write lock), so a read
    lasting minutes would keep the web and the clock from writing; this session has its own connection
    with a deferred BEGIN (WAL lets it read while others write). On PostgreSQL: a session of the factory.
    """
    engine = sessions.kw["bind"]
    if engine.dialect.name != "sqlite":
        with sessions() as session:
            yield session
        return
    reader = create_engine(engine.url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(reader, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(reader, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN")

    try:
        with Session(reader, expire_on_commit=False) as session:
            yield session
    finally:
        reader.dispose()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory; callers own each session and its transaction."""
    return sessionmaker(engine, expire_on_commit=False)


def is_postgres(session_or_engine) -> bool:
    """Tell whether a session or engine talks to PostgreSQL."""
    bind = session_or_engine.get_bind() if isinstance(session_or_engine, Session) else session_or_engine
    return bind.dialect.name == "postgresql"
