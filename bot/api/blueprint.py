"""The /api/v1 blueprint: every request authenticated, every answer uncached JSON."""

from __future__ import annotations

from flask import Blueprint, Response

from bot.api.access import authenticate

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(authenticate)


@bp.after_request
def _no_store(response: Response) -> Response:
    """API answers may hold personal data: never cache them."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
