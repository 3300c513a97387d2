"""No lost tip (issue 13): every message at every guided step is kept, loose messages become drafts offered
as news, and every photo or place question carries LINE's camera, camera-roll or location buttons."""

from __future__ import annotations

import ast
import io
import random
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from bot.emulator import ids, webhooks
from bot.emulator.limits import check_message
from bot.emulator.records import Content
from line import messages
from models import NewsReport, ReportItem, ReportStatus
from texts import common as c
from texts import network as t

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("image", "video", "file", "location", "text")
STEPS = ("category", "what", "where", "photos", "confirm")
NOT_UNDERSTOOD = "ไม่เข้าใจ"


def photo(colour=(10, 120, 200)) -> bytes:
    """A small JPEG."""
    out = io.BytesIO()
    Image.new("RGB", (24, 16), colour).save(out, format="JPEG")
    return out.getvalue()


def sends_file(line, person):
    """The person sends a PDF file (the emulator's users have no file action of their own)."""
    platform = line.platform

    def act():
        with platform._lock:
            user = platform._speaker(person.user_id, person.chat_id)
            mid = ids.message_id()
            data = b"%PDF-1.4 a small file"
            platform._contents[mid] = Content(mid, person.chat_id, data, "application/pdf")
            built = platform._message_event(user, person.chat_id, webhooks.file_content(mid, "map.pdf", len(data)))
        platform._send([built])
        return built

    return person._act(act, True)


def send(line, person, kind: str, number: int = 0):
    """Send one message of a kind; return (replies, its message id)."""
    actions = {
        "image": lambda: person.sends_image(photo((number * 20 % 255, 90, 90))),
        "video": lambda: person.sends_video(b"\x00\x00\x00\x18ftypmp42 a small video"),
        "file": lambda: sends_file(line, person),
        "location": lambda: person.shares_location(13.7300 + number / 1000, 100.5200, title="ตลาดคลองเตย"),
        "text": lambda: person.says(f"มีคนแปลกหน้าเดินวนหลายรอบ {number}"),
    }
    replies = actions[kind]()
    return replies, str(person.last_event["message"]["id"])


def reporter(line, name="สมชาย"):
    """A friend of the bot who left the registration flow."""
    person = line.user(name)
    person.follow()
    person.says("ยกเลิก")
    return person


def walk_to(person, step: str):
    """Start a guided report and answer until the given step is asked."""
    person.says("แจ้งข่าว")
    answers = {"what": "ไม่แน่ใจ", "where": "พบรถจอดขวางทางเข้าออก", "photos": "ซอยสุขุมวิท 22", "confirm": t.DONE}
    for name in STEPS[1 : STEPS.index(step) + 1]:
        person.says(answers[name])


def finish(person):
    """Answer whatever is asked until the report is sent; return the last replies."""
    for _ in range(10):
        labels = person.line.platform.deliveries_to(person.chat_id)[-1].messages[-1].get("quickReply", {})
        labels = [item["action"].get("label") for item in labels.get("items", [])]
        for label in (t.CONFIRM_YES, t.DONE, t.SKIP, t.NOT_SURE):
            if label in labels:
                replies = person.chooses(label)
                break
        else:
            replies = person.says("รายละเอียดเพิ่มเติมของเหตุการณ์")
        if any(text.startswith("ส่งข่าวเรียบร้อยแล้ว") for text in replies.texts):
            return replies
    raise AssertionError("the report was never sent")


def items_of(line, report_id=None):
    """Report items by message id: (report id, kind)."""
    with line.services.sessions() as session:
        rows = session.execute(select(ReportItem.line_message_id, ReportItem.report_id, ReportItem.kind)).all()
    return {mid: (rid, kind) for mid, rid, kind in rows if report_id is None or rid == report_id}


def reports(line):
    with line.services.sessions() as session:
        return session.scalars(select(NewsReport).order_by(NewsReport.id)).all()


def action_types(message: dict) -> list[str]:
    return [item["action"]["type"] for item in (message.get("quickReply") or {}).get("items", [])]


# --- every guided step keeps every kind of message -------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("step", STEPS)
def test_every_step_keeps_every_kind_of_message(line, step, kind):
    alice = reporter(line)
    walk_to(alice, step)
    replies, mid = send(line, alice, kind)
    assert replies.texts and not any(NOT_UNDERSTOOD in text for text in replies.texts)
    sent = finish(alice)
    (report,) = reports(line)
    assert report.status == ReportStatus.NEW
    assert sent.texts[0] == t.REPORT_SENT.format(ref=report.ref_no, add=t.ADD_MORE)
    assert items_of(line)[mid] == (report.id, kind)
    if kind == "location":
        assert report.latitude == pytest.approx(13.7300) and report.place == "ตลาดคลองเตย"
    assert NOT_UNDERSTOOD not in line.transcript(alice)


