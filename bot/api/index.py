"""GET /api/v1/: who the token belongs to and which resources exist."""

from __future__ import annotations

from flask import jsonify, url_for

from bot.api.access import api_user
from bot.api.blueprint import bp
from bot.auth import ROLE_PERMISSIONS, visible_districts


@bp.get("/")
def index():
    """The caller's account, role, permissions and the resource URLs."""
    user = api_user()
    districts = visible_districts(user)
    return jsonify(
        {
            "user": {
                "username": user.username,
                "role": user.role.value,
                "permissions": sorted(ROLE_PERMISSIONS[user.role]),
                "districts": None if districts is None else sorted(districts),
            },
            "resources": {
                "inbox": url_for("api.inbox_list"),
                "members": url_for("api.members_list"),
                "groups": url_for("api.groups_list"),
                "reports": url_for("api.reports_list"),
            },
        }
    )
