"""The evidence pack: a ZIP per fiscal year or quarter with the seeds' evidence, built by the clock, downloaded signed.

Seed 000 (FY 2564, bot/seed_fy2564.py) gives the network's five items; a scripted risk-point month gives
the patrol log, a defect with its photos and a coordination letter. The secretariat asks for a pack in
the admin web, the clock builds it, the page shows progress and then a signed link that expires.
"""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import threading
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from bot import downloads
from bot.seed_fy2564 import MEMBERS, REPORTS, at, load_fy2564
from models import (
    AuditEntry,
    Defect,
    MediaFile,
    MediaStatus,
    OrderStatus,
    PatrolCheck,
    RiskCamera,
    RiskPhoto,
    RiskPoint,
    RiskUnit,
    UnitKind,
    WorkOrder,
)
from models.evidence import EvidencePack, PackStatus
from models.timeutil import utcnow
from reports.documents import pdf
from reports.evidence_pack import build_pack
from reports.riskpoint_month import compile_month
from scheduler.jobs import evidence_jobs
from scheduler.runner import Runner
from scheduler.versions import MONTH_REPORT, freeze, json_ready
from services import evidence_packs as packs
from services.media_store import MediaStore
from services.riskpoints.letters import issue_letter
from tests.report_factories import media_file
from tests.test_admin_support import post_form

ARABIC = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
FOLDERS = [
    "01 บัญชีรายชื่อเครือข่ายข่าว",
    "02 รายงานข่าวสารผ่านกลุ่มไลน์",
    "03 คำสั่งแต่งตั้งคณะทำงาน",
    "04 สำเนารายงานการประชุมคณะทำงาน",
    "05 หนังสือส่งต่อและแผนมาตรการของหน่วยงาน",
    "06 บันทึกการตรวจตราและตรวจกล้อง CCTV",
    "07 จุดบกพร่องและใบสั่งงานพร้อมภาพถ่าย",
    "08 หนังสือประสานหน่วยงาน",
    "09 รายงานประจำเดือนต่อผู้บังคับบัญชา",
    "10 รายงานตัวชี้วัดรายไตรมาส",
]


def docx_text(data: bytes) -> str:
    """Every paragraph and table cell of a DOCX, Thai digits read as Arabic ones."""
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts).translate(ARABIC)


def sheet_rows(data: bytes, title: str) -> list[tuple]:
    """The data rows (below the header) of one sheet of an XLSX."""
    return list(load_workbook(io.BytesIO(data), read_only=True)[title].iter_rows(min_row=2, values_only=True))


def files_in(archive: zipfile.ZipFile, folder: str) -> list[str]:
    """The files (not folders) of one folder of the pack."""
    return [n for n in archive.namelist() if n.startswith(folder + "/") and not n.endswith("/")]


@pytest.fixture
def fy2564(services):
    """Seed 000's fiscal year 2564 replayed."""
    with services.sessions.begin() as session:
        return load_fy2564(session)


