"""The read-only JSON API at /api/v1/, authenticated by per-user bearer tokens.

To add a resource, copy bot/api/inbox.py: a serializer, then views decorated with
@require_api_permission(...) that build a select, paginate it (bot.api.pagination) and answer with
list_response / item_response (bot.api.responses); audit every read of personal data.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the API blueprint with its resources."""
    from bot.api import inbox, index, members, network, riskpoints, workgroup  # noqa: F401 - the resource modules add their routes
    from bot.api.blueprint import bp

    app.register_blueprint(bp)
