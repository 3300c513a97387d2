"""POST /callback: verify, store (or spool), answer 200; processing happens after."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, request

from bot import signature
from bot.inbox import MalformedBody, parse_envelope

log = logging.getLogger(__name__)

bp = Blueprint("webhook", __name__)


@bp.post("/callback")
def callback():
    """Receive one webhook delivery from LINE."""
    body = request.get_data(cache=False)  # MAX_CONTENT_LENGTH answers 413 past 1 MiB
    secret = current_app.config["LINE_CHANNEL_SECRET"]
    if not signature.is_valid(secret, body, request.headers.get("x-line-signature")):
        abort(400, description="invalid signature")
    fieldline = current_app.extensions["fieldline"]
    try:
        envelope = parse_envelope(body)
    except MalformedBody as exc:
        fieldline.intake.reject(body, str(exc))
        log.warning("signed webhook body rejected: %s", exc)
        abort(400, description="malformed body")
    if not envelope.events:
        return "OK"  # LINE's Verify button: answer without touching the database
    outcome = fieldline.intake.accept(envelope, body)
    fieldline.worker.wake()
    log.debug("webhook: %s event(s) %s", len(envelope.events), outcome)
    return "OK"