def test_the_fy2564_pack_holds_the_seed_evidence_in_its_order_with_an_index(services, fy2564, tmp_path):
    calls: list[tuple[int, int]] = []
    with services.sessions() as session:
        built = build_pack(
            session,
            tmp_path / "pack.zip",
            fiscal_year=2564,
            media_root=tmp_path / "media",
            progress=lambda done, total: calls.append((done, total)),
        )
    total = built.steps
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)  # never goes back
    assert {t for _, t in calls} == {total} and total > 15

    archive = zipfile.ZipFile(tmp_path / "pack.zip")
    names = archive.namelist()
    assert [n.rstrip("/") for n in names if n.endswith("/")] == FOLDERS  # Thai folders, in the seeds' order

    roll = archive.read("01 บัญชีรายชื่อเครือข่ายข่าว/บัญชีรายชื่อเครือข่ายข่าว.xlsx")
    groups = {row[0]: row[3] for row in sheet_rows(roll, "กลุ่ม LINE") if row[1] == "เครือข่ายข่าว"}
    assert sorted(groups.values()) == [42, 88, 115]

    log = archive.read("02 รายงานข่าวสารผ่านกลุ่มไลน์/ทะเบียนรับข่าวสารผ่านกลุ่มไลน์.xlsx")
    received = sheet_rows(log, "ทะเบียนรับข่าว")
    assert len(received) == 10
    assert all(re.fullmatch(r"NR-256[34]-\d{6}", row[1]) for row in received)
    assert received[0][2] == "18 พฤศจิกายน 2563" and received[0][5] == "กลุ่ม Line กอ.รมน.กทม. (ปี 64)"
    sheets = load_workbook(io.BytesIO(log)).sheetnames
    everything = " ".join(str(cell) for title in sheets for row in sheet_rows(log, title) for cell in row)
    assert not any(what in everything for *_, what in REPORTS)  # the log holds no report's content
    assert "seed-reporter" not in everything  # nor who sent it

    order = docx_text(archive.read("03 คำสั่งแต่งตั้งคณะทำงาน/คำสั่งแต่งตั้ง 1-2564.docx"))
    assert "ที่ 1/2564" in order and "15 มกราคม 2564" in order
    table = Document(io.BytesIO(archive.read("03 คำสั่งแต่งตั้งคณะทำงาน/คำสั่งแต่งตั้ง 1-2564.docx"))).tables[0]
    assert len(table.rows) == 1 + len(MEMBERS)
    for _, _, position in MEMBERS:
        assert position in order

    minutes = files_in(archive, FOLDERS[3])
    assert len(minutes) == 3 and all(name.endswith(".docx") for name in minutes)
    second = next(name for name in minutes if "2 ก.ค. 2564" in name)
    text = docx_text(archive.read(second))
    assert "2 กรกฎาคม 2564" in text and "เวลา 09.30 น." in text
    assert "ให้เขตนำร่องจัดทำแผนตำบลมั่นคง มั่งคั่ง ยั่งยืน" in text
    assert "นับเป็นการประชุมคณะทำงานตามระดับ 4" in text

    letters = [n for n in files_in(archive, FOLDERS[4]) if "/หนังสือส่งต่อ/" in n]
    assert len(letters) == 12  # two outside agencies, then the ten pilot districts
    assert "เขตคลองเตย" in docx_text(archive.read(next(n for n in letters if "เขตคลองเตย" in n)))
    forwards = archive.read(f"{FOLDERS[4]}/การส่งต่อและมาตรการ.xlsx")
    assert len(sheet_rows(forwards, "มาตรการและแผน")) == 10

    index = archive.read("index.html").decode()
    for name in names:
        if not name.endswith("/") and not name.startswith("index."):
            assert name.partition("/")[2] in index, name  # every file is listed
    assert "ระดับ 5" in index and "ไม่มีจุดเสี่ยงภัยที่อยู่ในความดูแลในช่วงนี้" in index
    assert "ยังไม่ได้แนบไฟล์สำเนาคำสั่งที่ลงนามแล้ว" in index  # what is missing, said
    assert built.files == len([n for n in names if not n.endswith("/")])

    if pdf.available():
        assert built.pdf and "index.pdf" in names
        (tmp_path / "index.pdf").write_bytes(archive.read("index.pdf"))
        text = subprocess.run(["pdftotext", str(tmp_path / "index.pdf"), "-"], capture_output=True, check=True).stdout
        assert "ชุดหลักฐานตัวชี้วัด" in text.decode() and "บัญชีรายชื่อเครือข่ายข่าว" in text.decode()
        page = [
            "pdftoppm",
            "-r",
            "60",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "index.pdf"),
            str(tmp_path / "index"),
        ]
        subprocess.run(page, check=True)
        assert list(tmp_path.glob("index*.png"))


