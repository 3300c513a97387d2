"""Who may do what: roles and permissions, district scope, passwords, web sign-in and CSRF.

Later features reuse three things from here:
- ``can(user, Permission.X)`` and the view decorators ``@require_permission(...)`` / ``@require_role(...)``;
- ``visible_districts(user)``: ``None`` for every district, else the set of districts the user may see;
- ``district_clause(user, column)``: the same scope as a SQL condition on a district column;
- ``may_act_in(user, Permission.X, district)``: a permission for one district's record;
- ``roles_with(Permission.X)``: the roles holding a permission, for modules that check role tuples.
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

from bot.request_session import db
from models import Role, StaffUser


class Permission(enum.StrEnum):
    """Something a role may do; views check permissions rather than role names.

    The table below is the only place that says which role may do what (README: "Who may do what").
    A district officer holds each permission within visible_districts only; the viewer holds no
    permission a district officer lacks (tests/test_access_roles.py checks both).
    """

    VIEW_INBOX = "view_inbox"  # the inbox list and event metadata (no content, no LINE ids), within visible_districts
    VIEW_PAYLOAD = "view_payload"  # raw webhook payloads: informants' messages (personal data)
    RETRY_EVENTS = "retry_events"
    VIEW_MEMBERS = "view_members"  # members by reporter code, within visible_districts (identities: below)
    VIEW_REJECTED = "view_rejected"  # rejected bodies have no district: never for a district-scoped role
    VIEW_AUDIT = "view_audit"
    MANAGE_STAFF = "manage_staff"
    # The intelligence network (bot/admin/network_*.py, bot/api/network.py)
    VIEW_NETWORK = "view_network"  # report lists and groups: reference numbers, categories, reporter codes
    VIEW_REPORT_CONTENT = "view_report_content"  # a report's messages, photos and places, within visible_districts
    VIEW_IDENTITIES = "view_identities"  # informants' names, phones and LINE names (each view audited)
    VIEW_ORIGINAL_MEDIA = "view_original_media"  # media as received, with their metadata (admin only)
    MANAGE_NETWORK = "manage_network"  # approve and edit members, group codes, categories, status updates, settings
    EXPORT_ROLL = "export_roll"  # the network roll, one row per member (pseudonymous unless VIEW_IDENTITIES)
    # Crime risk points (bot/admin/riskpoints/, bot/api/riskpoints.py)
    VIEW_RISKPOINTS = "view_riskpoints"  # registry, today's board, defects, crime statistics, KPI, posters
    VIEW_PATROL_DETAIL = "view_patrol_detail"  # who checked in, and the photos of checks and defects (audited)
    MANAGE_RISKPOINTS = "manage_riskpoints"  # create, edit, import, retire and reinstate points; camera checks
    MANAGE_RISK_UNITS = "manage_risk_units"  # units and their groups, month reports, work-order resend, crime figures
    # Numbered official letters (reports/documents/coordination_letter.py, reports/documents/forward_letter.py)
    ISSUE_LETTERS = "issue_letters"  # what gives a letter its number: a broken camera at the board, a forward by letter
    DOWNLOAD_LETTERS = "download_letters"  # coordination letters (DOCX, PDF); forward letters also need VIEW_WORKGROUP
    MANAGE_OFFICE = "manage_office"  # the office profile every document prints, the letters' bodies, the register
    # The working group (bot/admin/workgroup*.py, bot/api/workgroup.py)
    VIEW_WORKGROUP = "view_workgroup"  # committees (officials' names), meetings, forwards (report summaries), agencies
    MANAGE_WORKGROUP = "manage_workgroup"  # record committees, meetings, forwards, acknowledgements, measures
    OPEN_WORKGROUP_FILES = "open_workgroup_files"  # uploaded orders, minutes, plans and forward letters (audited)
    VIEW_KPI = "view_kpi"  # the network KPI ladder: numbers and documents' names only
    VIEW_SCHEDULER = "view_scheduler"  # the clock: push quota, runs, frozen month reports
    # Messages LINE did not take (bot/admin/outbox_views.py): recipients by reporter code or group name. Groups
    # have no district, so the list cannot be scoped: never for a district-scoped role. Resending needs RETRY_EVENTS.
    VIEW_UNDELIVERED = "view_undelivered"
    # A person's rights under the PDPA (bot/personal_data/, bot/admin/privacy_views.py): admin only
    EXPORT_PERSONAL_DATA = "export_personal_data"  # everything held about one LINE user, as a ZIP (audited)
    ERASE_PERSONAL_DATA = "erase_personal_data"  # erase or anonymise one LINE user; cannot be undone (audited)


_READ_EVERYWHERE = frozenset({Permission.VIEW_NETWORK, Permission.VIEW_RISKPOINTS, Permission.VIEW_KPI})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.SECRETARIAT: _READ_EVERYWHERE
    | {
        Permission.VIEW_INBOX,
        Permission.VIEW_PAYLOAD,
        Permission.RETRY_EVENTS,
        Permission.VIEW_MEMBERS,
        Permission.VIEW_REPORT_CONTENT,
        Permission.VIEW_IDENTITIES,
        Permission.MANAGE_NETWORK,
        Permission.EXPORT_ROLL,
        Permission.VIEW_PATROL_DETAIL,
        Permission.MANAGE_RISKPOINTS,
        Permission.MANAGE_RISK_UNITS,
        Permission.ISSUE_LETTERS,
        Permission.DOWNLOAD_LETTERS,
        Permission.MANAGE_OFFICE,
        Permission.VIEW_WORKGROUP,
        Permission.MANAGE_WORKGROUP,
        Permission.OPEN_WORKGROUP_FILES,
        Permission.VIEW_SCHEDULER,
        Permission.VIEW_UNDELIVERED,
    },
    Role.DISTRICT_OFFICER: _READ_EVERYWHERE
    | {
        Permission.VIEW_INBOX,
        Permission.VIEW_MEMBERS,
        Permission.VIEW_REPORT_CONTENT,
        Permission.VIEW_PATROL_DETAIL,
        Permission.MANAGE_RISKPOINTS,
        Permission.ISSUE_LETTERS,
        Permission.DOWNLOAD_LETTERS,
    },
    # Read-only, every district, nothing a district officer may not see: no inbox, no members, no content,
    # no names of patrol officers, no letters, no roll, no working-group records (their KPI numbers only).
    Role.VIEWER: _READ_EVERYWHERE,
}

# Roles whose data scope is limited to the districts listed on their account.
DISTRICT_SCOPED_ROLES = frozenset({Role.DISTRICT_OFFICER})

MIN_PASSWORD_LENGTH = 10
LOGIN_REQUIRED = "กรุณาเข้าสู่ระบบก่อนใช้งาน"  # Flask-Login's message when a page needs a signed-in user

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


def roles_with(*permissions: Permission) -> tuple[Role, ...]:
    """The roles granted every one of the permissions, in Role order (for role-tuple checks)."""
    return tuple(role for role in Role if set(permissions) <= ROLE_PERMISSIONS[role])


def may_act_in(user: object, permission: Permission, district: str | None) -> bool:
    """Whether a user holds a permission for one district's data (None: a record of no district)."""
    if not can(user, permission):
        return False
    districts = visible_districts(user)
    return districts is None or (district is not None and district in districts)


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


