"""The emulator's refusals: a test asking for something LINE's users cannot do, and LINE's API errors."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class EmulatorError(RuntimeError):
    """A test or the browser asked the emulator for something LINE's users cannot do."""


class LineError(Exception):
    """LINE's refusal of an API call: status, JSON body and whether it was the bot's fault."""

    def __init__(
        self,
        status: int,
        message: str,
        details: Iterable[dict] = (),
        *,
        outcome: str = "refused",
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ):
        """Describe the answer; outcome "failure" marks an invalid request, "refused" a refusal of the moment."""
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message
        self.details = tuple(details)
        self.outcome = outcome
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> dict:
        """LINE's error JSON: {"message", "details"?, ...}."""
        body: dict[str, Any] = {"message": self.message}
        if self.details:
            body["details"] = list(self.details)
        body.update(self.extra)
        return body
