"""A person with data in every table, beside seed 000's FY 2564, and the KPI figures to compare (no tests here)."""

from __future__ import annotations

import difflib
import io
import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from PIL import Image
from sqlalchemy import select

from bot.seed_fy2564 import at, load_fy2564
from models import (
    AuditEntry,
    Base,
    CameraCheck,
    CameraStatus,
    Chat,
    CheckAttempt,
    Conversation,
    Defect,
    InboxStatus,
    Invitation,
    MediaFile,
    Member,
    MemberStatus,
    MonthlySubmission,
    NewsReport,
    OrderEvent,
    OutboxStatus,
    OutgoingMessage,
    PatrolCheck,
    ReportItem,
    ReportStatus,
    RiskCamera,
    RiskPhoto,
    RiskPoint,
    RiskUnit,
    RoundMiss,
    UnitKind,
    WorkOrder,
)
from models.periods import Period
from models.workgroup import Forward, ForwardRecipient, StaffLineLink
from reports.network_kpi import network_kpi
from reports.riskpoint_compliance import by_district, by_point, compliance
from services.media_store import MediaStore
from services.workgroup.measures import record_measure
from tests.report_factories import media_file, news_report
from tests.test_admin_support import inbox_row, make_staff

UID = "U" + "5a" * 16  # the person who asks
OTHER = "U" + "7c" * 16  # someone else, who must keep everything
FULL_NAME = "สมชาย ใจดีมาก"
DISPLAY_NAME = "ชายกลางซอย"
PHONE = "0812345678"
SECRETS = ("ข่าวลับ: รถตู้เข้าซอยหลังวัดตีสอง", "หมายเหตุลับของผู้แจ้ง", "บ้านเลขที่ 99/9 หลังตลาด")
OTHER_TEXT = "ข่าวของอีกคน: แรงงานในแคมป์"


def image_bytes(colour: tuple[int, int, int]) -> bytes:
    """A tiny PNG of one colour (different colours give different files)."""
    out = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(out, format="PNG")
    return out.getvalue()


def stored_media(session, store: MediaStore, data: bytes, *, kind: str = "image", when: datetime) -> MediaFile:
    """A media file downloaded and stored under MEDIA_DIR."""
    file_name = "ภาพถ่าย.png" if kind == "file" else None
    return media_file(session, store, data, "image/png", when, kind=kind, file_name=file_name, created_at=when)


def inbox_event(session, user_id: str, *, chat: str | None = None, status=InboxStatus.DONE, text=SECRETS[0], when=None):
    """A message event from a user, in their 1:1 chat or in a group."""
    when = when or at(2021, 3, 1, 10)
    source = {"type": "group", "groupId": chat, "userId": user_id} if chat else {"type": "user", "userId": user_id}
    payload = {
        "type": "message",
        "mode": "active",
        "timestamp": int(when.timestamp() * 1000),
        "source": source,
        "webhookEventId": uuid.uuid4().hex,
        "message": {"type": "text", "id": uuid.uuid4().hex[:12], "text": text},
    }
    return inbox_row(session, payload, chat or user_id, when, status=status)


def outgoing(session, recipient: str, status=OutboxStatus.SENT, *, multicast=None, text=SECRETS[1], when=None):
    """An outbox row to a user (or a multicast)."""
    when = when or at(2021, 3, 1, 10)
    row = OutgoingMessage(
        recipient=recipient,
        messages=[{"type": "text", "text": text}],
        status=status,
        multicast_to=multicast,
        created_at=when,
        next_attempt_at=when,
        sent_at=when if status == OutboxStatus.SENT else None,
    )
    session.add(row)
    session.flush()
    return row


def text_report(session, status: ReportStatus, text: str, when: datetime, *, reporter_id: int | None = None) -> int:
    """A direct report from the person's LINE id with one text message; return its id."""
    return news_report(session, when, text, channel="direct", reporter_id=reporter_id, sender_key=UID, status=status).id


