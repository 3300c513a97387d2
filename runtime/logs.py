"""Logging setup shared by the web, worker and clock processes (never message bodies)."""

from __future__ import annotations

import logging
import os

FORMAT = "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"


def configure_logging() -> None:
    """Log to stderr at LOG_LEVEL (default INFO), once per process."""
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format=FORMAT)
