"""What every page of the site shares outside the admin blueprint: the icon browsers ask for."""

from __future__ import annotations

from flask import Blueprint, current_app, send_from_directory

bp = Blueprint("site", __name__)


@bp.get("/favicon.ico")
def favicon():
    """The FieldLine pin for browsers that ask for /favicon.ico before reading the page's icon link."""
    response = send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400)
    return response