@dataclass
class World:
    """Ids of what the person and the other member hold."""

    member_id: int
    other_id: int
    report_ids: list[int]
    other_report_id: int
    media_paths: list[str]  # the person's own files (relative to MEDIA_DIR)
    shared_paths: list[str]  # the files of a photo the person and the other member both sent (same bytes)
    other_media_id: int
    event_ids: dict[str, int] = field(default_factory=dict)
    outbox_ids: dict[str, int] = field(default_factory=dict)


def build_world(services, store: MediaStore) -> World:
    """Seed 000's FY 2564, then one person with data in every table that can hold it, and someone else."""
    staff_id = make_staff(services, "patrol-lead")
    with services.sessions.begin() as session:
        seed = load_fy2564(session)
        person = Member(
            line_user_id=UID,
            display_name=DISPLAY_NAME,
            full_name=FULL_NAME,
            phone=PHONE,
            is_friend=True,
            status=MemberStatus.APPROVED,
            occupation_code="motorcycle_taxi",
            district="คลองเตย",
            consent_version="2564-1",
            consent_at=at(2020, 12, 1),
            registered_at=at(2020, 12, 1),
            first_seen_at=at(2020, 11, 30),
        )
        other = Member(
            line_user_id=OTHER,
            display_name="หญิงริมคลอง",
            full_name="สมหญิง รักดี",
            phone="0898765432",
            is_friend=True,
            status=MemberStatus.APPROVED,
            occupation_code="volunteer",
            district="ตลิ่งชัน",
            registered_at=at(2020, 12, 5),
        )
        session.add_all([person, other])
        session.flush()

        # News: three of the seed's reports (one considered at a meeting, one forwarded) are the person's.
        mine = [seed.report_ids[0], seed.report_ids[5], seed.report_ids[7]]
        paths: list[str] = []
        shared = None
        for number, report_id in enumerate(mine):
            report = session.get(NewsReport, report_id)
            report.reporter_id, report.sender_key = person.id, UID
            report.latitude, report.longitude, report.place = 13.72, 100.55, SECRETS[2]
            when = report.started_at + timedelta(minutes=1)
            session.add(ReportItem(report_id=report_id, kind="text", text=SECRETS[0], sent_at=when))
            session.add(
                ReportItem(
                    report_id=report_id,
                    kind="location",
                    latitude=13.72,
                    longitude=100.55,
                    address=SECRETS[2],
                    sent_at=when,
                )
            )
            media = stored_media(session, store, image_bytes((10 * number, 20, 30)), when=when)
            paths += [media.path, media.shown_path]
            if number == 0:
                shared = [media.path, media.shown_path]
            session.add(ReportItem(report_id=report_id, kind="image", media_id=media.id, sent_at=when))
        mine.append(text_report(session, ReportStatus.DRAFT, SECRETS[1], at(2021, 4, 1), reporter_id=person.id))
        # A report from their LINE id before they were a member row's reporter (the sender key alone names them).
        mine.append(text_report(session, ReportStatus.WITHDRAWN, SECRETS[2], at(2021, 4, 2)))
        # The other member sent the very same photo as the person's first one: one file on disk, two rows.
        other_report = session.get(NewsReport, seed.report_ids[8])
        other_report.reporter_id, other_report.sender_key = other.id, OTHER
        other_media = stored_media(session, store, image_bytes((0, 20, 30)), when=other_report.started_at)
        session.add(
            ReportItem(report_id=other_report.id, kind="text", text=OTHER_TEXT, sent_at=other_report.started_at)
        )
        session.add(
            ReportItem(
                report_id=other_report.id, kind="image", media_id=other_media.id, sent_at=other_report.started_at
            )
        )

        session.add(Conversation(line_user_id=UID, flow="report", step="detail", data={"text": SECRETS[0]}))
        session.add(
            Invitation(line_user_id=UID, chat_id=other_report.chat_id, sent_at=at(2020, 11, 30), detail=FULL_NAME)
        )

        # Risk points: the person patrols; their checks, photos, a refused check-in, a defect and a month report.
        unit = RiskUnit(code="patrol-kt", name="สายตรวจคลองเตย", kind=UnitKind.PATROL, district="คลองเตย")
        session.add(unit)
        session.flush()
        point = RiskPoint(
            code="RP-0001",
            name="ใต้สะพาน",
            district="คลองเตย",
            latitude=13.7,
            longitude=100.5,
            kind="dark",
            patrol_unit_id=unit.id,
            active_from=date(2021, 1, 1),
        )
        session.add(point)
        session.flush()
        camera = RiskCamera(point_id=point.id, code="CAM-1", owner_agency="สำนักการจราจร", active_from=date(2021, 1, 1))
        session.add(camera)
        session.flush()
        for day in range(1, 4):
            checked = at(2021, 3, day, 10)
            photo = stored_media(session, store, image_bytes((200, day, 0)), when=checked)
            paths += [photo.path, photo.shown_path]
            session.add(
                PatrolCheck(
                    point_id=point.id,
                    member_id=person.id,
                    checked_at=checked,
                    patrol_day=checked.date(),
                    round_no=1,
                    latitude=13.7001,
                    longitude=100.5001,
                    distance_m=12.0,
                    location_message_id=f"loc-{day}",
                    photo_media_id=photo.id,
                )
            )
            session.add(
                CameraCheck(
                    camera_id=camera.id,
                    point_id=point.id,
                    checked_at=checked,
                    check_day=checked.date(),
                    status=CameraStatus.WORKING if day < 3 else CameraStatus.BROKEN,
                    method="on_site",
                    member_id=person.id,
                )
            )
        session.add(
            CheckAttempt(
                point_id=point.id,
                member_id=person.id,
                attempted_at=at(2021, 3, 4, 10),
                reason="outside",
                latitude=13.9,
                longitude=100.9,
                distance_m=3000.0,
            )
        )
        defect = Defect(point_id=point.id, kind="lighting", opened_at=at(2021, 3, 3, 10), reported_by=person.id)
        session.add(defect)
        session.flush()
        before = stored_media(session, store, image_bytes((1, 2, 3)), when=at(2021, 3, 3, 10))
        paths += [before.path, before.shown_path]
        session.add(RiskPhoto(media_id=before.id, defect_id=defect.id, role="before", sent_at=at(2021, 3, 3, 10)))
        order = WorkOrder(ref="WO-2564-0001", defect_id=defect.id, unit_id=unit.id, created_at=at(2021, 3, 3, 10))
        order.awaiting_photo_user, order.awaiting_photo_since = UID, at(2021, 3, 5, 10)
        session.add(order)
        session.flush()
        session.add(OrderEvent(order_id=order.id, at=at(2021, 3, 5, 10), status="done", actor=FULL_NAME))
        session.add(
            MonthlySubmission(
                unit_id=unit.id, year=2021, month=3, submitted_at=at(2021, 4, 5, 9), submitted_by=FULL_NAME
            )
        )
        session.add(
            RoundMiss(
                point_id=point.id,
                patrol_day=date(2021, 3, 9),
                round_no=2,
                recorded_at=at(2021, 3, 9, 18),
                reason="flood",
                reason_by=UID,
                reason_at=at(2021, 3, 9, 19),
            )
        )

        # The working group: the person acknowledged a forward in an agency group and reported a measure.
        forward = session.get(Forward, seed.forward_ids[1])
        recipient = session.scalar(
            select(ForwardRecipient).where(ForwardRecipient.forward_id == forward.id).order_by(ForwardRecipient.id)
        )
        recipient.acknowledged_user_id, recipient.acknowledged_by = UID, DISPLAY_NAME
        record_measure(
            session,
            forward_id=forward.id,
            agency_id=recipient.agency_id,
            title="ลาดตระเวนร่วมชุมชน",
            by=f"LINE: {DISPLAY_NAME}",
            reported_on=date(2021, 8, 1),
            source="line",
            now=at(2021, 8, 1),
        )
        session.add(StaffLineLink(staff_user_id=staff_id, line_user_id=UID))

        group_key = session.scalar(select(NewsReport.chat_id).where(NewsReport.id == mine[0]))
        group_line_id = session.get(Chat, group_key).line_chat_id
        events = {
            "direct_done": inbox_event(session, UID),
            "direct_parked": inbox_event(session, UID, status=InboxStatus.PARKED),
            "direct_pending": inbox_event(session, UID, status=InboxStatus.PENDING),
            "direct_failed": inbox_event(session, UID, status=InboxStatus.FAILED),
            "group_done": inbox_event(session, UID, chat=group_line_id),
            "other_in_group": inbox_event(session, OTHER, chat=group_line_id, text=OTHER_TEXT),
            "other_direct": inbox_event(session, OTHER, text=OTHER_TEXT),
        }
        outbox = {
            "reply": outgoing(session, UID),
            "parked": outgoing(session, UID, OutboxStatus.PARKED),
            "pending": outgoing(session, UID, OutboxStatus.PENDING),
            "multicast": outgoing(session, "multicast", multicast=[OTHER, UID], text="เตือนรอบตรวจ"),
            "other": outgoing(session, OTHER, text=OTHER_TEXT),
        }
        session.add_all(
            [
                AuditEntry(actor="noi", action="view.member", object_type="member", object_id=str(person.id)),
                AuditEntry(
                    actor="noi",
                    action="view.identity",
                    object_type="member",
                    detail={"ids": [other.id, person.id], "count": 2},
                ),
                AuditEntry(actor="noi", action="view.report", object_type="news_report", object_id=str(mine[0])),
                AuditEntry(actor="noi", action="view.member", object_type="member", object_id=str(other.id)),
            ]
        )
        return World(
            member_id=person.id,
            other_id=other.id,
            report_ids=mine,
            other_report_id=other_report.id,
            media_paths=paths,
            shared_paths=shared,
            other_media_id=other_media.id,
            event_ids={name: event.id for name, event in events.items()},
            outbox_ids={name: row.id for name, row in outbox.items()},
        )


