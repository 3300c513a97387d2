"""What the network's admin pages share: district scope, the acting user, audit helpers, template labels."""

from __future__ import annotations

from typing import TypeVar

from flask import abort, request, url_for
from flask_login import current_user
from sqlalchemy.orm import Session

from bot.admin import network_texts
from bot.admin.blueprint import bp
from bot.audit import record_request
from bot.auth import Permission, can, visible_districts
from bot.request_session import db
from models.timeutil import thai_date
from services.audit import Action

T = TypeVar("T")


def may_see_district(district: str | None, user: object = None) -> bool:
    """Whether the user (default: the signed-in one) may see data of a district (None: only unscoped roles)."""
    districts = visible_districts(current_user if user is None else user)
    return districts is None or (district is not None and district in districts)


def visible_or_404(model: type[T], row_id: int) -> T:
    """A member or report of a district the signed-in user may see (district officers: theirs only), or a 404."""
    row = db().get(model, row_id)
    if row is None or not may_see_district(row.district):
        abort(404)
    return row


def wants_identities(arg: str = "identities") -> bool:
    """Whether the request asks for identities (?<arg>=1) and the signed-in user may see them."""
    return request.args.get(arg) == "1" and can(current_user, Permission.VIEW_IDENTITIES)


def actor() -> str:
    """The signed-in user's name for 'by' columns."""
    return current_user.username


def audit_identities(session: Session, member_ids: list[int], **detail: object) -> None:
    """Audit that the current user saw the names and phones of these members."""
    if member_ids:
        record_request(
            session,
            Action.VIEW_IDENTITY,
            object_type="member",
            object_id=member_ids[0] if len(member_ids) == 1 else None,
            ids=member_ids,
            count=len(member_ids),
            **detail,
        )


def report_url(report_id: int) -> str:
    """The report page's URL."""
    return url_for("admin.network_report", report_id=report_id)


@bp.app_template_filter("thai_day")
def thai_day(moment) -> str:
    """A date (or the Bangkok date of an aware datetime) in Thai with the BE year, or a dash."""
    return thai_date(moment, short=True) if moment is not None else "–"


@bp.record_once
def _template_globals(state) -> None:
    """The network's Thai labels for every template."""
    state.app.jinja_env.globals.update(nt=network_texts)
