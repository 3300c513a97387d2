"""Creating and changing staff accounts, shared by the staff pages and the CLI (the caller commits)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.admin import texts
from bot.auth import DISTRICT_SCOPED_ROLES, MIN_PASSWORD_LENGTH, hash_password, normalise_districts
from models import Role, StaffUser
from models.districts import DISTRICTS

USERNAME_PATTERN = re.compile(r"[a-z0-9._-]{3,80}")


class StaffAccountError(ValueError):
    """A staff account change that cannot be made; the message is Thai, for the user."""


def normalise_username(username: str) -> str:
    """Usernames are compared in lower case without surrounding spaces."""
    return (username or "").strip().lower()


def find_staff(session: Session, username: str) -> StaffUser | None:
    """The staff account with this username, if any."""
    return session.scalar(select(StaffUser).where(StaffUser.username == normalise_username(username)))


def check_password_rules(password: str) -> None:
    """Refuse a password that is too short."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise StaffAccountError(texts.PASSWORD_TOO_SHORT.format(length=MIN_PASSWORD_LENGTH))


def checked_districts(role: Role, districts: Iterable[str]) -> list[str]:
    """The districts to store for a role: required and known for district officers, none for the others."""
    if role not in DISTRICT_SCOPED_ROLES:
        return []
    names = normalise_districts(districts)
    if not names:
        raise StaffAccountError(texts.DISTRICTS_REQUIRED)
    unknown = [name for name in names if name not in DISTRICTS]
    if unknown:
        raise StaffAccountError(texts.DISTRICT_UNKNOWN.format(names=", ".join(unknown)))
    return names


def create_staff_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role | str,
    full_name: str = "",
    districts: Iterable[str] = (),
) -> StaffUser:
    """Add a staff account after checking the username, password and districts."""
    username = normalise_username(username)
    role = Role(role)
    if not USERNAME_PATTERN.fullmatch(username):
        raise StaffAccountError(texts.USERNAME_INVALID)
    if find_staff(session, username) is not None:
        raise StaffAccountError(texts.USERNAME_TAKEN)
    check_password_rules(password)
    user = StaffUser(
        username=username,
        full_name=(full_name or "").strip()[:200],
        password_hash=hash_password(password),
        role=role,
        districts=checked_districts(role, districts),
        is_active=True,
    )
    session.add(user)
    session.flush()
    return user


def update_staff_user(
    session: Session,
    user: StaffUser,
    *,
    role: Role | str,
    full_name: str,
    districts: Iterable[str],
    new_password: str | None = None,
) -> dict:
    """Change an account's role, name, districts and optionally password; return what changed (no values)."""
    role = Role(role)
    names = checked_districts(role, districts)
    changed: dict = {}
    if user.role != role:
        changed["role"] = f"{user.role.value}->{role.value}"
        user.role = role
    if list(user.districts or []) != names:
        changed["districts"] = len(names)
        user.districts = names
    if (user.full_name or "") != (full_name or "").strip():
        changed["full_name"] = True
        user.full_name = (full_name or "").strip()[:200]
    if new_password:
        check_password_rules(new_password)
        user.password_hash = hash_password(new_password)
        changed["password"] = True
    session.flush()
    return changed