def kpi_figures(session) -> list:
    """Every figure the KPIs give for FY 2564: the network ladder (year and quarters) and risk-point compliance."""
    figures: list = []
    for period in (Period.of_fiscal_year(2564), *(Period.of_quarter(2564, quarter) for quarter in (1, 2, 3, 4))):
        kpi = network_kpi(session, period)
        figures.append((kpi.level, [(r.level, r.achieved, r.reason, r.evidence) for r in kpi.levels]))
    span = Period.of_fiscal_year(2564)
    figures.append(compliance(session, span).as_dict())
    figures.append({key: value.as_dict() for key, value in by_district(session, span).items()})
    figures.append({key: value.as_dict() for key, value in by_point(session, span).items()})
    return figures


def assert_same_figures(after: list, before: list) -> None:
    """Assert two kpi_figures() results are equal, showing a line diff of the two when they are not."""
    if after == before:
        return
    lines = [
        json.dumps(f, ensure_ascii=False, sort_keys=True, default=str, indent=1).splitlines() for f in (before, after)
    ]
    diff = "\n".join(list(difflib.unified_diff(*lines, "before", "after", lineterm=""))[:120])
    raise AssertionError(f"the KPI figures changed:\n{diff}")


def all_rows_text(services) -> str:
    """Every row of every table as text, to look for what must be gone."""
    chunks = []
    with services.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(table.select()):
                chunks.append(json.dumps([str(value) for value in row], ensure_ascii=False))
    return "\n".join(chunks)
