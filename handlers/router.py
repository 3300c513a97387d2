"""The registry of every handler FieldLine has, built once per process."""

from __future__ import annotations

from handlers import basics, groups, news_reports, registration
from handlers.registry import Registry

DOMAINS = (basics, registration, groups, news_reports)


def build_registry() -> Registry:
    """Return a registry with every domain module's handlers registered."""
    registry = Registry()
    for domain in DOMAINS:
        domain.register(registry)
    return registry
