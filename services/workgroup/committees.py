"""Committees (working groups), their appointing orders and members, with a history of every change."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.workgroup import Agency, Committee, CommitteeChange, CommitteeMember, CommitteeRole, StoredFile
from services.workgroup.errors import WorkgroupError, get_or_refuse


def _plain(value: Any) -> Any:
    """A value as JSON keeps it in a change record."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def record_change(
    session: Session, committee: Committee, action: str, *, by: str, member: CommitteeMember | None = None, **detail
) -> CommitteeChange:
    """Add one line to a committee's history of changes."""
    change = CommitteeChange(
        committee_id=committee.id,
        member_id=member.id if member is not None else None,
        action=action,
        detail={key: _plain(value) for key, value in detail.items()},
        by=by,
    )
    session.add(change)
    return change


def _check_dates(valid_from: date, valid_until: date | None) -> None:
    if valid_until is not None and valid_until < valid_from:
        raise WorkgroupError("วันสิ้นสุดต้องไม่ก่อนวันเริ่มมีผล")


COMMITTEE_FIELDS = ("name", "order_no", "order_issuer", "order_date", "valid_from", "valid_until", "note")


def create_committee(session: Session, *, by: str, **fields: Any) -> Committee:
    """Record a working group and its appointing order."""
    if not (fields.get("name") or "").strip() or not (fields.get("order_no") or "").strip():
        raise WorkgroupError("กรุณาระบุชื่อคณะทำงานและเลขที่คำสั่ง")
    fields.setdefault("valid_from", fields.get("order_date"))
    if fields.get("order_date") is None or fields.get("valid_from") is None:
        raise WorkgroupError("กรุณาระบุวันที่ของคำสั่ง")
    _check_dates(fields["valid_from"], fields.get("valid_until"))
    committee = Committee(**{key: fields.get(key) for key in COMMITTEE_FIELDS})
    session.add(committee)
    session.flush()
    record_change(session, committee, "created", by=by, **{key: fields.get(key) for key in COMMITTEE_FIELDS})
    return committee


def update_committee(session: Session, committee_id: int, *, by: str, **fields: Any) -> Committee:
    """Change a committee's order or validity; the history keeps what each field was before."""
    committee = get_committee(session, committee_id)
    changes = {}
    for key in COMMITTEE_FIELDS:
        if key in fields and getattr(committee, key) != fields[key]:
            changes[key] = {"from": _plain(getattr(committee, key)), "to": _plain(fields[key])}
            setattr(committee, key, fields[key])
    _check_dates(committee.valid_from, committee.valid_until)
    if changes:
        record_change(session, committee, "updated", by=by, **changes)
    return committee


def get_committee(session: Session, committee_id: int) -> Committee:
    """A committee, or a WorkgroupError."""
    return get_or_refuse(session, Committee, committee_id, "ไม่พบคณะทำงานนี้")


MEMBER_FIELDS = ("role", "agency_id", "full_name", "position", "contact", "joined_on", "left_on", "sort_order")


def add_member(session: Session, committee_id: int, *, by: str, **fields: Any) -> CommitteeMember:
    """Seat a representative of an agency on a committee, in a role."""
    committee = get_committee(session, committee_id)
    if session.get(Agency, fields.get("agency_id") or 0) is None:
        raise WorkgroupError("กรุณาเลือกหน่วยงานของผู้แทน")
    fields["role"] = CommitteeRole(fields.get("role") or CommitteeRole.MEMBER)
    fields.setdefault("sort_order", len(committee.members))
    member = CommitteeMember(committee_id=committee.id, **{key: fields.get(key) for key in MEMBER_FIELDS})
    session.add(member)
    session.flush()
    session.refresh(committee, ["members"])
    record_change(session, committee, "member_added", by=by, member=member, **_member_facts(member))
    return member


def _member_facts(member: CommitteeMember) -> dict[str, Any]:
    return {"role": member.role, "agency": member.agency.name, "position": member.position, "name": member.full_name}


def update_member(session: Session, member_id: int, *, by: str, **fields: Any) -> CommitteeMember:
    """Change a seat (role, person, dates); the history keeps the previous values."""
    member = get_or_refuse(session, CommitteeMember, member_id, "ไม่พบกรรมการคนนี้")
    if "role" in fields:
        fields["role"] = CommitteeRole(fields["role"])
    changes = {}
    for key in MEMBER_FIELDS:
        if key in fields and getattr(member, key) != fields[key]:
            changes[key] = {"from": _plain(getattr(member, key)), "to": _plain(fields[key])}
            setattr(member, key, fields[key])
    if member.left_on is not None and member.joined_on is not None and member.left_on < member.joined_on:
        raise WorkgroupError("วันพ้นจากตำแหน่งต้องไม่ก่อนวันเริ่ม")
    if changes:
        action = "member_left" if set(changes) == {"left_on"} else "member_updated"
        record_change(session, member.committee, action, by=by, member=member, **changes)
    return member


def attach_order_file(session: Session, committee_id: int, stored: StoredFile, *, by: str) -> Committee:
    """Attach the scanned appointing order (evidence of level 3)."""
    committee = get_committee(session, committee_id)
    committee.order_file_id = stored.id
    record_change(session, committee, "order_file", by=by, file=stored.file_name, sha256=stored.sha256)
    return committee


def all_committees(session: Session) -> list[Committee]:
    """Every committee, newest order first."""
    return list(session.scalars(select(Committee).order_by(Committee.valid_from.desc(), Committee.id.desc())))
