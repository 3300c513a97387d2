"""JSON answers of the API: errors, lists with pagination, single items."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Response, jsonify, request, url_for

from bot.api.pagination import Page

API_PREFIX = "/api/"


def api_error(status: int, code: str, message: str, **headers: str) -> Response:
    """An error as {"error": {"code", "message"}} with its HTTP status."""
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    response.headers.update(headers)
    return response


def iso(moment: datetime | None) -> str | None:
    """An aware datetime as ISO 8601 (UTC), or None."""
    return moment.isoformat() if moment is not None else None


def included(part: str) -> bool:
    """Tell whether the request asks for ``part`` with ?include= (comma-separated)."""
    return part in request.args.get("include", "").split(",")


def _page_url(number: int) -> str:
    """The URL of another page of the current list, keeping its filters."""
    args = {**request.args.to_dict(), "page": number}
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def list_response(page: Page, serialize: Callable[..., dict], **extra: object) -> Response:
    """A page of items as {"items", "pagination", "links"} (links to the previous and next pages)."""
    return jsonify(
        {
            "items": [serialize(item) for item in page.items],
            "pagination": page.meta(),
            "links": {
                "self": _page_url(page.page),
                "prev": _page_url(page.page - 1) if page.has_prev else None,
                "next": _page_url(page.page + 1) if page.has_next else None,
            },
            **extra,
        }
    )


def item_response(item: dict) -> Response:
    """One resource as {"item": ...}."""
    return jsonify({"item": item})
