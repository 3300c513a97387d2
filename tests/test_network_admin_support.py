"""Factories and helpers for the network admin and API tests (this module holds no tests)."""

from __future__ import annotations

import io
import itertools
import uuid
from datetime import UTC, datetime, timedelta

from PIL import Image
from sqlalchemy import select

from models import (
    Chat,
    Member,
    MemberStatus,
    NewsReport,
    Occupation,
    OutgoingMessage,
    ReportCategory,
    ReportItem,
    ReportLink,
    ReportStatus,
    Role,
)
from models.timeutil import BANGKOK
from services.media_store import MediaStore
from tests.report_factories import media_file, news_report
from tests.test_admin_support import login, make_staff

_numbers = itertools.count(1)
GPS = {1: "N", 2: (13.0, 44.0, 10.0), 3: "E", 4: (100.0, 30.0, 5.0)}


def bkk(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """An aware UTC instant from a Bangkok wall time (CE year)."""
    return datetime(year, month, day, hour, minute, tzinfo=BANGKOK).astimezone(UTC)


def signed_in(app, services, role: Role, districts=(), username: str | None = None):
    """A test client signed in as a new staff account of this role."""
    client = app.test_client()
    name = username or role.value.replace("_", "-")
    make_staff(services, name, role, districts=districts)
    assert login(client, name).status_code == 302
    return client


def page(client, path: str) -> str:
    """GET a page that must answer 200; return its HTML."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def photo_with_gps(colour=(200, 30, 30)) -> bytes:
    """A JPEG whose EXIF holds a camera make and GPS coordinates."""
    image = Image.new("RGB", (32, 24), colour)
    exif = Image.Exif()
    exif[0x010F] = "FieldCam"
    gps = exif.get_ifd(0x8825)
    gps.update(GPS)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def member(
    services,
    *,
    status: MemberStatus = MemberStatus.APPROVED,
    district: str | None = "คลองเตย",
    occupation: str | None = "volunteer",
    full_name: str = "สมชาย ใจดี",
    phone: str = "0812345678",
    display_name: str = "ชาย LINE",
    is_friend: bool = True,
    registered: datetime | None = None,
) -> tuple[int, str]:
    """A registered network member; return its id and reporter code."""
    with services.sessions.begin() as session:
        person = Member(
            line_user_id="U" + uuid.uuid4().hex,
            display_name=display_name,
            is_friend=is_friend,
            status=status,
            full_name=full_name,
            phone=phone,
            occupation_code=occupation,
            district=district,
            consent_version="2569-1",
            consent_at=registered or bkk(2026, 1, 5),
            registered_at=registered or bkk(2026, 1, 5),
        )
        session.add(person)
        session.flush()
        return person.id, person.reporter_code


def line_user_id(services, member_id: int) -> str:
    """A member's LINE user id."""
    with services.sessions() as session:
        return session.get(Member, member_id).line_user_id


def group(
    services,
    name: str = "เครือข่ายข่าว อปพร. คลองเตย",
    *,
    purpose: str | None = "network",
    occupation: str | None = "civil_defence",
    member_count: int = 42,
    is_member: bool = True,
    registered: datetime | None = None,
) -> int:
    """A LINE group, registered unless purpose is None; return its id."""
    with services.sessions.begin() as session:
        chat = Chat(
            line_chat_id="C" + uuid.uuid4().hex,
            chat_type="group",
            name=name if purpose else None,
            is_member=is_member,
            member_count=member_count,
            joined_at=bkk(2026, 1, 1),
            purpose=purpose,
            occupation_code=occupation if purpose else None,
            registered_at=(registered or bkk(2026, 1, 2)) if purpose else None,
            registered_by="secretariat" if purpose else None,
        )
        session.add(chat)
        session.flush()
        return chat.id


def report(
    services,
    *,
    reporter: int | None = None,
    chat: int | None = None,
    when: datetime | None = None,
    district: str | None = "คลองเตย",
    category: str | None = "illegal_worker",
    suggested: str | None = None,
    status: ReportStatus = ReportStatus.NEW,
    text: str | None = "พบแรงงานต่างด้าวลักลอบทำงานในไซต์ก่อสร้าง",
    location: tuple[float, float] | None = None,
) -> tuple[int, str | None]:
    """A news report with a text item (and a location item); return its id and reference number."""
    when = when or bkk(2026, 1, 20, 14, 5)
    number = next(_numbers)
    ref = None if status in (ReportStatus.DRAFT, ReportStatus.WITHDRAWN) else f"NR-2569-{number:06d}"
    with services.sessions.begin() as session:
        news = news_report(
            session,
            when,
            text,
            ref_no=ref,
            channel="group" if chat else "direct",
            chat_id=chat,
            reporter_id=reporter,
            sender_key="pc" if reporter is None else f"U{number:032d}",
            category_code=category,
            suggested_category=suggested or category,
            status=status,
            district=district,
        )
        if location is not None:
            news.latitude, news.longitude, news.place = location[0], location[1], "ซอยสุขุมวิท 71"
            session.add(
                ReportItem(
                    report_id=news.id,
                    kind="location",
                    latitude=location[0],
                    longitude=location[1],
                    address="ไซต์ก่อสร้าง ซอยสุขุมวิท 71",
                    sent_at=when + timedelta(minutes=2),
                )
            )
        return news.id, ref


def add_photo(app, services, report_id: int, data: bytes | None = None, *, unsent: bool = False) -> int:
    """Store a photo as services/media_store.py does (original + metadata-free copy) as an item; return its id."""
    data = data or photo_with_gps()
    with services.sessions.begin() as session:
        news = session.get(NewsReport, report_id)
        media = media_file(session, MediaStore(app.config["MEDIA_DIR"]), data, "image/jpeg", news.started_at)
        sent = news.started_at + timedelta(minutes=1)
        session.add(
            ReportItem(
                report_id=report_id, kind="image", media_id=media.id, sent_at=sent, unsent_at=sent if unsent else None
            )
        )
        return media.id


def link(services, report_id: int, other_id: int, distance: float = 35.0, minutes: float = 12.0) -> None:
    """Link two reports as possible duplicates."""
    with services.sessions.begin() as session:
        session.add(ReportLink(report_id=report_id, other_id=other_id, distance_m=distance, minutes_apart=minutes))


def get(services, model, key):
    """A row by primary key, detached for reading."""
    with services.sessions() as session:
        row = session.get(model, key)
        session.expunge_all()
        return row


def outbox(services) -> list[OutgoingMessage]:
    """Every outbox row, oldest first."""
    with services.sessions() as session:
        rows = list(session.scalars(select(OutgoingMessage).order_by(OutgoingMessage.id)))
        session.expunge_all()
        return rows


def snapshot_lists(services) -> tuple[dict, dict]:
    """The occupations and categories as they are (they are migration data, shared by every test)."""
    with services.sessions() as session:
        occupations = {o.code: (o.name, o.sort_order, o.is_active) for o in session.scalars(select(Occupation))}
        categories = {
            c.code: (c.name, list(c.keywords), c.sort_order, c.is_active)
            for c in session.scalars(select(ReportCategory))
        }
        return occupations, categories


def restore_lists(services, saved: tuple[dict, dict]) -> None:
    """Put the occupations and categories back as snapshot_lists found them."""
    occupations, categories = saved
    with services.sessions.begin() as session:
        for row in session.scalars(select(Occupation)).all():
            if row.code not in occupations:
                session.delete(row)
            else:
                row.name, row.sort_order, row.is_active = occupations[row.code]
        for row in session.scalars(select(ReportCategory)).all():
            if row.code not in categories:
                session.delete(row)
            else:
                row.name, row.keywords, row.sort_order, row.is_active = categories[row.code]
