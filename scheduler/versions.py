"""The clock's frozen reports: their kinds and admin page; freezing itself lives in models/report_versions.py."""

from __future__ import annotations

from models.report_versions import digest, freeze, json_ready, latest

MONTH_REPORT = "riskpoint-month"  # the kind of the day-7 compilation's versions
REPORT_PATH = "/admin/scheduler/reports/{id}"  # the admin page of one version (linked from the cards)

__all__ = ["MONTH_REPORT", "REPORT_PATH", "digest", "freeze", "json_ready", "latest"]
