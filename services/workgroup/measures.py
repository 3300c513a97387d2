"""Measures, policies and plans agencies report back on a forward."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from models.workgroup import Forward, Measure, MeasureKind, StoredFile
from services.workgroup.errors import WorkgroupError, get_or_refuse


def record_measure(
    session: Session,
    *,
    forward_id: int,
    agency_id: int,
    title: str,
    by: str,
    reported_on: date,
    kind: str = MeasureKind.MEASURE,
    detail: str | None = None,
    district: str | None = None,
    stored: StoredFile | None = None,
    source: str = "web",
    now: datetime | None = None,
) -> Measure:
    """Record a measure, policy or plan an agency reported on a forward (it also acknowledges receipt)."""
    forward = get_or_refuse(session, Forward, forward_id, "ไม่พบเรื่องที่ส่งต่อ")
    recipient = next((r for r in forward.recipients if r.agency_id == agency_id), None)
    if recipient is None:
        raise WorkgroupError("หน่วยงานนี้ไม่ได้รับเรื่องนี้")
    if not title.strip():
        raise WorkgroupError("กรุณาระบุมาตรการหรือนโยบาย")
    measure = Measure(
        forward_id=forward.id,
        agency_id=agency_id,
        kind=MeasureKind(kind),
        title=title.strip()[:300],
        detail=(detail or "").strip() or None,
        district=district or recipient.agency.district,
        reported_on=reported_on,
        file_id=stored.id if stored else None,
        source=source,
        recorded_by=by,
    )
    session.add(measure)
    if recipient.acknowledged_at is None:
        recipient.acknowledged_at = now or forward.sent_at
        recipient.acknowledged_by = "แจ้งผลการดำเนินการ"
    session.flush()
    return measure