def test_a_photo_at_the_place_step_is_kept_counted_and_the_place_asked_again(line):
    alice = reporter(line)
    walk_to(alice, "where")
    first, first_id = send(line, alice, "image")
    assert first.texts == [t.PHOTO_KEPT_ASK_WHERE.format(kind="รูปภาพ", count=1)]
    assert action_types(first[-1]) == ["location", "message"] and first.quick_replies == [t.SEND_LOCATION, t.SKIP]
    assert alice.chooses(t.SEND_LOCATION).texts == [t.ASK_PHOTOS]
    second, second_id = send(line, alice, "image", 2)
    assert second.texts == [t.PHOTO_RECEIVED.format(kind="รูปภาพ", count=2)]
    confirm = alice.chooses(t.DONE)
    assert "รูป/ไฟล์: 2 รายการ" in confirm.texts[0]
    alice.chooses(t.CONFIRM_YES)
    (report,) = reports(line)
    assert items_of(line, report.id)[first_id] == (report.id, "image") and second_id in items_of(line, report.id)


def test_a_photo_at_the_confirmation_is_kept_and_the_summary_shown_again(line):
    alice = reporter(line)
    walk_to(alice, "confirm")
    assert "รูป/ไฟล์: 0 รายการ" in line.platform.deliveries_to(alice.chat_id)[-1].texts[0]
    replies, mid = send(line, alice, "image")
    assert len(replies.texts) == 1 and "รูป/ไฟล์: 1 รายการ" in replies.texts[0]
    assert replies.quick_replies == [t.CONFIRM_YES, t.CANCEL]
    detail = alice.says("คนร้ายใส่เสื้อสีแดง")
    assert detail.texts[0] == t.DETAIL_KEPT and "สรุปข่าวของท่าน" in detail.texts[1]
    place = alice.shares_location(13.75, 100.51, title="ป้ายรถเมล์")
    assert place.texts[0] == t.PLACE_KEPT and "สถานที่: ป้ายรถเมล์" in place.texts[1]
    alice.chooses(t.CONFIRM_YES)
    (report,) = reports(line)
    kinds = sorted(kind for _, kind in items_of(line, report.id).values())
    assert mid in items_of(line, report.id) and kinds == ["image", "location", "text", "text", "text"]


def test_a_location_while_photos_are_asked_becomes_the_place(line):
    alice = reporter(line)
    walk_to(alice, "photos")
    replies = alice.shares_location(13.70, 100.60, title="หน้าโรงเรียน")
    assert replies.texts == [f"{t.PLACE_KEPT}\n{t.ASK_PHOTOS}"]
    confirm = alice.chooses(t.NO_PHOTO)
    assert "สถานที่: หน้าโรงเรียน" in confirm.texts[0]


# --- loose messages outside any flow ------------------------------------------------------------------


def test_a_photo_out_of_the_blue_is_offered_and_reported_with_one_tap(line):
    alice = reporter(line)
    offered, first_id = send(line, alice, "image")
    assert offered.texts == [c.LOOSE_KEPT.format(kind="รูปภาพ", count=1)]
    assert offered.quick_replies == [c.LOOSE_NEW_REPORT, c.LOOSE_NOT_NEWS]
    again, second_id = send(line, alice, "image", 3)
    assert again.texts == [c.LOOSE_KEPT.format(kind="รูปภาพ", count=2)]
    (draft,) = reports(line)
    assert draft.status == ReportStatus.DRAFT and draft.channel == "direct"
    assert alice.chooses(c.LOOSE_NEW_REPORT)[0]["altText"] == t.ASK_CATEGORY
    assert alice.chooses("ผู้หลบหนีเข้าเมือง").texts == [t.ASK_WHAT]
    assert alice.says("ชาวต่างชาติพักในห้องเช่า 5 คน").texts == [t.ASK_WHERE]
    assert alice.chooses(t.SEND_LOCATION).texts == [t.ASK_PHOTOS]
    confirm = alice.chooses(t.DONE)
    assert "เรื่อง: ผู้หลบหนีเข้าเมือง" in confirm.texts[0] and "รูป/ไฟล์: 2 รายการ" in confirm.texts[0]
    sent = alice.chooses(t.CONFIRM_YES)
    (report,) = reports(line)
    assert report.id == draft.id and report.status == ReportStatus.NEW
    assert sent.texts == [t.REPORT_SENT.format(ref=report.ref_no, add=t.ADD_MORE)]
    assert {first_id, second_id} <= set(items_of(line, report.id))
    assert NOT_UNDERSTOOD not in line.transcript(alice)


