"""The emulator's browser UI: rendering, its JSON endpoints, and a real browser against a demo-like server."""

from __future__ import annotations

import io
import time
import uuid
from pathlib import Path

import pytest
from linebot.v3.messaging import Message
from PIL import Image

from bot import richmenu
from bot.emulator import personas, render
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.line_fixtures import ServerThread, build_bot_app, close_bot_app

SCREENSHOT = Path("/tmp/fieldline-emulator.png")
FLEX = {
    "type": "flex",
    "altText": "สรุปข่าวของท่าน",
    "contents": {
        "type": "bubble",
        "body": {
            "type": "box",
            "layout": "vertical",
            "contents": [
                {"type": "text", "text": "สรุปข่าวของท่าน", "weight": "bold"},
                {
                    "type": "box",
                    "layout": "horizontal",
                    "contents": [{"type": "text", "text": "ส่งแล้ว"}, {"type": "text", "text": "12 เรื่อง"}],
                },
            ],
        },
        "footer": {
            "type": "box",
            "layout": "vertical",
            "contents": [
                {
                    "type": "button",
                    "action": {
                        "type": "postback",
                        "label": "ดูรายละเอียด",
                        "data": "summary=detail",
                        "displayText": "ขอดูรายละเอียด",
                    },
                }
            ],
        },
    },
}
ASK_LOCATION = {
    "type": "text",
    "text": "ส่งตำแหน่งที่พบอีกครั้งได้ไหมครับ",
    "quickReply": {"items": [{"type": "action", "action": {"type": "location", "label": "ส่งตำแหน่งอีกครั้ง"}}]},
}


def png(width: int, height: int) -> bytes:
    """A small PNG."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_flex_is_rendered_as_a_readable_card():
    card = render.message(
        {
            "type": "flex",
            "altText": "สรุป",
            "contents": {
                "type": "bubble",
                "hero": {"type": "image", "url": "https://example.com/a.png"},
                "body": {
                    "type": "box",
                    "layout": "vertical",
                    "contents": [
                        {"type": "text", "text": "ข่าว <script>alert(1)</script>", "weight": "bold", "color": "#ff0000"},
                        {"type": "text", "text": "x", "color": "red;background:url(x)"},
                        {"type": "separator"},
                        {"type": "button", "action": {"type": "postback", "label": "ยืนยัน", "data": 'a=1&b="2"'}},
                    ],
                },
            },
        }
    )
    assert "ข่าว &lt;script&gt;" in card and "<script>" not in card
    assert "color:#ff0000" in card and "url(x)" not in card
    assert '<img class="fx-image" src="https://example.com/a.png"' in card
    assert 'data-action="{&#34;type&#34;: &#34;postback&#34;' in card and ">ยืนยัน</button>" in card


def test_text_templates_and_quick_replies_render():
    text = render.message({"type": "text", "text": "บรรทัดหนึ่ง\nบรรทัด<สอง>"})
    assert text == '<div class="bubble">บรรทัดหนึ่ง<br>บรรทัด&lt;สอง&gt;</div>'
    buttons = render.message(
        {
            "type": "template",
            "altText": "a",
            "template": {
                "type": "buttons",
                "title": "ยืนยันข่าว",
                "text": "ส่งเลยไหม",
                "actions": [{"type": "message", "label": "ส่ง", "text": "ส่ง"}],
            },
        }
    )
    assert "ยืนยันข่าว" in buttons and ">ส่ง</button>" in buttons
    quick = render.quick_reply_buttons(
        {"quickReply": {"items": [{"type": "action", "action": {"type": "location", "label": "ส่งตำแหน่ง"}}]}}
    )
    assert 'class="quick"' in quick and "ส่งตำแหน่ง" in quick
    assert render.safe_url("javascript:alert(1)") == ""


@pytest.fixture
def demo(database_url, tmp_path, monkeypatch):
    """The bot in demo mode with the emulator mounted at /emulator, served on a real port, worker running."""
    holder = {}
    server = ServerThread(lambda environ, start: holder["app"](environ, start))
    application = build_bot_app(
        database_url,
        tmp_path,
        monkeypatch,
        FIELDLINE_MODE="demo",
        PUBLIC_BASE_URL=server.url,
        LINE_API_BASE_URL=server.url + "/emulator",
    )
    holder["app"] = application
    services = application.extensions["fieldline"]
    services.worker.interval = 0.2
    services.worker.start()
    try:
        yield server.url, application
    finally:
        services.worker.stop()
        application.extensions["line_emulator"].close()
        server.stop()
        close_bot_app(application)


def test_the_mounted_ui_pages_and_endpoints(demo):
    url, application = demo
    client = application.test_client()
    home = client.get("/emulator/").get_data(as_text=True)
    for person in personas.PERSONAS:
        assert person.role in home and person.name in home
    assert "อาสาสมัครเครือข่ายข่าว" in home and "เจ้าหน้าที่สายตรวจ" in home and "ฝ่ายเลขานุการ" in home
    assert "เจ้าหน้าที่ฝ่ายโยธา" in home and "กลุ่ม ฝ่ายโยธา เขตพระนคร" in home and "กลุ่ม สายตรวจเขตพระนคร" in home
    assert client.get("/emulator/chat/volunteer/bot").status_code == 200
    assert client.get("/emulator/chat/volunteer/patrol").status_code == 404  # not the volunteer's group
    refused = client.post("/emulator/ui/act", json={"persona": "volunteer", "chat": "bot", "kind": "text", "text": "x"})
    assert refused.status_code == 403  # no X-Emulator header: a cross-site form cannot post
    state = client.get("/emulator/ui/state?persona=secretariat&chat=news").get_json()
    assert state["bot_in_chat"] is True and state["entries"] == []  # the demo's bot joined its groups earlier
    assert client.get("/emulator/ui/state?persona=patrol&chat=bot").get_json()["friend"] is True
    assert client.get("/emulator/ui/state?persona=volunteer&chat=bot").get_json()["friend"] is False


def wait_for(condition, timeout: float = 10.0):
    """Poll until condition() is truthy; return its value or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (./dev.sh test installs it)")
