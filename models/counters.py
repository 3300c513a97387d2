"""Running numbers per year, safe when several processes take numbers at once."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models.network import Counter


def next_number(session: Session, name: str, year: int) -> int:
    """Take the next number of a named counter for a year (1, 2, 3 ...)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(Counter).values(name=name, year=year, value=0).on_conflict_do_nothing())
    statement = (
        update(Counter)
        .where(Counter.name == name, Counter.year == year)
        .values(value=Counter.value + 1)
        .returning(Counter.value)
    )
    return session.execute(statement).scalar_one()


def raise_counter(session: Session, name: str, year: int, value: int) -> None:
    """Make a counter's next number come after ``value`` (a number given by hand was taken)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(Counter).values(name=name, year=year, value=0).on_conflict_do_nothing())
    condition = (Counter.name == name, Counter.year == year, Counter.value < value)
    session.execute(update(Counter).where(*condition).values(value=value))


def report_ref(number: int, be_year: int) -> str:
    """A news report's reference, e.g. NR-2569-000123."""
    return f"NR-{be_year}-{number:06d}"
