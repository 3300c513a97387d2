"""Settings the secretariat can change in the admin web, with their defaults in code."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base
from models.timeutil import utcnow

DEFAULTS: dict[str, Any] = {
    "network.burst_minutes": 10,
    "network.new_report_tags": ["#ข่าว", "แจ้งข่าว"],
    "network.auto_approve_members": False,
    "network.duplicate_radius_m": 500,
    "network.duplicate_hours": 24,
    "network.level1_min_occupations": 3,
    "network.consent_version": "2569-1",
    "network.kpi_target": 4,
    # The office profile (models/office.py, edited on /admin/office): what every letter and report prints
    # about the office. Blank until the office sets it; the letter code is printed before each number.
    "office.district": "",
    "office.name": "",
    "office.address": "",
    "office.phone": "",
    "office.letter_prefix": "กท",
    "office.signatory_name": "",
    "office.signatory_position": "ผู้อำนวยการเขต",
    "office.secretariat_unit": "ฝ่ายปกครอง",
    "office.thai_digits": True,
    # The bodies of official letters per kind (reports/documents/letter_templates.py); blank: the built-in text.
    "letters.template.coordination": "",
    "letters.template.forward_reports": "",
    "letters.template.forward_meeting": "",
    "workgroup.min_meetings": 2,
    "workgroup.ack_reminder_days": 3,
    "workgroup.action_reminder_days": 3,
    "workgroup.forward_max_reports": 20,
    "riskpoints.radius_m": 100,
    "riskpoints.round_rule": "windows",
    "riskpoints.rounds": [
        {"name": "รอบกลางวัน", "start": "06:00", "end": "18:00"},
        {"name": "รอบกลางคืน", "start": "18:00", "end": "06:00"},
    ],
    "riskpoints.round_gap_hours": 6,
    "riskpoints.photo_required": False,
    "riskpoints.photo_window_minutes": 15,
    "riskpoints.defect_departments": {
        "lighting": "public_works",
        "cctv": "public_works",
        "trees": "cleaning",
        "vehicle": "municipal",
        "other": "secretariat",
    },
    "riskpoints.report_due_day": 7,
    "riskpoints.done_photo_minutes": 60,
    # The clock (scheduler/): times are Bangkok "HH:MM"; recipients list purposes of registered LINE
    # groups (chats.purpose, or a risk-point unit kind) and/or LINE ids (C…, R…, U…).
    "scheduler.holiday_policy": "previous_working_day",  # or "as_is"
    "scheduler.extra_holidays": [],  # local days off, e.g. "2569-04-16"
    "scheduler.month_open_time": "08:00",
    "scheduler.reminder_time": "09:00",
    "scheduler.compile_time": "17:00",
    "scheduler.overdue_time": "09:00",
    "scheduler.quarterly_day": 10,
    "scheduler.quarterly_time": "09:00",
    "scheduler.round_warning_minutes": 60,
    "scheduler.camera_check_time": "20:00",
    "scheduler.media_retry_days": 3,
    "scheduler.recipients.secretariat": ["secretariat"],
    "scheduler.recipients.supervisors": ["supervisor"],
    "scheduler.recipients.admins": ["secretariat"],
    # PDPA retention (services/privacy/retention.py, the clock's daily retention-purge): days after which personal
    # content is removed. Inbox payloads of done/ignored events (from received_at; failed, parked and
    # pending ones are never purged), rejected bodies (deleted), outbox message contents of sent/failed
    # rows (from created_at). Rows are kept; business records are never touched.
    "retention.inbox_payload_days": 90,
    "retention.rejected_body_days": 30,
    "retention.outbox_message_days": 90,
    # The business records' personal content (services/privacy/retention.py with bot/personal_data/); the rows the KPIs
    # count stay, only their content goes. Photos and files of finished news reports (forwarded, closed or
    # withdrawn; drafts never confirmed) and then those reports' messages and places, counted from the
    # report's last activity (last message, forward or meeting); members who left (blocked the bot,
    # suspended or rejected) anonymised, counted from their last activity.
    "retention.media_days": 180,
    "retention.closed_report_days": 730,
    "retention.departed_member_days": 365,
    # The rich menus in LINE (bot/richmenu.py deploy): their ids by menu name; not edited by hand.
    "richmenu.deployed": {},
}


class Setting(Base):
    """One setting's value, when it differs from the default."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(80))


def get_setting(session: Session, key: str) -> Any:
    """A setting's value, or its default."""
    row = session.get(Setting, key)
    return DEFAULTS[key] if row is None else row.value


def set_setting(session: Session, key: str, value: Any, by: str) -> None:
    """Change a setting (in the caller's transaction)."""
    if key not in DEFAULTS:
        raise KeyError(key)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value, updated_by=by))
    else:
        row.value, row.updated_by = value, by
