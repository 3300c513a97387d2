"""Who someone is on the LINE side: volunteer, patrol officer, department clerk, secretariat.

One home for the question "may this LINE user do this?": the handlers ask ``roles_of`` before a patrol
check-in, a camera check or a unit's month report, and the rich menu a user sees follows the same roles
(``menu_for``; the worker links it in LINE when it changes, runtime/rich_menus.py).

- **Volunteer**: a registered network member (approved or waiting for approval).
- **Patrol officer**: on the active roster of a patrol unit.
- **Department clerk**: on the active roster of a department.
- **Secretariat**: a LINE account linked to an active admin or secretariat staff account, or on the
  roster of the secretariat unit.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Member, MemberStatus, RiskUnit, RosterStatus, UnitKind, UnitMembership
from services.workgroup.staff import is_secretariat, staff_for_line_user


class Menu(enum.StrEnum):
    """The rich menus, one per role; a person with several roles sees the first that applies."""

    SECRETARIAT = "secretariat"
    PATROL = "patrol"
    CLERK = "clerk"
    VOLUNTEER = "volunteer"
    NEWCOMER = "newcomer"


REGISTERED = (MemberStatus.PENDING, MemberStatus.APPROVED)


@dataclass(frozen=True)
class Roles:
    """What one LINE user may do: their member row, the units whose roster they are on, secretariat or not."""

    member: Member | None
    units: tuple[RiskUnit, ...] = field(default_factory=tuple)
    secretariat: bool = False

    @property
    def volunteer(self) -> bool:
        """A registered network member (approved, or waiting for approval)."""
        return self.member is not None and self.member.status in REGISTERED

    @property
    def patrol_units(self) -> list[RiskUnit]:
        """The patrol units the person is on the roster of."""
        return [unit for unit in self.units if unit.kind == UnitKind.PATROL]

    @property
    def departments(self) -> list[RiskUnit]:
        """The departments the person is on the roster of."""
        return [unit for unit in self.units if unit.kind == UnitKind.DEPARTMENT]

    @property
    def patrol(self) -> bool:
        """On the roster of at least one patrol unit."""
        return bool(self.patrol_units)

    @property
    def clerk(self) -> bool:
        """On the roster of at least one department."""
        return bool(self.departments)

    def acts_for(self, unit: RiskUnit) -> bool:
        """Whether the person may act for a unit (its month report, its work orders)."""
        return any(mine.id == unit.id for mine in self.units)

    @property
    def reporting_units(self) -> list[RiskUnit]:
        """The patrol units and departments whose month report the person may send."""
        return [unit for unit in self.units if unit.kind in (UnitKind.PATROL, UnitKind.DEPARTMENT)]

    @property
    def menu(self) -> Menu:
        """The rich menu this person sees."""
        if self.secretariat:
            return Menu.SECRETARIAT
        if self.patrol:
            return Menu.PATROL
        if self.clerk:
            return Menu.CLERK
        if self.volunteer:
            return Menu.VOLUNTEER
        return Menu.NEWCOMER


def active_units(session: Session, member: Member | None) -> list[RiskUnit]:
    """The active units whose roster a member is on (accepted, not removed)."""
    if member is None or member.id is None:
        return []
    query = (
        select(RiskUnit)
        .join(UnitMembership, UnitMembership.unit_id == RiskUnit.id)
        .where(
            UnitMembership.member_id == member.id,
            UnitMembership.status == RosterStatus.ACTIVE,
            RiskUnit.is_active,
        )
        .order_by(RiskUnit.kind, RiskUnit.name)
    )
    return list(session.scalars(query))


def roles_of(session: Session, member: Member | None) -> Roles:
    """The roles of a LINE user (none for an unknown one)."""
    if member is None:
        return Roles(None)
    units = tuple(active_units(session, member))
    staff = staff_for_line_user(session, member.line_user_id)
    secretariat = is_secretariat(staff) or any(unit.kind == UnitKind.SECRETARIAT for unit in units)
    return Roles(member, units, secretariat)


def refresh_menu(session: Session, member: Member | None) -> Menu | None:
    """Decide the rich menu a member should see after their roles changed (the worker links it)."""
    if member is None:
        return None
    session.flush()
    wanted = roles_of(session, member).menu
    member.menu_wanted = wanted.value
    return wanted


def refresh_menu_of(session: Session, line_user_id: str | None) -> Menu | None:
    """``refresh_menu`` for a LINE user id (nothing when the bot does not know them)."""
    if not line_user_id:
        return None
    return refresh_menu(session, session.scalar(select(Member).where(Member.line_user_id == line_user_id)))
