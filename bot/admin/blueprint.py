"""The admin blueprint, its security headers and what every admin template can use."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, Response

from bot.admin import texts
from bot.auth import Permission, can
from bot.request_session import db
from models.timeutil import thai_datetime
from reports.documents.month_report import actor_name
from texts.month_report import UNKNOWN_ACTOR

bp = Blueprint("admin", __name__, url_prefix="/admin")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)


def secure_headers(response: Response) -> Response:
    """No caching of pages that may hold personal data, no framing, no inline script."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    return response


bp.after_request(secure_headers)


def is_safe_next(target: str | None) -> bool:
    """Tell whether a ?next= target stays on this site (a path, not another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


@bp.app_template_filter("thai_dt")
def thai_dt(moment: datetime | None) -> str:
    """Show an aware datetime in Bangkok time with a Buddhist Era date, or a dash."""
    return thai_datetime(moment) if moment is not None else "–"


@bp.app_template_filter("who")
def who(username: str | None) -> str:
    """A recorder or actor as a person reads it: the staff member's name, or the system in Thai."""
    if not username:
        return "–"
    name = actor_name(db(), username)
    return username if name == UNKNOWN_ACTOR else name  # a name given in LINE is already a person's name


@bp.record_once
def _template_globals(state) -> None:
    """Labels, the permission check and the app name, for every template and macro."""
    state.app.jinja_env.globals.update(can=can, Permission=Permission, texts=texts, label=texts.label)
