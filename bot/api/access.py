"""Bearer-token authentication and role checks for the API (the web's roles, via bot.auth)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import g, request

from bot.api.responses import api_error
from bot.api.tokens import authenticate_token
from bot.auth import Permission, can
from bot.request_session import db
from models import StaffUser
from models.timeutil import utcnow

UNAUTHORIZED_MESSAGE = "ต้องส่งโทเค็นที่ใช้งานได้ในส่วนหัว Authorization: Bearer <token>"


def bearer_token() -> str | None:
    """The token of an "Authorization: Bearer ..." header, if any."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def authenticate():
    """Before every API request: find the token's user and note its use; 401 for anything else."""
    sql = db()
    token = authenticate_token(sql, bearer_token() or "", utcnow())
    if token is None:
        return api_error(401, "unauthorized", UNAUTHORIZED_MESSAGE, **{"WWW-Authenticate": 'Bearer realm="fieldline"'})
    sql.commit()  # last_used_at
    g.api_token = token
    g.api_user = token.user
    return None


def api_user() -> StaffUser:
    """The staff user the current API request acts for."""
    return g.api_user


def require_api_permission(*permissions: Permission) -> Callable:
    """Decorate an API view: every permission, else a JSON 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not all(can(api_user(), permission) for permission in permissions):
                return api_error(403, "forbidden", "บทบาทของผู้ใช้นี้ไม่มีสิทธิ์เข้าถึงข้อมูลนี้")
            return view(*args, **kwargs)

        return wrapped

    return decorator
