"""The local LINE emulator: LINE's Messaging API, webhooks and a chat UI, without LINE's servers.

Importing the package is cheap (the CLI registers `emulator run` in every process); the spec
validator and the rest load when the emulator is first built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from bot.emulator.platform import Platform


def create_emulator_app(platform: Platform, *, ui: bool = True) -> Flask:
    """A Flask app serving LINE's API paths (and the browser UI) for one platform."""
    from bot.emulator import server

    return server.create_emulator_app(platform, ui=ui)


def mount(app: Flask) -> Platform:
    """Serve the emulator under /emulator of the bot app (demo mode)."""
    from bot.emulator import server

    return server.mount(app)


__all__ = ["create_emulator_app", "mount"]
