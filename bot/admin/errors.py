"""Thai error pages for the web (JSON under /api/), and a 500 handler that rolls the session back."""

from __future__ import annotations

import logging

from flask import Flask, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from bot.admin import texts
from bot.admin.blueprint import secure_headers
from bot.api.responses import API_PREFIX, api_error
from bot.request_session import rollback_session

log = logging.getLogger(__name__)


def _is_api() -> bool:
    """Tell whether the failing request was for the JSON API."""
    return request.path.startswith(API_PREFIX)


def _is_emulator() -> bool:
    """Tell whether the request was for the LINE emulator (it answers like LINE, in LINE's words)."""
    return request.path.startswith("/emulator")


def bad_request(error: HTTPException):
    """400: a request the page could not read (a tampered link, a form without its fields), answered in Thai."""
    if _is_api():
        return api_error(400, "bad_request", texts.BAD_REQUEST)
    if _is_emulator():
        return error
    return secure_headers(_page("errors/400.html", 400, message=texts.BAD_REQUEST))


def forbidden(error: HTTPException):
    """403: signed in, but the role does not allow this."""
    if _is_api():
        return api_error(403, "forbidden", "บทบาทของผู้ใช้นี้ไม่มีสิทธิ์เข้าถึงข้อมูลนี้")
    return secure_headers(_page("errors/403.html", 403))


def not_found(error: HTTPException):
    """404: no such page or record."""
    if _is_api():
        return api_error(404, "not_found", "ไม่พบข้อมูลที่ขอ")
    return secure_headers(_page("errors/404.html", 404))


def method_not_allowed(error: HTTPException):
    """405: JSON for the API; the emulator as LINE answers; a Thai page elsewhere (keeping the Allow header)."""
    if _is_api():
        return api_error(405, "method_not_allowed", "API นี้อ่านได้อย่างเดียว")
    if _is_emulator():
        return error
    response = _page("errors/400.html", 405, message=texts.METHOD_NOT_ALLOWED, code=405)
    allowed = error.get_response().headers.get("Allow")
    if allowed:
        response.headers["Allow"] = allowed
    return secure_headers(response)


def other_error(error: HTTPException):
    """Any other 4xx werkzeug would answer in English: the Thai page with its status."""
    if _is_api() or _is_emulator() or error.code is None or error.code >= 500:
        return error
    return secure_headers(_page("errors/400.html", error.code, message=texts.BAD_REQUEST, code=error.code))


def csrf_failed(error: CSRFError):
    """400: a form without a valid CSRF token (expired page, or a forged request)."""
    return secure_headers(_page("errors/400.html", 400, message=texts.CSRF_FAILED))


def too_large(error: HTTPException):
    """413: an upload over MAX_CONTENT_LENGTH (a workbook, a document), answered in Thai."""
    if _is_api():
        return api_error(413, "too_large", texts.TOO_LARGE)
    return secure_headers(_page("errors/400.html", 413, message=texts.TOO_LARGE, code=413))


def internal_error(error: Exception):
    """500: undo the request's uncommitted changes, then apologise (microblog style)."""
    rollback_session()
    if _is_api():
        return api_error(500, "internal_error", "ระบบขัดข้องชั่วคราว กรุณาลองใหม่อีกครั้ง")
    try:
        return secure_headers(_page("errors/500.html", 500, minimal=True))
    except Exception:  # the page itself failed (the database may be down): plain text will do
        log.exception("the 500 page could not be rendered")
        return make_response((texts.SERVER_ERROR_PLAIN, 500, {"Content-Type": "text/plain; charset=utf-8"}))


def _page(template: str, status: int, **context):
    """Render an error page as a response with its status."""
    return make_response(render_template(template, **context), status)


def register(app: Flask) -> None:
    """Register the handlers on the whole app."""
    app.register_error_handler(400, bad_request)
    app.register_error_handler(403, forbidden)
    app.register_error_handler(404, not_found)
    app.register_error_handler(405, method_not_allowed)
    app.register_error_handler(CSRFError, csrf_failed)
    app.register_error_handler(413, too_large)
    app.register_error_handler(500, internal_error)
    for code in (401, 406, 409, 410, 411, 412, 414, 415, 416, 417, 422, 428, 429, 431):
        app.register_error_handler(code, other_error)