def test_a_newcomer_chats_with_the_bot_in_the_browser(demo):
    from playwright.sync_api import expect, sync_playwright

    url, application = demo
    platform = application.extensions["line_emulator"]
    richmenu.deploy(application.extensions["fieldline"].messenger, application.extensions["fieldline"].sessions)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 520, "height": 900})
            page.goto(url + "/emulator/")
            volunteer = page.locator('[data-persona="volunteer"]')
            expect(volunteer).to_contain_text("อาสาสมัครเครือข่ายข่าว")
            volunteer.get_by_text("แชทกับบอท FieldLine").click()
            expect(page.locator(".chat-title")).to_contain_text("FieldLine")
            # the banner is drawn by the first poll, which runs after the composer's keys are wired
            expect(page.locator("#banner")).to_contain_text("ยังไม่ได้เพิ่ม FieldLine เป็นเพื่อน")

            page.locator("#text").fill("ช่วยเหลือ")
            page.locator("#text").press("Enter")
            bot = page.locator(".row-msg.bot").last
            expect(bot).to_contain_text("สิ่งที่ทำได้ใน FieldLine", timeout=10_000)
            assert bot.locator(".bubble br").count() >= 4  # line breaks kept
            expect(page.locator(".row-msg.me").last).to_contain_text("ช่วยเหลือ")

            page.locator('.richmenu-area[title="ช่วยเหลือ"]').click()  # the rich menu's areas act too
            expect(page.locator(".row-msg.bot", has_text="สิ่งที่ทำได้ใน FieldLine")).to_have_count(2, timeout=10_000)

            page.locator(".quick", has_text="แจ้งข่าว").click()
            expect(page.locator(".row-msg.me").last).to_contain_text("แจ้งข่าว", timeout=10_000)
            expect(page.locator(".row-msg.bot").last).to_contain_text("ขั้นที่ 1/4", timeout=10_000)
            expect(page.locator(".quick").first).to_be_visible()
            expect(page.locator(".richmenu img")).to_be_visible()
            page.screenshot(path=str(SCREENSHOT))

            page.locator(".row-msg.bot button", has_text="ไม่แน่ใจ").last.click()  # categories are Flex buttons
            expect(page.locator(".row-msg.bot").last).to_contain_text("ขั้นที่ 2/4", timeout=10_000)
            page.locator("#location-open").click()
            page.locator("#location-form button[type=submit]").click()
            expect(page.locator(".row-msg.me .location").last).to_contain_text("13.75630", timeout=10_000)

            page.locator("#photo").set_input_files(
                files=[{"name": "scene.png", "mimeType": "image/png", "buffer": png(40, 30)}]
            )
            photo = page.locator(".row-msg.me img.photo").last
            expect(photo).to_be_visible(timeout=10_000)
            wait_for(lambda: photo.evaluate("img => img.complete && img.naturalWidth") == 40)
            volunteer_id = personas.user_id_of(platform, "volunteer")
            expect(page.locator(".row-msg.bot").last).to_contain_text("ได้รับรูปภาพ", timeout=10_000)

            messenger = application.extensions["fieldline"].messenger
            messenger.push(volunteer_id, [Message.from_dict(m) for m in (FLEX, ASK_LOCATION)], str(uuid.uuid4()))
            card = page.locator(".fx-bubble").last
            expect(card).to_contain_text("สรุปข่าวของท่าน", timeout=10_000)
            expect(card.locator(".fx-horizontal")).to_contain_text("12 เรื่อง")
            page.locator(".quick", has_text="ส่งตำแหน่งอีกครั้ง").click()  # a location action opens the form
            expect(page.locator("#location-form")).to_be_visible()
            page.locator("#location-form input[name=title]").fill("ซอยเจริญกรุง 36")
            page.locator("#location-form button[type=submit]").click()
            expect(page.locator(".row-msg.me .location").last).to_contain_text("ซอยเจริญกรุง 36", timeout=10_000)
            card.get_by_role("button", name="ดูรายละเอียด").click()  # a postback with displayText
            expect(page.locator(".row-msg.me").last).to_contain_text("ขอดูรายละเอียด", timeout=10_000)
            wait_for(lambda: [e for e in platform.timeline if e.event and e.event["type"] == "postback"])
            page.screenshot(path=str(SCREENSHOT.with_name("fieldline-emulator-cards.png")))

            page.locator("#follow").click()  # the volunteer is new: adding the bot as a friend greets them
            expect(page.locator(".row-msg.bot", has_text="ยินดีต้อนรับ")).to_have_count(1, timeout=10_000)
            expect(page.locator("#unfollow")).to_be_visible()

            page.goto(url + "/emulator/chat/patrol/bot")  # the patrol officer is a friend already
            expect(page.locator("#unfollow")).to_be_visible()
            expect(page.locator("#banner")).to_be_hidden()

            page.goto(url + "/emulator/chat/secretariat/news")  # the bot is in the demo groups already
            expect(page.locator("#text")).to_be_enabled()
            page.locator("#remove").click()
            expect(page.locator("#banner")).to_contain_text("บอทยังไม่อยู่ในกลุ่มนี้", timeout=10_000)
            page.locator("#invite").click()
            expect(page.locator(".system").last).to_contain_text("FieldLine เข้าร่วมกลุ่มแล้ว", timeout=10_000)
            expect(page.locator("#text")).to_be_enabled()
        finally:
            browser.close()
    assert {d.method for d in platform.deliveries} == {"reply", "push"}
    assert platform.failures == []
    assert SCREENSHOT.stat().st_size > 10_000
