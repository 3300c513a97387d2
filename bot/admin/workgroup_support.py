"""What the working group's admin pages share: who may read and change, and reading Thai form input."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from flask import abort, current_app, request, url_for
from flask_login import current_user
from sqlalchemy.orm import Session

from bot.admin import periods_form as pf
from bot.admin.actions import Done, audit
from bot.auth import Permission, can, has_role, roles_with
from line.workgroup_cards import forward_summary
from models.periods import Period
from models.timeutil import BANGKOK, THAI_MONTHS, THAI_MONTHS_ABBR, be_year, ce_year, fiscal_year, to_bangkok, utcnow
from models.workgroup import Forward
from runtime.delivery import notifier

# From bot/auth.py's permission table (admin and secretariat today): committees name officials, forwards
# summarise reports, so only roles that may see both read these pages; the KPI page is for every role.
READ_ROLES = roles_with(Permission.VIEW_WORKGROUP)
EDIT_ROLES = roles_with(Permission.VIEW_WORKGROUP, Permission.MANAGE_WORKGROUP)
FILE_ROLES = roles_with(Permission.VIEW_WORKGROUP, Permission.OPEN_WORKGROUP_FILES)  # orders, minutes, plans
LETTER_ROLES = roles_with(Permission.VIEW_WORKGROUP, Permission.DOWNLOAD_LETTERS)  # forward letters (DOCX)

DATE_HINT = "วว/ดด/ปปปป (พ.ศ.) เช่น 15/01/2564"
TIME_HINT = "ชช:นน เช่น 09:30"


class FormError(ValueError):
    """A form value the page cannot use (shown to the staff member)."""


def can_read() -> bool:
    """Whether the signed-in user may see the working group's pages."""
    return has_role(current_user, *READ_ROLES)


def can_edit() -> bool:
    """Whether the signed-in user may change the working group's records."""
    return has_role(current_user, *EDIT_ROLES)


def can_open_files() -> bool:
    """Whether the signed-in user may open uploaded documents and letters."""
    return has_role(current_user, *FILE_ROLES)


def letters_refused() -> bool:
    """Whether the posted form asks for letters (via_letter=1) that the signed-in user may not issue."""
    return request.form.get("via_letter") == "1" and not can(current_user, Permission.ISSUE_LETTERS)


def actor() -> str:
    """The signed-in user's name for records' 'by' columns."""
    return current_user.username


def _month_number(word: str) -> int | None:
    for names in (THAI_MONTHS, THAI_MONTHS_ABBR):
        if word in names:
            return names.index(word) + 1
    return None


def parse_date(raw: str | None, *, required: bool = True, label: str = "วันที่") -> date | None:
    """A date typed as 15/01/2564 (BE), 15 มกราคม 2564, or 2021-01-15 (CE, from a date picker)."""
    value = (raw or "").strip()
    if not value:
        if required:
            raise FormError(f"กรุณาระบุ{label}")
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
        parts = value.split() if " " in value else re.split(r"[/\-.]+", value)
        if len(parts) == 3:
            day = int(parts[0])
            month = int(parts[1]) if parts[1].isdigit() else _month_number(parts[1])
            year = int(parts[2])
            if month is not None:
                year = ce_year(year)
                return date(year, month, day)
    except ValueError:
        pass
    raise FormError(f"{label}ไม่ถูกต้อง: กรุณาพิมพ์แบบ {DATE_HINT}")


def parse_time(raw: str | None) -> time:
    """A time of day typed as 09:30 or 9.30 (Bangkok)."""
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})", (raw or "").strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise FormError(f"เวลาไม่ถูกต้อง: กรุณาพิมพ์แบบ {TIME_HINT}")
    return time(int(match.group(1)), int(match.group(2)))


def bangkok_instant(day: date, at: time) -> datetime:
    """A Bangkok date and time as an aware instant."""
    return datetime.combine(day, at, BANGKOK)


def be_date(day: date | datetime | None) -> str:
    """A date as the forms show it: 15/01/2564."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = to_bangkok(day).date()
    return f"{day.day:02d}/{day.month:02d}/{be_year(day)}"


def hhmm(moment: datetime | None) -> str:
    """An instant's Bangkok time of day, e.g. 09:30."""
    return f"{to_bangkok(moment):%H:%M}" if moment else ""


def ids(name: str) -> list[int]:
    """The integer values of a multi-valued form field (checkboxes)."""
    return [int(value) for value in request.form.getlist(name) if value.isdigit()]


def optional_int(name: str) -> int | None:
    """An integer form field, or None when blank."""
    value = (request.form.get(name) or "").strip()
    return int(value) if value.isdigit() else None


def uploaded(name: str) -> tuple[bytes, str] | None:
    """The bytes and file name of an uploaded file, or None when no file was chosen."""
    upload = request.files.get(name)
    if upload is None or not upload.filename:
        return None
    return upload.read(), upload.filename


def media_dir() -> str:
    """Where uploaded documents are kept (MEDIA_DIR)."""
    return current_app.config["MEDIA_DIR"]


def forward_options(session: Session) -> dict:
    """What both kinds of forward take from the posted form (agencies, note, channels) and how they notify."""
    form = request.form
    return {
        "notify": notifier(session, "forward"),
        "summarise": forward_summary,
        "agency_ids": ids("agency_id"),
        "note": form.get("note"),
        "via_line": form.get("via_line") == "1",
        "via_letter": form.get("via_letter") == "1",
        "by": actor(),
        "now": utcnow(),
    }


def forwarded(forward: Forward) -> Done:
    """A forward just sent: its number and the LINE quota it used, audited, then its page."""
    cost = sum(r.line_cost or 0 for r in forward.recipients)
    return Done(
        f"ส่งต่อเรื่อง {forward.ref_no} แล้ว (ใช้โควตาข้อความ LINE ประมาณ {cost} ข้อความ)",
        audit("workgroup.forward", "forward", forward.id),
        to=url_for("admin.wg_forward", forward_id=forward.id),
    )


def require_edit() -> None:
    """Stop with 403 unless the user may change records."""
    if not can_edit():
        abort(403)


def asked_fiscal_year() -> tuple[int, dict]:
    """The fiscal year a list page asks for (?fy=, read by the admin's one period reader), and its picker's values.

    The second item goes to the template: `years` for the picker and `year_error`, the Thai message when what was
    asked could not be read (the current fiscal year is shown instead).
    """
    today = to_bangkok(utcnow()).date()
    current = Period.of_fiscal_year(fiscal_year(today))
    choice = pf.fiscal_year_from(request.args, current)
    year = choice.period.fiscal_year
    return year, {"years": pf.picker_years(today, back=8, also=year), "year_error": choice.error}
