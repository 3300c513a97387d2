"""POST /callback: verify, store (or spool), answer 200; processing happens after.

The endpoint is a thin WSGI layer in front of the Flask app rather than a Flask view: a webhook
needs none of Flask's request context, sessions, login or CSRF hooks, and skipping them saves about 40 % of
the CPU a delivery costs in the web process (measured in bench/webhook; see the README). Every
other path goes on to Flask unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from flask import Flask
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    InternalServerError,
    MethodNotAllowed,
    RequestEntityTooLarge,
)
from werkzeug.wsgi import get_content_length, get_input_stream

from bot import signature
from bot.inbox import MalformedBody, parse_envelope

log = logging.getLogger(__name__)

CALLBACK_PATH = "/callback"
OK_HEADERS = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "2")]


class CallbackEndpoint:
    """WSGI middleware that answers POST /callback itself and passes every other request to Flask."""

    def __init__(self, app: Flask):
        """Wrap app.wsgi_app; secrets, limits and services are read once from the configured app."""
        self.flask_wsgi = app.wsgi_app
        self.secret = app.config["LINE_CHANNEL_SECRET"]
        self.max_bytes = app.config["MAX_CONTENT_LENGTH"]
        self.services = app.extensions["fieldline"]
        self.start_worker = bool(app.config["BACKGROUND_WORKER"] and not app.config.get("TESTING"))

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Dispatch one WSGI request."""
        if self.start_worker:
            self.services.worker.start()  # idempotent; gunicorn.conf.py starts it at boot too
        if environ.get("PATH_INFO") != CALLBACK_PATH:
            return self.flask_wsgi(environ, start_response)
        try:
            if environ.get("REQUEST_METHOD") != "POST":
                raise MethodNotAllowed(valid_methods=["POST"])
            self.receive(environ)
        except HTTPException as refusal:
            return refusal(environ, start_response)
        except Exception as exc:  # neither the database nor the spool could keep the body: LINE must redeliver
            log.error("webhook body could not be kept anywhere: %s", type(exc).__name__)
            return InternalServerError()(environ, start_response)
        start_response("200 OK", OK_HEADERS)
        return [b"OK"]

    def receive(self, environ: dict) -> None:
        """Receive one webhook delivery from LINE; raise an HTTPException to refuse it."""
        body = read_body(environ, self.max_bytes)
        if not signature.is_valid(self.secret, body, environ.get("HTTP_X_LINE_SIGNATURE")):
            raise BadRequest("invalid signature")
        try:
            envelope = parse_envelope(body)
        except MalformedBody as exc:
            self.services.intake.reject(body, str(exc))
            log.warning("signed webhook body rejected: %s", exc.code)
            raise BadRequest("malformed body") from None
        if not envelope.events and not envelope.refused:
            return  # LINE's Verify button: answer without touching the database
        if envelope.refused:
            log.warning("%s webhook event(s) kept aside: not LINE's shape", len(envelope.refused))
        outcome = self.services.intake.accept(envelope, body)
        self.services.worker.wake()
        log.debug("webhook: %s event(s) %s", len(envelope.events), outcome)


def read_body(environ: dict, limit: int) -> bytes:
    """The request body, or RequestEntityTooLarge (413) past limit bytes, with or without a Content-Length."""
    length = get_content_length(environ)
    if length is not None and length > limit:
        raise RequestEntityTooLarge()
    stream = get_input_stream(environ)  # bounded by Content-Length, or the server's end of a chunked body
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(limit + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise RequestEntityTooLarge()
    return b"".join(chunks)
