"""Each member's rich menu in LINE: link the menu their roles call for, again whenever it changes.

``services.roles.refresh_menu`` writes the menu a member should see (``Member.menu_wanted``); the
worker calls ``link_due`` each round, which links that menu to the member in LINE and records it in
``menu_linked``. A failure of the moment (network, 429, 5xx) is tried again after RETRY_AFTER and
ends the round; a refusal (4xx: LINE does not know the user or the menu) is not repeated until the
wanted menu changes or the menus are deployed again (``menu_linked`` then holds GAVE_UP + the menu).
No transaction stays open during a call to LINE.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import literal, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from line.messenger import LineApiError, Messenger
from models import Member
from models.settings import get_setting, set_setting
from models.timeutil import utcnow
from services.roles import refresh_menu

log = logging.getLogger(__name__)

DEPLOYED = "richmenu.deployed"
RETRY_AFTER = timedelta(minutes=5)
GAVE_UP = "!"  # menu_linked = "!patrol": LINE refused to link the patrol menu; not tried again for it


@dataclass(frozen=True)
class Due:
    """A member whose menu is to be linked: their row id, LINE user id and wanted menu."""

    member_id: int
    line_user_id: str
    wanted: str


def deployed_ids(session: Session) -> dict[str, str]:
    """The rich menu ids in LINE by menu name (empty before the first deploy)."""
    return dict(get_setting(session, DEPLOYED) or {})


def record_deployment(session: Session, deployed: dict[str, str]) -> None:
    """Remember newly deployed menus and have every member linked to them again."""
    set_setting(session, DEPLOYED, dict(deployed), by="richmenu deploy")
    session.execute(update(Member).values(menu_linked=None, menu_tried_at=None))
    undecided = select(Member).where(Member.is_friend, Member.menu_wanted.is_(None))
    for member in session.scalars(undecided):
        refresh_menu(session, member)


def _due(session: Session, limit: int) -> list[Due]:
    """Friends whose wanted menu is not the one linked, not given up on, and not tried too recently."""
    query = (
        select(Member.id, Member.line_user_id, Member.menu_wanted)
        .where(
            Member.is_friend,
            Member.menu_wanted.is_not(None),
            Member.menu_linked.is_distinct_from(Member.menu_wanted),
            or_(Member.menu_linked.is_(None), Member.menu_linked != literal(GAVE_UP) + Member.menu_wanted),
            or_(Member.menu_tried_at.is_(None), Member.menu_tried_at <= utcnow() - RETRY_AFTER),
        )
        .order_by(Member.menu_tried_at.is_not(None), Member.id)
        .limit(limit)
    )
    return [Due(*row) for row in session.execute(query)]


def _record(session_factory: sessionmaker[Session], due: Due, linked: str | None) -> None:
    """Store what is now linked (None: unchanged, try again later), unless the wanted menu changed meanwhile."""
    with session_factory() as session, session.begin():
        member = session.get(Member, due.member_id)
        if member is None or member.menu_wanted != due.wanted:
            return
        if linked is not None:
            member.menu_linked = linked
        member.menu_tried_at = None if linked == due.wanted else utcnow()


def link_due(session_factory: sessionmaker[Session], messenger: Messenger, limit: int = 50) -> int:
    """Link the wanted rich menu to members whose linked one differs; return how many were linked."""
    with session_factory() as session:
        ids = deployed_ids(session)
        due = _due(session, limit) if ids else []
    linked = 0
    for item in due:
        menu_id = ids.get(item.wanted)
        if menu_id is None:
            log.warning("rich menu %s is not deployed; run `flask --app bot richmenu deploy`", item.wanted)
            _record(session_factory, item, GAVE_UP + item.wanted)
            continue
        try:
            messenger.link_rich_menu(item.line_user_id, menu_id)
        except LineApiError as exc:
            if exc.retryable:
                log.warning("rich menu link postponed: LINE answered %s", exc.status)
                _record(session_factory, item, None)
                break  # LINE is unwell: the others wait for the next try too
            log.info("rich menu %s not linked to member %s: LINE answered %s", item.wanted, item.member_id, exc.status)
            _record(session_factory, item, GAVE_UP + item.wanted)
            continue
        _record(session_factory, item, item.wanted)
        linked += 1
    return linked