def _signed_in_and(allowed: Callable[[object], bool]) -> Callable:
    """Decorate a web view: sign-in required (else the login page), then ``allowed(user)`` (else 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not allowed(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def require_permission(*permissions: Permission) -> Callable:
    """Decorate a web view: sign-in required (else the login page), then every permission (else 403)."""
    return _signed_in_and(lambda user: all(can(user, permission) for permission in permissions))


def require_role(*roles: Role) -> Callable:
    """Decorate a web view: sign-in required (else the login page), then one of the roles (else 403)."""
    return _signed_in_and(lambda user: has_role(user, *roles))


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
    app.session_interface = StaffSessions()

    # Flask's own default is 31 days; a staff sign-in lasts a working day unless configured otherwise.
    app.config["PERMANENT_SESSION_LIFETIME"] = app.config.get("ADMIN_SESSION_LIFETIME", timedelta(hours=8))
    login_manager.login_view = "admin.login"
    login_manager.login_message = LOGIN_REQUIRED
    login_manager.login_message_category = "warning"
    login_manager.init_app(app)

    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked below, so the machine endpoints can be skipped by path
    csrf.init_app(app)

    @app.before_request
    def _protect_forms() -> None:
        if current_app.config.get("WTF_CSRF_ENABLED", True) and not _csrf_exempt(request.path):
            csrf.protect()