def test_a_loose_message_can_be_added_to_the_latest_report(line):
    alice = reporter(line)
    alice.says("แจ้งข่าว")
    alice.says("มีการพนันในบ้านร้าง")
    finish(alice)
    (report,) = reports(line)
    offered, mid = send(line, alice, "video")
    assert offered.texts == [c.LOOSE_KEPT.format(kind="วิดีโอ", count=1)]
    assert offered.quick_replies == [c.LOOSE_NEW_REPORT, c.LOOSE_ADD_TO_LATEST, c.LOOSE_NOT_NEWS]
    button = line.find_action(alice.chat_id, c.LOOSE_ADD_TO_LATEST)
    added = alice.chooses(c.LOOSE_ADD_TO_LATEST)
    assert added.texts == [c.LOOSE_ADDED.format(ref=report.ref_no, count=1)]
    assert items_of(line)[mid] == (report.id, "video")
    assert [r.id for r in reports(line)] == [report.id]  # the emptied draft is gone
    assert alice.taps(button["data"]).texts == [c.LOOSE_HANDLED_ALREADY]  # a second tap changes nothing


def test_not_news_keeps_the_draft_withdrawn_and_shows_help(line):
    alice = reporter(line)
    offered, mid = send(line, alice, "text")
    assert offered.texts == [c.LOOSE_KEPT.format(kind="ข้อความ", count=1)]
    button = line.find_action(alice.chat_id, c.LOOSE_NEW_REPORT)
    dropped = alice.chooses(c.LOOSE_NOT_NEWS)
    assert dropped.texts[0] == c.LOOSE_DROPPED and len(dropped.texts) == 2  # then the help, with its buttons
    (draft,) = reports(line)
    assert draft.status == ReportStatus.WITHDRAWN and items_of(line)[mid] == (draft.id, "text")
    assert alice.taps(button["data"]).texts == [c.LOOSE_HANDLED_ALREADY]  # an old button changes nothing
    assert "แจ้งข่าว" in dropped.quick_replies


def test_a_location_out_of_the_blue_becomes_the_place_of_a_new_report(line):
    alice = reporter(line)
    offered = alice.shares_location(13.7301, 100.5201, title="สะพานลอยหน้าตลาด")
    assert offered.texts == [c.LOOSE_KEPT.format(kind="ตำแหน่ง", count=1)]
    alice.chooses(c.LOOSE_NEW_REPORT)
    assert alice.chooses(t.NOT_SURE).texts == [t.ASK_WHAT]
    assert alice.says("มีคนนอนหมดสติบนสะพานลอย").texts == [t.ASK_PHOTOS]  # the place is known already
    confirm = alice.chooses(t.NO_PHOTO)
    assert "สถานที่: สะพานลอยหน้าตลาด" in confirm.texts[0]
    alice.chooses(t.CONFIRM_YES)
    (report,) = reports(line)
    assert report.status == ReportStatus.NEW and report.latitude == pytest.approx(13.7301)


def test_greetings_get_a_friendly_answer_and_long_texts_are_kept(line):
    alice = reporter(line)
    for said in ("สวัสดีครับ", "ขอบคุณมากค่ะ 🙏", "555555", "โอเคครับ"):
        assert alice.says(said).texts == [c.GREETING_REPLY], said
    alice.sends_sticker()
    assert line.platform.deliveries_to(alice.chat_id)[-1].texts == [c.GREETING_REPLY]
    assert reports(line) == []
    too_long = alice.says("ข" * 5001)
    assert too_long.texts == [c.TEXT_TOO_LONG] and c.LOOSE_NEW_REPORT in too_long.quick_replies
    assert list(items_of(line).values())[0][1] == "text"
    assert NOT_UNDERSTOOD not in line.transcript(alice)


def test_group_chats_are_not_offered_drafts(line):
    alice = reporter(line)
    group = line.group("กลุ่มเพื่อนบ้าน", [alice, line.user("สมหญิง")])
    assert alice.in_group(group).sends_image(photo()).texts == []
    assert reports(line) == []


@pytest.mark.parametrize("seed", [3, 17])
def test_hostile_input_in_any_order_is_never_lost_nor_misunderstood(line, seed):
    dice = random.Random(seed)
    alice = reporter(line)
    sent = []
    for number in range(5):
        _, mid = send(line, alice, dice.choice(KINDS), number)
        sent.append(mid)
    alice.chooses(c.LOOSE_NEW_REPORT)
    for number in range(5, 10):
        _, mid = send(line, alice, dice.choice(KINDS), number)
        sent.append(mid)
    finish(alice)
    (report,) = reports(line)
    kept = items_of(line, report.id)
    assert [mid for mid in sent if mid not in kept] == []
    assert report.status == ReportStatus.NEW
    assert NOT_UNDERSTOOD not in line.transcript(alice)


