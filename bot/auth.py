"""Who may do what: roles and permissions, district scope, passwords, web sign-in and CSRF.

Later features reuse three things from here:
- ``can(user, Permission.X)`` and the view decorators ``@require_permission(...)`` / ``@require_role(...)``;
- ``visible_districts(user)``: ``None`` for every district, else the set of districts the user may see;
- ``district_clause(user, column)``: the same scope as a SQL condition on a district column.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import cache, wraps

from flask import Flask, abort, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import ColumnElement, false, true
from werkzeug.security import check_password_hash, generate_password_hash

from models import Role, StaffUser


class Permission(enum.StrEnum):
    """Something a role may do; views check permissions rather than role names."""

    VIEW_INBOX = "view_inbox"  # the inbox list and event metadata (no content, no LINE ids)
    VIEW_PAYLOAD = "view_payload"  # raw webhook payloads: informants' messages (personal data)
    RETRY_EVENTS = "retry_events"
    VIEW_MEMBERS = "view_members"  # members by reporter code, within visible_districts (identities: below)
    VIEW_REJECTED = "view_rejected"
    VIEW_AUDIT = "view_audit"
    MANAGE_STAFF = "manage_staff"
    # The intelligence network (bot/admin/network_*.py, bot/api/network.py)
    VIEW_NETWORK = "view_network"  # report lists and groups: reference numbers, categories, reporter codes
    VIEW_REPORT_CONTENT = "view_report_content"  # a report's messages, photos and places, within visible_districts
    VIEW_IDENTITIES = "view_identities"  # informants' names, phones and LINE names (each view audited)
    VIEW_ORIGINAL_MEDIA = "view_original_media"  # media as received, with their metadata (admin only)
    MANAGE_NETWORK = "manage_network"  # approve and edit members, group codes, categories, status updates, settings
    EXPORT_ROLL = "export_roll"  # the network roll (pseudonymous unless VIEW_IDENTITIES)


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.SECRETARIAT: frozenset(
        {
            Permission.VIEW_INBOX,
            Permission.VIEW_PAYLOAD,
            Permission.RETRY_EVENTS,
            Permission.VIEW_MEMBERS,
            Permission.VIEW_NETWORK,
            Permission.VIEW_REPORT_CONTENT,
            Permission.VIEW_IDENTITIES,
            Permission.MANAGE_NETWORK,
            Permission.EXPORT_ROLL,
        }
    ),
    Role.DISTRICT_OFFICER: frozenset(
        {Permission.VIEW_INBOX, Permission.VIEW_MEMBERS, Permission.VIEW_NETWORK, Permission.VIEW_REPORT_CONTENT}
    ),
    Role.VIEWER: frozenset({Permission.VIEW_INBOX, Permission.VIEW_NETWORK, Permission.EXPORT_ROLL}),
}

# Roles whose data scope is limited to the districts listed on their account.
DISTRICT_SCOPED_ROLES = frozenset({Role.DISTRICT_OFFICER})

MIN_PASSWORD_LENGTH = 10

# Machine endpoints that authenticate otherwise: bearer tokens. (LINE's /callback is answered by
# bot.webhook before Flask, and the demo emulator is a separate WSGI app mounted under /emulator, so
# neither reaches this app's CSRF check.)
CSRF_EXEMPT_PREFIXES = ("/api/",)

login_manager = LoginManager()
csrf = CSRFProtect()


def _role(user: object) -> Role | None:
    """The role of an active signed-in staff user, else None."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    role = getattr(user, "role", None)
    return Role(role) if role is not None else None


def can(user: object, permission: Permission) -> bool:
    """Tell whether an active staff user's role grants a permission."""
    role = _role(user)
    return role is not None and permission in ROLE_PERMISSIONS[role]


def has_role(user: object, *roles: Role) -> bool:
    """Tell whether an active staff user has one of the roles."""
    return _role(user) in roles


def visible_districts(user: object) -> frozenset[str] | None:
    """The districts whose data the user may see: None means every district, an empty set means none."""
    role = _role(user)
    if role is None:
        return frozenset()
    if role in DISTRICT_SCOPED_ROLES:
        return frozenset(getattr(user, "districts", None) or ())
    return None


def district_clause(user: object, column: ColumnElement) -> ColumnElement[bool]:
    """A SQL condition keeping only rows whose district column the user may see."""
    districts = visible_districts(user)
    if districts is None:
        return true()
    if not districts:
        return false()
    return column.in_(sorted(districts))


def require_permission(*permissions: Permission) -> Callable:
    """Decorate a web view: sign-in required (else the login page), then every permission (else 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not all(can(current_user, permission) for permission in permissions):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def require_role(*roles: Role) -> Callable:
    """Decorate a web view: sign-in required (else the login page), then one of the roles (else 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not has_role(current_user, *roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def hash_password(password: str) -> str:
    """Hash a password with werkzeug's default (scrypt, salted)."""
    return generate_password_hash(password)


@cache
def _dummy_hash() -> str:
    """A hash to check against when the user does not exist, so both cases take as long."""
    return generate_password_hash("no such user: constant time")


def verify_password(user: StaffUser | None, password: str) -> bool:
    """Check a password against a staff account (None: spend the same time, then refuse)."""
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(user.password_hash, password)


def normalise_districts(districts: Iterable[str]) -> list[str]:
    """Strip, drop blanks and duplicates, keep the given order."""
    return list(dict.fromkeys(d.strip() for d in districts if d and d.strip()))


@login_manager.user_loader
def _load_user(session_id: str) -> StaffUser | None:
    """Find the signed-in staff user for the session; inactive users and changed passwords sign out."""
    from bot.admin.request_session import db

    user_id, _, fingerprint = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db().get(StaffUser, int(user_id))
    if user is None or not user.is_active or user.password_fingerprint() != fingerprint:
        return None
    return user


def _csrf_exempt(path: str) -> bool:
    """Tell whether a path belongs to a machine endpoint that CSRF tokens do not apply to."""
    roots = (prefix.rstrip("/") for prefix in CSRF_EXEMPT_PREFIXES)
    return any(path == root or path.startswith(root + "/") for root in roots)


SESSIONLESS_PATHS = frozenset({"/healthz"})


class StaffSessions(SecureCookieSessionInterface):
    """Signed cookie sessions for people; the health check gets none (no cookie work)."""

    def open_session(self, app, request):
        """A null session on the sessionless paths, the usual signed cookie session elsewhere."""
        if request.path in SESSIONLESS_PATHS:
            return self.make_null_session(app)
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    """Set up staff sessions, Flask-Login and CSRF protection on every form outside the machine endpoints."""
    from bot.admin import texts

    app.session_interface = StaffSessions()

    # Flask's own default is 31 days; a staff sign-in lasts a working day unless configured otherwise.
    app.config["PERMANENT_SESSION_LIFETIME"] = app.config.get("ADMIN_SESSION_LIFETIME", timedelta(hours=8))
    login_manager.login_view = "admin.login"
    login_manager.login_message = texts.LOGIN_REQUIRED
    login_manager.login_message_category = "warning"
    login_manager.init_app(app)

    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked below, so the machine endpoints can be skipped by path
    csrf.init_app(app)

    @app.before_request
    def _protect_forms() -> None:
        if current_app.config.get("WTF_CSRF_ENABLED", True) and not _csrf_exempt(request.path):
            csrf.protect()
