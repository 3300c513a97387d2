"""The office profile: the district office's name, address, phone, letter code and signatory, read by every document.

One home for what letters, reports, posters and cards print about the office. Stored in the settings table
under ``office.*`` (models/settings.py DEFAULTS); changed through ``services.office.save_office_profile``
(validated and audited) from the admin page ``/admin/office``. Kept in models so that reports/ (which never
imports services/) reads the same profile as everything else.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy.orm import Session

from models.settings import get_setting

# OfficeProfile field -> its settings key
KEYS: dict[str, str] = {
    "district": "office.district",
    "office_name": "office.name",
    "address": "office.address",
    "phone": "office.phone",
    "letter_prefix": "office.letter_prefix",
    "signatory_name": "office.signatory_name",
    "signatory_position": "office.signatory_position",
    "secretariat_unit": "office.secretariat_unit",
    "thai_digits": "office.thai_digits",
}
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


@dataclass(frozen=True)
class OfficeProfile:
    """The district office as its documents name it (e.g. สำนักงานเขตบางรัก, ที่ กท ๕๓๐๑/…)."""

    district: str  # e.g. "บางรัก" (without "เขต")
    office_name: str  # e.g. "สำนักงานเขตบางรัก"
    address: str
    phone: str
    letter_prefix: str  # the office's code printed before a letter's number, e.g. "กท ๕๓๐๑"
    signatory_name: str  # e.g. "นายสมชาย ใจดี"; blank leaves room to write it by hand
    signatory_position: str  # e.g. "ผู้อำนวยการเขตบางรัก"
    secretariat_unit: str  # the unit named as contact when no other unit is responsible, e.g. "ฝ่ายปกครอง"
    thai_digits: bool  # print letters' numbers and dates in Thai digits

    @property
    def name(self) -> str:
        """The office's name, or one made from its district when none is set."""
        return self.office_name or (f"สำนักงานเขต{self.district}" if self.district else "สำนักงานเขต")

    @property
    def is_complete(self) -> bool:
        """Whether what every letter prints is set: district, name, address, phone, code and signatory's position."""
        wanted = (self.district, self.office_name, self.address, self.phone, self.letter_prefix)
        return all(value.strip() for value in (*wanted, self.signatory_position))

    def digits(self, text: str) -> str:
        """The text with Thai digits when the office prints them so."""
        return text.translate(THAI_DIGITS) if self.thai_digits else text

    def values(self) -> dict[str, object]:
        """The profile as a dict of its fields."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


def office_profile(session: Session) -> OfficeProfile:
    """The office profile as stored (defaults for what was never set)."""
    values = {name: get_setting(session, key) for name, key in KEYS.items()}
    text = {name: str(value or "").strip() for name, value in values.items() if name != "thai_digits"}
    return OfficeProfile(**text, thai_digits=bool(values["thai_digits"]))


def letter_number(session: Session, number: int, profile: OfficeProfile | None = None) -> str:
    """A letter's printed number without 'ที่': the office's code and the running number, e.g. 'กท ๕๓๐๑/12'."""
    prefix = (profile or office_profile(session)).letter_prefix
    return f"{prefix}/{number}" if prefix else str(number)
