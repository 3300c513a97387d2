"""The schema is created only by Alembic migrations, and they match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from models import Base


def test_migrations_create_every_table_of_the_models(database_url):
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            assert {table.name for table in Base.metadata.sorted_tables} <= tables
            assert "alembic_version" in tables
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_network_revision_gives_existing_members_a_reporter_code(tmp_path):
    from bot.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0002_admin")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO members (line_user_id, is_friend, first_seen_at, updated_at) "
                "VALUES ('U1', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        upgrade(url)
        with engine.connect() as connection:
            code, status = connection.exec_driver_sql("SELECT reporter_code, status FROM members").one()
            occupations = connection.exec_driver_sql("SELECT count(*) FROM occupations").scalar_one()
    finally:
        engine.dispose()
    assert code.startswith("R-") and len(code) == 8
    assert status == "unregistered"
    assert occupations == 8