def jpeg_with_metadata() -> bytes:
    """A photo as a phone sends it: EXIF with the maker and a GPS position."""
    image = Image.new("RGB", (16, 16), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "SecretPhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (13.0, 44.0, 0.0), 3: "E", 4: (100.0, 31.0, 0.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def risk_month(services, store: MediaStore) -> dict:
    """March 2021 at one point: two patrols, a lighting defect fixed with photos before and after, a broken camera."""
    with services.sessions.begin() as session:
        works = RiskUnit(code="works", name="ฝ่ายโยธา", kind=UnitKind.DEPARTMENT)
        session.add(works)
        session.flush()
        point = RiskPoint(
            code="RP-0001", name="ซอยหลังตลาด", district="คลองเตย", latitude=13.72, longitude=100.56,
            kind="alley", active_from=date(2021, 2, 1),
        )  # fmt: skip
        session.add(point)
        session.flush()
        camera = RiskCamera(
            point_id=point.id, code="CAM-01", owner_agency="สำนักการจราจรและขนส่ง", active_from=date(2021, 3, 1)
        )
        session.add(camera)
        for day, round_no in ((2, 1), (2, 2)):
            moment = at(2021, 3, day, 10 if round_no == 1 else 20)
            day_of = date(2021, 3, day)
            session.add(PatrolCheck(point_id=point.id, checked_at=moment, patrol_day=day_of, round_no=round_no))
        defect = Defect(point_id=point.id, kind="lighting", opened_at=at(2021, 3, 3, 10), note="ไฟดับสองต้น")
        session.add(defect)
        session.flush()
        original = jpeg_with_metadata()
        before = media_file(session, store, original, "image/jpeg", at(2021, 3, 3, 10))
        after = media_file(session, store, jpeg_with_metadata()[:-2] + b"\xff\xd9", "image/jpeg", at(2021, 3, 5, 10))
        gone = MediaFile(line_message_id="gone-1", kind="image", status=MediaStatus.REMOVED)
        session.add(gone)
        session.flush()
        order = WorkOrder(ref="WO-2564-0001", defect_id=defect.id, unit_id=works.id, created_at=at(2021, 3, 3, 10))
        order.status, order.done_at = OrderStatus.DONE, at(2021, 3, 5, 10)
        session.add(order)
        session.flush()
        defect.closed_at = at(2021, 3, 6, 9)
        session.add(RiskPhoto(media_id=before.id, defect_id=defect.id, role="before", sent_at=at(2021, 3, 3, 10)))
        session.add(RiskPhoto(media_id=after.id, order_id=order.id, role="after", sent_at=at(2021, 3, 5, 10)))
        session.add(RiskPhoto(media_id=gone.id, defect_id=defect.id, role="before", sent_at=at(2021, 3, 3, 10, 5)))
        broken = Defect(point_id=point.id, kind="cctv", camera_id=camera.id, opened_at=at(2021, 3, 10, 20))
        session.add(broken)
        session.flush()
        letter = issue_letter(session, broken, camera, at(2021, 3, 10, 20), before)
        session.flush()
        data = json_ready(compile_month(session, 2021, 3))
        freeze(session, MONTH_REPORT, "2564-03", data, run_key="monthly-compile:2564-03", by="clock")
        return {"original": original, "shown": before.shown_path, "letter_number": letter.number}


def test_a_risk_point_month_brings_its_log_the_defect_photos_without_metadata_and_the_letter(services, tmp_path):
    store = MediaStore(tmp_path / "media")
    made = risk_month(services, store)
    with services.sessions() as session:
        build_pack(session, tmp_path / "q2.zip", fiscal_year=2564, quarter=2, media_root=store.root, with_pdf=False)
    archive = zipfile.ZipFile(tmp_path / "q2.zip")
    log = archive.read(f"{FOLDERS[5]}/06 มีนาคม 2564 ตรวจตราและตรวจกล้อง.xlsx")  # ordered in the fiscal year
    assert [row[:3] for row in sheet_rows(log, "ตรวจตรา")] == [
        ("2 มีนาคม 2564", "รอบกลางวัน", "RP-0001"),
        ("2 มีนาคม 2564", "รอบกลางคืน", "RP-0001"),
    ]
    assert sheet_rows(log, "สรุปรายจุด")[0][:5] == ("RP-0001", "ซอยหลังตลาด", "คลองเตย", 2, 62)
    assert not [n for n in files_in(archive, FOLDERS[5]) if "มกราคม" in n]  # no point in service then: no log

    photos = sorted(n for n in files_in(archive, FOLDERS[6]) if "/ภาพถ่าย/" in n)
    assert [n.rpartition("/")[2] for n in photos] == ["WO-2564-0001 ก่อนแก้ไข 1.jpg", "WO-2564-0001 หลังแก้ไข 1.jpg"]
    before = archive.read(photos[0])
    assert before == store.path(made["shown"]).read_bytes()  # the metadata-free copy, not the original
    assert b"SecretPhoneMaker" in made["original"] and b"SecretPhoneMaker" not in before
    assert Image.open(io.BytesIO(before)).getexif().get_ifd(0x8825) == {}
    rows = sheet_rows(archive.read(f"{FOLDERS[6]}/จุดบกพร่องและใบสั่งงาน.xlsx"), "จุดบกพร่องและใบสั่งงาน")
    lighting = next(row for row in rows if row[0] == "WO-2564-0001")
    assert lighting[4] == "ไฟส่องสว่างดับ" and lighting[11] == "ฝ่ายโยธา" and lighting[14] == "WO-2564-0001 ก่อนแก้ไข 1.jpg"

    letters = files_in(archive, FOLDERS[7])
    number = made["letter_number"]
    assert letters == [f"{FOLDERS[7]}/ทะเบียนหนังสือส่ง.xlsx", f"{FOLDERS[7]}/หนังสือประสาน กท-{number} กล้อง CAM-01.docx"]
    register = sheet_rows(archive.read(letters[0]), "ทะเบียนหนังสือส่ง")
    assert [row[1:4] for row in register] == [(f"กท/{number}", "10 มีนาคม 2564", "หนังสือประสาน (กล้องชำรุด)")]
    assert "CAM-01" in docx_text(archive.read(letters[1]))
    reports = files_in(archive, FOLDERS[8])
    assert f"{FOLDERS[8]}/รายงานจุดเสี่ยงภัย มีนาคม 2564 ฉบับที่ 1.docx" in reports  # what day 7 sent the supervisors
    assert "RP-0001" in docx_text(archive.read(f"{FOLDERS[8]}/รายงานจุดเสี่ยงภัย มีนาคม 2564 ฉบับที่ 1.docx"))
    index = archive.read("index.html").decode()
    assert "ยังไม่มีรายงานประจำเดือนที่ตรึงเสนอผู้บังคับบัญชาของเดือน กุมภาพันธ์ 2564</li>" in index  # no point in January
    assert "ภาพถ่าย 1 ภาพไม่มีในระบบแล้ว" in index  # the removed photo is said to be missing
    assert "index.pdf" not in archive.namelist() and "ไม่มี index.pdf" in index


def test_two_claimers_never_build_the_same_pack(services):
    with services.sessions.begin() as session:
        first, queued = packs.request_pack(session, fiscal_year=2564, quarter=4, by="noi")
        again, queued_again = packs.request_pack(session, fiscal_year=2564, quarter=4, by="som")
        assert queued and not queued_again and again.id == first.id  # the same span is not queued twice
    won: list[tuple[str, int]] = []
    start = threading.Barrier(6)

    def claimer(name: str) -> None:
        start.wait()
        with services.sessions.begin() as session:
            claimed = packs.claim_next(session, name)
        if claimed is not None:
            won.append((name, claimed.id))

    threads = [threading.Thread(target=claimer, args=(f"clock-{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(won) == 1 and won[0][1] == first.id
    winner = packs.Claimed(first.id, 2564, 4, won[0][0])
    loser = packs.Claimed(first.id, 2564, 4, "clock-other")
    with services.sessions.begin() as session:
        assert packs.claim_next(session, "late-clock") is None
        assert not packs.mark_progress(session, loser, 1, 9)  # not its pack
        assert packs.mark_progress(session, winner, 1, 9)
        row = session.get(EvidencePack, first.id)
        assert (row.status, row.claimed_by, row.progress, row.attempts) == (PackStatus.BUILDING, won[0][0], 1, 1)


def test_a_builder_that_dies_leaves_no_half_zip_and_the_pack_is_built_again(app, services, fy2564, tmp_path):
    instance = Path(app.config["INSTANCE_DIR"])
    with services.sessions.begin() as session:
        pack, _ = packs.request_pack(session, fiscal_year=2564, quarter=None, by="noi")
        dead = packs.claim_next(session, "dead-clock")
        packs.mark_progress(session, dead, 3, 20)
    half = instance / packs.FOLDER / f".evidence-2564-{pack.id}.zip.4242.part"
    half.parent.mkdir(parents=True)
    half.write_bytes(b"PK\x03\x04 half")
    with services.sessions() as session:
        assert packs.file_of(instance, session.get(EvidencePack, pack.id)) is None  # nothing to serve yet
        assert downloads.PRODUCERS["evidence-pack"].make is not None
    with services.sessions.begin() as session:
        assert packs.requeue_stale(session, utcnow() + timedelta(minutes=5)) == 0  # still beating
        assert packs.requeue_stale(session, utcnow() + packs.STALE_AFTER + timedelta(seconds=1)) == 1
        assert session.get(EvidencePack, pack.id).status == PackStatus.QUEUED
        alive = packs.claim_next(session, "alive-clock")
    assert evidence_jobs.build_claimed(
        services.sessions, alive, instance_dir=str(instance), media_root=None
    ).startswith(f"pack {pack.id}")
    assert not half.exists() and not list(half.parent.glob("*.part"))
    with services.sessions.begin() as session:
        row = session.get(EvidencePack, pack.id)
        assert (row.status, row.attempts, row.progress) == (PackStatus.DONE, 2, row.total)
        path = packs.file_of(instance, row)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == row.sha256 and row.size == path.stat().st_size
        assert zipfile.ZipFile(path).testzip() is None
        assert not packs.mark_progress(session, dead, 4, 20)  # the dead clock, back to life, is told it lost
    with services.sessions.begin() as session:  # the ZIP copies personal data: it is not kept for ever
        assert packs.expire_packs(session, instance, utcnow() + timedelta(days=29)) == 0
        assert packs.expire_packs(session, instance, utcnow() + packs.KEEP_FOR + timedelta(minutes=1)) == 1
        assert session.get(EvidencePack, pack.id).file_path is None
    assert not path.exists()


def test_the_secretariat_asks_watches_and_downloads_through_a_link_that_expires(app, secretariat, services, fy2564):
    response = post_form(
        secretariat, "/admin/evidence/", {"fiscal_year": "2564", "quarter": "4"}, form_page="/admin/evidence/"
    )
    assert response.status_code == 302
    page = secretariat.get("/admin/evidence/").get_data(as_text=True)
    assert "รับคำสั่งจัดทำชุดหลักฐานปีงบประมาณ 2564 ไตรมาสที่ 4แล้ว" in page
    assert "รอคิว" in page and 'http-equiv="refresh"' in page and ">ชุดหลักฐาน</a>" in page
    assert "ฝ่ายเลขานุการ" in page and "Role." not in page and "None" not in page
    assert '<option value="4" selected>' in page  # the form offers again what was asked
    with services.sessions() as session:
        requested = session.scalar(select(AuditEntry).where(AuditEntry.action == "evidence_pack.request"))
        assert requested.actor == "noi" and requested.detail["quarter"] == 4

    runner = Runner(
        services.sessions,
        object(),
        media_store=MediaStore(app.config["MEDIA_DIR"]),
        instance_dir=app.config["INSTANCE_DIR"],
    )
    outcome = runner.run("evidence-packs", "2569-12-05T10:00:05")
    assert outcome.status == "done" and outcome.note.startswith("pack ")
    assert runner.run("evidence-packs", "2569-12-05T10:00:10").note == "nothing queued"

    page = secretariat.get("/admin/evidence/").get_data(as_text=True)
    assert "เสร็จแล้ว" in page and 'http-equiv="refresh"' not in page
    link = re.search(r'href="http://[^"]+(/d/[^"]+)"', page).group(1)
    with secretariat.get(link) as download:  # streamed from disk: closing the response closes the file
        assert download.status_code == 200 and download.mimetype == "application/zip"
        assert "filename*=UTF-8''%E0%B8%8A" in download.headers["Content-Disposition"]  # ชุดหลักฐาน ...
        body = download.get_data()
    with services.sessions() as session:
        pack = session.scalars(select(EvidencePack)).one()
        audited = session.scalar(select(AuditEntry).where(AuditEntry.action == downloads.AUDIT_ACTION))
    assert hashlib.sha256(body).hexdigest() == pack.sha256
    assert "04 สำเนารายงานการประชุมคณะทำงาน/" in zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert (audited.object_type, audited.object_id, audited.actor) == ("evidence-pack", str(pack.id), "noi")

    stranger = app.test_client()
    refused = stranger.get(link)
    assert refused.status_code == 302 and "/admin/login" in refused.headers["Location"]
    with app.app_context():
        expired = downloads.signed_link(
            kind="evidence-pack", ref=pack.id, fmt="zip", made_for="noi", ttl=timedelta(seconds=-1)
        )
    gone = secretariat.get(expired.removeprefix(app.config["PUBLIC_BASE_URL"]))
    assert gone.status_code == 410 and "หมดอายุ" in gone.get_data(as_text=True)


def test_the_clock_looks_for_queued_packs_every_five_seconds():
    from scheduler import triggers
    from scheduler.jobs.registry import JOBS, check_period
    from scheduler.policy import Policy

    assert not JOBS["evidence-packs"].claimed and JOBS["evidence-packs"].scheduled
    upcoming = triggers.upcoming("evidence-packs", Policy.load(None), utcnow(), 3)
    assert [(b.due_at - a.due_at).total_seconds() for a, b in zip(upcoming, upcoming[1:], strict=False)] == [5.0, 5.0]
    assert 0 < (upcoming[0].due_at - utcnow()).total_seconds() <= 5
    check_period("evidence-packs", upcoming[0].period)


def test_the_finalised_kpi_reports_go_in_folder_10_when_their_module_gives_them(app, services, monkeypatch, tmp_path):
    import sys
    import types

    import services as services_package

    asked = []

    def finalised_files(session, fiscal_year, quarter, *, thai_digits):
        asked.append((fiscal_year, quarter, thai_digits))
        return [("รายงานตัวชี้วัด เครือข่ายข่าว ปีงบประมาณ 2564 ไตรมาสที่ 4 ฉบับที่ 1.docx", b"PK docx")]

    stub = types.SimpleNamespace(finalised_files=finalised_files)
    monkeypatch.setitem(sys.modules, "services.kpi_reports", stub)
    monkeypatch.setattr(services_package, "kpi_reports", stub, raising=False)
    with services.sessions.begin() as session:
        packs.request_pack(session, fiscal_year=2564, quarter=4, by="noi")
        claimed = packs.claim_next(session, "clock-a")
    evidence_jobs.build_claimed(services.sessions, claimed, instance_dir=str(tmp_path), media_root=None)
    archive = zipfile.ZipFile(tmp_path / packs.relative_path(claimed.id, 2564, 4))
    name = "รายงานตัวชี้วัด เครือข่ายข่าว ปีงบประมาณ 2564 ไตรมาสที่ 4 ฉบับที่ 1.docx"
    assert files_in(archive, FOLDERS[9]) == [f"{FOLDERS[9]}/{name}"]
    assert asked == [(2564, 4, True)]


def test_the_web_can_read_and_write_while_a_pack_is_built(services, monkeypatch, tmp_path):
    from reports import evidence_network

    with services.sessions.begin() as session:
        pack, _ = packs.request_pack(session, fiscal_year=2564, quarter=1, by="noi")
        claimed = packs.claim_next(session, "clock-a")
    seen = []
    original = evidence_network.roll_workbook

    def roll_while_the_page_is_used(*args, **kwargs):
        def page() -> None:  # the web's own sessions (on SQLite each begins IMMEDIATE: it needs the write lock)
            with services.sessions.begin() as session:
                row = session.get(EvidencePack, pack.id)
                seen.append((row.status, row.progress, row.total))
                packs.request_pack(session, fiscal_year=2564, quarter=2, by="som")

        visitor = threading.Thread(target=page)
        visitor.start()
        visitor.join(5)
        assert not visitor.is_alive(), "the build holds the database's write lock"
        return original(*args, **kwargs)

    monkeypatch.setattr(evidence_network, "roll_workbook", roll_while_the_page_is_used)
    assert evidence_jobs.build_claimed(
        services.sessions, claimed, instance_dir=str(tmp_path), media_root=None
    ).startswith("pack")
    assert seen and seen[0][:2] == (PackStatus.BUILDING, 0) and seen[0][2] > 1  # the first step, shown mid-build
    with services.sessions() as session:
        assert session.scalar(select(EvidencePack.status).where(EvidencePack.quarter == 2)) == PackStatus.QUEUED


def test_the_finalised_network_report_of_fy2564_q4_is_in_the_quarter_pack(services, fy2564, monkeypatch, tmp_path):
    from services import kpi_reports

    monkeypatch.setattr(pdf, "available", lambda: False)  # the DOCX and XLSX are enough here (and faster)
    with services.sessions.begin() as session:
        kpi_reports.finalise(session, "network", 2564, 4, by="noi", now=at(2021, 10, 5, 9))
        packs.request_pack(session, fiscal_year=2564, quarter=4, by="noi")
        claimed = packs.claim_next(session, "clock-a")
    evidence_jobs.build_claimed(services.sessions, claimed, instance_dir=str(tmp_path), media_root=None)
    archive = zipfile.ZipFile(tmp_path / packs.relative_path(claimed.id, 2564, 4))
    reports = files_in(archive, FOLDERS[9])
    assert {name.rpartition(".")[2] for name in reports} >= {"docx", "xlsx"}
    report = docx_text(archive.read(next(name for name in reports if name.endswith(".docx"))))
    assert "2 กรกฎาคม 2564" in report and "ระดับ 5" in report
    assert "ยังไม่มีรายงานตัวชี้วัดที่ยืนยัน" not in archive.read("index.html").decode()