# --- camera, camera-roll and location buttons -----------------------------------------------------------


def test_ask_photo_and_ask_place_are_valid_quick_replies():
    photo_question = messages.ask_photo("ถ่ายรูปแล้วส่งมาครับ", [t.DONE]).to_dict()
    assert action_types(photo_question) == ["camera", "cameraRoll", "message"]
    labels = [item["action"]["label"] for item in photo_question["quickReply"]["items"]]
    assert labels == [c.TAKE_PHOTO, c.CHOOSE_PHOTO, t.DONE]
    place = messages.ask_place("อยู่ที่ไหนครับ", [t.SKIP]).to_dict()
    assert action_types(place) == ["location", "message"]
    both = messages.ask_photo_or_place("ส่งมาได้เลย", [t.DONE]).to_dict()
    assert action_types(both) == ["camera", "cameraRoll", "location", "message"]
    for message in (photo_question, place, both):
        assert list(check_message(["messages", 0], message)) == []


def test_the_guided_report_asks_for_photos_and_places_with_buttons(line):
    alice = reporter(line)
    alice.says("แจ้งข่าว")
    what = alice.chooses(t.NOT_SURE)
    assert action_types(what[-1])[:2] == ["camera", "cameraRoll"]
    where = alice.says("มีคนลักลอบทิ้งขยะ")
    assert action_types(where[-1])[0] == "location"
    photos = alice.chooses(t.SKIP)
    assert action_types(photos[-1])[:2] == ["camera", "cameraRoll"]
    received = alice.chooses(c.TAKE_PHOTO)  # the emulated phone sends the photo it took
    assert received.texts == [t.PHOTO_RECEIVED.format(kind="รูปภาพ", count=1)]
    assert action_types(received[-1])[:2] == ["camera", "cameraRoll"]
    assert alice.chooses(c.CHOOSE_PHOTO).texts == [t.PHOTO_RECEIVED.format(kind="รูปภาพ", count=2)]
    assert "รูป/ไฟล์: 2 รายการ" in alice.chooses(t.DONE).texts[0]


PHOTO_PROMPTS = {
    "handlers/patrol.py": (
        "ASK_PHOTO_REQUIRED",
        "ASK_PHOTO_OPTIONAL",
        "PHOTO_NEEDED",
        "ASK_CONDITION_DETAIL",
        "CONDITION_PHOTO",
        "ASK_BROKEN_PHOTO",
        "PHOTO_OLDER",
    ),
    "handlers/cctv.py": ("ASK_BROKEN_PHOTO", "PHOTO_OLDER"),
    "handlers/work_orders.py": ("ORDER_ASK_AFTER_PHOTO",),
}


def _prompt_builders(path: str, names: tuple[str, ...]) -> dict[str, set[str]]:
    """For each prompt text constant, the message builders it is passed to in a module."""
    found: dict[str, set[str]] = {name: set() for name in names}
    for node in ast.walk(ast.parse((ROOT / path).read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
            continue
        for inner in ast.walk(node.args[0]):
            called_on = node.func.value
            if isinstance(inner, ast.Attribute) and inner.attr in found and isinstance(called_on, ast.Name):
                found[inner.attr].add(f"{called_on.id}.{node.func.attr}")
    return found


@pytest.mark.parametrize("path", sorted(PHOTO_PROMPTS))
def test_every_photo_prompt_carries_the_camera_buttons(path):
    builders = _prompt_builders(path, PHOTO_PROMPTS[path])
    assert {name: used for name, used in builders.items() if used != {"messages.ask_photo"}} == {}


def test_asking_for_a_place_on_site_keeps_the_location_button():
    from handlers.locating import ask_location
    from texts import riskpoints as rp

    question = ask_location("ส่งตำแหน่งครับ").to_dict()
    assert action_types(question) == ["location", "message"]
    assert [item["action"]["label"] for item in question["quickReply"]["items"]] == [rp.SEND_LOCATION, rp.CANCEL]


def test_the_emulator_shows_camera_buttons_and_opens_its_photo_picker_on_them():
    from bot.emulator import render

    html = str(render.quick_reply_buttons(messages.ask_photo("ถ่ายรูปครับ").to_dict()))
    assert c.TAKE_PHOTO in html and c.CHOOSE_PHOTO in html
    assert "&#34;type&#34;: &#34;camera&#34;" in html and "&#34;type&#34;: &#34;cameraRoll&#34;" in html
    script = (ROOT / "bot/emulator/static/emulator.js").read_text(encoding="utf-8")
    assert 'case "camera":\n      case "cameraRoll":\n        return photo.click();' in script
