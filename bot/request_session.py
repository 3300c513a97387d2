"""One database session per web request, closed (rolled back if uncommitted) when the request ends."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session


def db() -> Session:
    """The current request's session; views commit it themselves, once, when they change something."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["fieldline"].sessions()
    return g.db_session


def rollback_session() -> None:
    """Roll back the request's session if one was opened (the 500 handler)."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def close_session(_exc: BaseException | None = None) -> None:
    """Close the request's session at teardown."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
