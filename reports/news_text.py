"""The readable text of a news report, shared by category suggestions, forward summaries and letters."""

from __future__ import annotations

from models import NewsReport


def report_text(report: NewsReport) -> str:
    """All the visible text of a report, for category suggestions."""
    return "\n".join(item.text for item in report.items if item.text and item.kind == "text" and not item.unsent_at)
