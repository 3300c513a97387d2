"""The office profile (one home: models/office.py) and the letters' bodies: checked, stored and audited.

``office_profile(session)`` reads the profile (re-exported from models/office.py, where reports/ reads it
too); ``save_office_profile`` checks every field and stores the changed ones as ``office.*`` settings;
``save_letter_templates`` stores the bodies of letters per kind once each template can be filled.
Both write one audit entry naming the keys changed, never their values.
"""

from __future__ import annotations

from dataclasses import fields

from sqlalchemy.orm import Session

from models.districts import DISTRICTS
from models.office import KEYS, OfficeProfile, office_profile
from models.settings import get_setting, set_setting
from reports.documents import letter_templates
from services.audit import Action, record
from texts import office as t

__all__ = [
    "OfficeError",
    "OfficeProfile",
    "check_profile",
    "office_profile",
    "save_letter_templates",
    "save_office_profile",
]

LIMITS = {
    "district": 60,
    "office_name": 200,
    "address": 300,
    "phone": 60,
    "letter_prefix": 30,
    "signatory_name": 120,
    "signatory_position": 200,
    "secretariat_unit": 200,
}
OPTIONAL = {"signatory_name"}


class OfficeError(ValueError):
    """A profile or template the office cannot use; ``errors`` holds the Thai reason per field or kind."""

    def __init__(self, errors: dict[str, str]) -> None:
        """Keep the reasons by field."""
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def check_profile(profile: OfficeProfile) -> dict[str, str]:
    """What is wrong with a profile, in Thai, by field (empty when it can be stored)."""
    errors = {}
    for name, limit in LIMITS.items():
        value = getattr(profile, name)
        if not value.strip() and name not in OPTIONAL:
            errors[name] = t.REQUIRED.format(label=t.LABELS[name][0])
        elif len(value) > limit:
            errors[name] = t.TOO_LONG.format(limit=limit)
    if "district" not in errors and profile.district not in DISTRICTS:
        errors["district"] = t.UNKNOWN_DISTRICT.format(name=profile.district)
    if "phone" not in errors and not any(ch.isdigit() for ch in profile.phone):
        errors["phone"] = t.PHONE_DIGITS
    if "letter_prefix" not in errors and "/" in profile.letter_prefix:
        errors["letter_prefix"] = t.PREFIX_SLASH
    return errors


def _cleaned(profile: OfficeProfile) -> dict[str, object]:
    """The profile's values as stored: text trimmed (the address keeps its lines), the digits flag a bool."""
    values: dict[str, object] = {}
    for field in fields(profile):
        value = getattr(profile, field.name)
        if field.name == "address":
            value = "\n".join(" ".join(line.split()) for line in str(value).splitlines() if line.strip())
        elif isinstance(value, str):
            value = " ".join(value.split())
        values[field.name] = bool(value) if field.name == "thai_digits" else value
    return values


def save_office_profile(session: Session, profile: OfficeProfile, by: str, *, ip: str | None = None) -> list[str]:
    """Store a checked profile's changed fields (raises OfficeError in Thai); audited; return the keys changed."""
    values = _cleaned(profile)
    errors = check_profile(OfficeProfile(**values))
    if errors:
        raise OfficeError(errors)
    changed = [key for name, key in KEYS.items() if get_setting(session, key) != values[name]]
    for name, key in KEYS.items():
        if key in changed:
            set_setting(session, key, values[name], by)
    if changed:
        record(session, by, Action.OFFICE_PROFILE, object_type="setting", ip=ip, detail={"keys": changed})
    return changed


def save_letter_templates(session: Session, templates: dict[str, str], by: str, *, ip: str | None = None) -> list[str]:
    """Store the letters' bodies per kind (blank: the built-in text; raises OfficeError in Thai); audited."""
    cleaned = {kind: templates.get(kind, "").replace("\r\n", "\n").strip() for kind in letter_templates.KINDS}
    cleaned = {kind: "" if text == letter_templates.default_template(kind) else text for kind, text in cleaned.items()}
    errors = {kind: reason for kind, text in cleaned.items() if (reason := letter_templates.problem(kind, text))}
    if errors:
        raise OfficeError(errors)
    changed = []
    for kind, text in cleaned.items():
        key = letter_templates.setting_key(kind)
        if letter_templates.stored_template(session, kind) != text:
            set_setting(session, key, text, by)
            changed.append(key)
    if changed:
        record(session, by, Action.LETTER_TEMPLATES, object_type="setting", ip=ip, detail={"keys": changed})
    return changed
