"""The news report and the stored media the factories build on (this module holds no tests)."""

from __future__ import annotations

import uuid
from datetime import datetime

from models import MediaFile, MediaStatus, NewsReport, ReportItem
from services.media_store import MediaStore


def news_report(session, when: datetime, text: str | None, **columns) -> NewsReport:
    """A news report begun at `when` with one text item (none when text is None), flushed."""
    made = NewsReport(started_at=when, last_item_at=when, **columns)
    session.add(made)
    session.flush()
    if text is not None:
        session.add(ReportItem(report_id=made.id, kind="text", text=text, sent_at=when))
        session.flush()
    return made


def media_file(
    session, store: MediaStore, data: bytes, content_type: str, when: datetime, *, kind: str = "image", **columns
) -> MediaFile:
    """A media file of LINE's downloaded at `when` and stored under MEDIA_DIR (original and shown copy), flushed."""
    original, shown, digest = store.save(data, content_type)
    media = MediaFile(
        line_message_id=uuid.uuid4().hex[:20],
        kind=kind,
        status=MediaStatus.STORED,
        path=original,
        shown_path=shown,
        sha256=digest,
        content_type=content_type,
        size=len(data),
        stored_at=when,
        **columns,
    )
    session.add(media)
    session.flush()
    return media


def two_points(session, unit_code: str = "bangrak-1") -> tuple:
    """A patrol unit of บางรัก and two points in its care from 1 October 2569 (RP-0001 with camera CAM-0001,
    RP-0002 in ปทุมวัน without), flushed; returns the unit and the points by code."""
    from datetime import date

    from models import UnitKind
    from services.riskpoints.registry import save_point
    from services.riskpoints.units import create_unit, ensure_default_units

    ensure_default_units(session)
    unit = create_unit(session, code=unit_code, name="สายตรวจบางรัก 1", kind=UnitKind.PATROL, district="บางรัก")
    points = {}
    for code, name, district, camera in (
        ("RP-0001", "ซอยเจริญกรุง 30", "บางรัก", "CAM-0001: สำนักการจราจรและขนส่ง"),
        ("RP-0002", "ตลาดสามย่าน", "ปทุมวัน", ""),
    ):
        values = {
            "code": code,
            "name": name,
            "district": district,
            "latitude": 13.72,
            "longitude": 100.52,
            "kind": "alley",
            "patrol_unit": unit_code,
            "required_patrols": 2,
            "active_from": date(2026, 10, 1),
        }
        if camera:
            values["cameras"] = camera
        points[code] = save_point(session, values)
    return unit, points
