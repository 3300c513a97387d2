"""The network's configurable lists: occupational groups and report categories with their keywords."""

from __future__ import annotations

import re
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Occupation, ReportCategory
from services.network.errors import NetworkError

Entry = TypeVar("Entry", Occupation, ReportCategory)

LIST_CODE = re.compile(r"^[a-z][a-z0-9_]{1,29}$")


def _list_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not 1 <= len(cleaned) <= 100:
        raise NetworkError("ชื่อต้องยาว 1–100 ตัวอักษร")
    return cleaned


CODE_PREFIXES = {"occupations": "occupation", "report_categories": "category"}


def _new_code(session: Session, model: type, code: str) -> str:
    """The code a new entry is saved under: the one given (checked), or the next free `<table>_<n>` one."""
    cleaned = (code or "").strip().lower()
    if not cleaned:
        prefix = CODE_PREFIXES[model.__tablename__]
        taken = set(session.scalars(select(model.code)))
        number = len(taken) + 1
        while f"{prefix}_{number}" in taken:
            number += 1
        return f"{prefix}_{number}"
    if not LIST_CODE.match(cleaned):
        raise NetworkError("รหัสต้องขึ้นต้นด้วยอักษรอังกฤษตัวเล็ก ยาว 2–30 ตัว ใช้ได้เฉพาะ a–z, 0–9 และ _")
    if session.get(model, cleaned) is not None:
        raise NetworkError(f"มีรหัส {cleaned} อยู่แล้ว")
    return cleaned


def _list_entry(session: Session, model: type[Entry], code: str, *, create: bool, missing: str) -> Entry:
    """A new list entry under a fresh code (added to the session), or the existing one, or a NetworkError."""
    if create:
        entry = model(code=_new_code(session, model, code))
        session.add(entry)
        return entry
    entry = session.get(model, code)
    if entry is None:
        raise NetworkError(missing)
    return entry


def split_keywords(raw: str | list[str] | None) -> list[str]:
    """Keywords typed one per line or separated by commas, trimmed, without blanks or repeats."""
    parts = raw if isinstance(raw, list) else re.split(r"[,\n]+", raw or "")
    return list(dict.fromkeys(part.strip() for part in parts if part and part.strip()))


def save_occupation(
    session: Session, code: str, *, name: str, sort_order: int, is_active: bool, create: bool = False
) -> Occupation:
    """Add an occupational group, or rename, reorder, retire or restore one (codes never change)."""
    occupation = _list_entry(session, Occupation, code, create=create, missing="ไม่พบกลุ่มอาชีพนี้")
    occupation.name, occupation.sort_order, occupation.is_active = _list_name(name), int(sort_order), bool(is_active)
    session.flush()
    return occupation


def save_category(
    session: Session,
    code: str,
    *,
    name: str,
    keywords: str | list[str],
    sort_order: int,
    is_active: bool,
    create: bool = False,
) -> ReportCategory:
    """Add a report category, or change its name, keywords, order or whether it is offered."""
    category = _list_entry(session, ReportCategory, code, create=create, missing="ไม่พบหมวดหมู่นี้")
    words = split_keywords(keywords)
    if any(len(word) > 50 for word in words) or len(words) > 100:
        raise NetworkError("คำสำคัญแต่ละคำยาวได้ไม่เกิน 50 ตัวอักษร และไม่เกิน 100 คำ")
    category.name, category.keywords = _list_name(name), words
    category.sort_order, category.is_active = int(sort_order), bool(is_active)
    session.flush()
    return category
