"""The network's editable settings (models.settings keys starting with 'network.'), checked before storing."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from models.settings import DEFAULTS, get_setting, set_setting
from services.network.catalogue import split_keywords
from services.network.errors import NetworkError

SETTING_LIMITS: dict[str, tuple[int, int]] = {
    "network.burst_minutes": (1, 240),
    "network.duplicate_radius_m": (10, 50_000),
    "network.duplicate_hours": (1, 720),
    "network.level1_min_occupations": (1, 20),
    "network.kpi_target": (1, 5),
}


def network_setting_keys() -> list[str]:
    """The editable settings of the network (models.settings.DEFAULTS keys starting with 'network.')."""
    return [key for key in DEFAULTS if key.startswith("network.")]


def parse_network_setting(key: str, raw: Any) -> Any:
    """A typed value for a network setting from form or JSON input, or NetworkError in Thai."""
    default = DEFAULTS[key]
    if isinstance(default, bool):
        return raw in (True, "1", "on", "true", "yes")
    if isinstance(default, int):
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise NetworkError("ต้องเป็นจำนวนเต็ม") from None
        low, high = SETTING_LIMITS.get(key, (0, 10**9))
        if not low <= value <= high:
            raise NetworkError(f"ต้องอยู่ระหว่าง {low:,} ถึง {high:,}")
        return value
    if isinstance(default, list):
        values = split_keywords(raw)
        if not values or len(values) > 20 or any(len(value) > 30 for value in values):
            raise NetworkError("ระบุอย่างน้อย 1 คำ ไม่เกิน 20 คำ แต่ละคำยาวไม่เกิน 30 ตัวอักษร")
        return values
    value = str(raw or "").strip()
    if not 1 <= len(value) <= 20:
        raise NetworkError("ต้องยาว 1–20 ตัวอักษร")
    return value


def save_network_settings(session: Session, raw: dict[str, Any], *, by: str) -> tuple[list[str], dict[str, str]]:
    """Validate every network setting, then store the changed ones; return (changed keys, errors by key).

    Nothing is stored when any value is wrong.
    """
    values, errors = {}, {}
    for key in network_setting_keys():
        try:
            values[key] = parse_network_setting(key, raw.get(key))
        except NetworkError as error:
            errors[key] = str(error)
    if errors:
        return [], errors
    changed = [key for key, value in values.items() if get_setting(session, key) != value]
    for key in changed:
        set_setting(session, key, values[key], by)
    return changed, {}
