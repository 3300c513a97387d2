"""Alembic environment: the database comes from FieldLine's own configuration."""

from alembic import context
from sqlalchemy import create_engine, pool

from models import Base
from runtime.config import normalise_database_url

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    """The URL given by the caller, else DATABASE_URL, else the embedded SQLite default."""
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    if url:
        return normalise_database_url(url)
    from runtime.config import load_config

    return load_config(env={**__import__("os").environ, "FIELDLINE_MODE": "demo"})["DATABASE_URL"]


def run_migrations_offline() -> None:
    """Emit SQL without a connection."""
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations on a connection (given by the caller, or opened here)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
