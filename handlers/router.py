"""The registry of every handler FieldLine has, built once per process."""

from __future__ import annotations

import handlers.workgroup
from handlers import (
    basics,
    cctv,
    groups,
    guided_reports,
    loose_messages,
    month_reports,
    my_summary,
    news_reports,
    patrol,
    registration,
    roster,
    work_orders,
)
from handlers.registry import Registry

DOMAINS = (
    basics,
    registration,
    groups,
    patrol,
    cctv,
    work_orders,
    month_reports,
    roster,
    news_reports,
    guided_reports,
    handlers.workgroup,
    my_summary,
    loose_messages,  # last: keeps any one-to-one message no other handler took
)


def build_registry() -> Registry:
    """Return a registry with every domain module's handlers registered."""
    registry = Registry()
    for domain in DOMAINS:
        domain.register(registry)
    return registry
