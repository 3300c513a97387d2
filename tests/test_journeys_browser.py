"""Issue 13's LINE journeys walked in the emulator's web UI on a phone-sized headless chromium, with screenshots.

Every step is a tap where a user would tap (rich-menu tiles, quick replies, Flex buttons, the emulator's
photo and location pickers); only free text is typed. Screenshots of each journey's key moments go to
$FIELDLINE_SCREENSHOTS (else the test's tmp_path) as ``journey<N>-<step>-<what>.png`` for a person to look at.
"""

from __future__ import annotations

import io
import os
import re
import time
from datetime import datetime
from datetime import time as dt_time
from pathlib import Path

import pytest
import time_machine
from PIL import Image
from sqlalchemy import select

from bot import demo as demo_data
from bot import richmenu
from bot.emulator import personas
from models import Member, NewsReport, WorkOrder
from models.timeutil import BANGKOK, to_bangkok, utcnow
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.test_emulator_ui import demo  # noqa: F401 - the demo-mode server fixture
from texts import common
from texts import network as tn
from texts import riskpoints as tr

PHONE = {"width": 390, "height": 844}
NOT_UNDERSTOOD = "ไม่เข้าใจ"
# what a Thai user should never read: ISO dates and times, Python's None, unfilled {placeholders}, postback data
MACHINE_WORDS = re.compile(r"\d{4}-\d{2}-\d{2}|T\d{2}:\d{2}|\bNone\b|\{[a-z_]+\}|action=")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


def jpeg(shade: int) -> dict:
    """A small JPEG photo as Playwright uploads it."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (shade, 120, 200)).save(out, format="JPEG")
    return {"name": f"photo{shade}.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


class Phone:
    """One persona's phone: a chromium page on the emulator, with the taps a LINE user makes."""

    def __init__(self, page, url: str, shots: Path, journey: int):
        """Wrap a page; screenshots are numbered per journey."""
        self.page, self.url, self.shots, self.journey, self.count = page, url, shots, journey, 0

    def open(self, persona: str, chat: str = "bot") -> None:
        """Open a persona's chat (with the bot, or a group key) and wait for its first poll."""
        self.page.goto(f"{self.url}/emulator/chat/{persona}/{chat}")
        self.page.wait_for_function("document.querySelector('#messages') !== null")
        time.sleep(0.6)  # the first poll draws the history, the rich menu and the banner

    def bot_rows(self) -> int:
        """How many bot messages the chat shows."""
        return self.page.locator(".row-msg.bot").count()

    def answered(self, act, timeout: float = 15.0) -> str:
        """Do act(), wait for the bot's answer to settle; return the text of its new messages."""
        before = self.bot_rows()
        act()
        deadline = time.monotonic() + timeout
        while self.bot_rows() <= before:
            assert time.monotonic() < deadline, f"no answer from the bot\n{self.transcript()}"
            time.sleep(0.1)
        settled = self.bot_rows()
        while True:  # a reply may come as several deliveries (reply then push)
            time.sleep(0.8)
            if self.bot_rows() == settled:
                break
            settled = self.bot_rows()
        said = "\n".join(self.page.locator(".row-msg.bot").nth(i).inner_text() for i in range(before, settled))
        assert NOT_UNDERSTOOD not in said, said
        return said

    def says(self, text: str) -> str:
        """Type free text and send it."""
        return self.answered(lambda: (self.page.locator("#text").fill(text), self.page.locator("#text").press("Enter")))

    def button(self, label: str):
        """The newest quick reply, Flex or template button with exactly this label."""
        quick = self.page.locator("#quick .quick", has_text=label)
        for index in range(quick.count()):
            if quick.nth(index).inner_text().strip() == label:
                return quick.nth(index)
        buttons = self.page.locator(".row-msg.bot button", has_text=label)
        for index in reversed(range(buttons.count())):
            if buttons.nth(index).inner_text().strip() == label:
                return buttons.nth(index)
        raise AssertionError(f"no button {label!r}\n{self.transcript()}")

    def taps(self, label: str) -> str:
        """Tap a button and return the bot's answer."""
        target = self.button(label)
        return self.answered(target.click)

    def taps_in_card(self, words: str, label: str) -> str:
        """Tap a button of the newest Flex bubble that shows words (a carousel's choice)."""
        card = self.page.locator(".row-msg.bot .fx-bubble", has_text=words).last
        return self.answered(card.locator("button", has_text=label).first.click)

    def menu(self, label: str) -> str:
        """Tap a rich-menu tile (opening the menu first when it is folded)."""
        frame = self.page.locator("#richmenu .richmenu-frame")
        assert frame.count() == 1, "no rich menu in this chat"
        if "collapsed" in (frame.get_attribute("class") or ""):
            self.page.locator("#richmenu-toggle").click()
        return self.answered(self.page.locator(f'#richmenu .richmenu-area[title="{label}"]').click)

    def menu_labels(self) -> list[str]:
        """The tiles of the rich menu shown in this chat (empty: none)."""
        areas = self.page.locator("#richmenu .richmenu-area")
        return [areas.nth(i).get_attribute("title") for i in range(areas.count())]

    def photo_by(self, label: str, shade: int) -> str:
        """Tap a camera / camera-roll quick reply and pick a photo in the chooser it opens."""
        with self.page.expect_file_chooser() as chooser:
            self.button(label).click()
        return self.answered(lambda: chooser.value.set_files(files=[jpeg(shade)]))

    def photo(self, shade: int) -> str:
        """Send a photo from the composer's photo icon."""
        return self.answered(lambda: self.page.locator("#photo").set_input_files(files=[jpeg(shade)]))

    def location_by(self, label: str | None = None) -> str:
        """Tap the location quick reply (or the composer's pin) and share the default place."""
        (self.button(label) if label else self.page.locator("#location-open")).click()
        form = self.page.locator("#location-form")
        form.wait_for(state="visible")
        return self.answered(form.locator("button[type=submit]").click)

    def text(self) -> str:
        """All the chat shows."""
        return self.page.locator("#messages").inner_text()

    def transcript(self) -> str:
        """The last part of the chat, for a failure message."""
        return self.text()[-1500:]

    def shot(self, what: str) -> Path:
        """Save a full-page screenshot named journey<N>-<NN>-<what>.png; check the page for misunderstandings."""
        self.count += 1
        path = self.shots / f"journey{self.journey}-{self.count:02d}-{what}.png"
        self.page.screenshot(path=str(path), full_page=True)
        shown = self.page.inner_text("body")
        assert NOT_UNDERSTOOD not in shown
        assert not MACHINE_WORDS.search(self.text()), MACHINE_WORDS.search(self.text())
        assert self.page.locator(".toast").count() == 0 or not self.page.locator(".toast").is_visible()
        return path

    def shot_cards(self, what: str) -> list[Path]:
        """Screenshot each bubble of the newest Flex carousel, as a user swipes through it."""
        row = self.page.locator(".row-msg.bot", has=self.page.locator(".fx-bubble")).last
        paths = []
        for index in range(row.locator(".fx-bubble").count()):
            self.count += 1
            path = self.shots / f"journey{self.journey}-{self.count:02d}-{what}-card{index + 1}.png"
            bubble = row.locator(".fx-bubble").nth(index)
            bubble.scroll_into_view_if_needed()
            bubble.screenshot(path=str(path))
            paths.append(path)
        return paths

    def taps_row(self, words: str) -> str:
        """Tap a tappable part of a Flex bubble (a box with an action) that shows words."""
        return self.answered(self.page.locator(".row-msg.bot [data-action]", has_text=words).last.click)


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where the screenshots go."""
    folder = Path(os.environ.get("FIELDLINE_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def daytime():
    """Today at 10:00 in Bangkok, the clock running: the journeys read "today" the same whenever CI runs them."""
    today = to_bangkok(utcnow()).date()
    with time_machine.travel(datetime.combine(today, dt_time(10, 0), BANGKOK), tick=True):
        yield


@pytest.fixture
def world(daytime, demo):  # noqa: F811 - the imported fixture
    """The demo server with the demo data loaded and the rich menus deployed (the worker links them)."""
    url, application = demo
    services = application.extensions["fieldline"]
    with services.sessions.begin() as session:
        demo_data.load(session)
    richmenu.deploy(services.messenger, services.sessions)
    return url, application


@pytest.fixture
def browser():
    """A headless chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


def phone(browser, url: str, shots: Path, journey: int) -> Phone:
    """A fresh phone-sized Thai page."""
    return Phone(browser.new_page(locale="th-TH", viewport=PHONE), url, shots, journey)


def wait_menu(app, persona: str, menu: str, timeout: float = 15.0) -> None:
    """Wait until the worker has linked the persona's rich menu."""
    sessions = app.extensions["fieldline"].sessions
    user_id = personas.user_id_of(app.extensions["line_emulator"], persona)
    deadline = time.monotonic() + timeout
    while True:
        with sessions() as session:
            linked = session.scalar(select(Member.menu_linked).where(Member.line_user_id == user_id))
        if linked == menu:
            return
        assert time.monotonic() < deadline, f"{persona}'s menu is {linked!r}, not {menu!r}"
        time.sleep(0.2)


def journey_volunteer(browser, url, app, shots) -> None:
    """1: the volunteer follows, registers by tapping, offers a loose photo as news, reports, reads their summary."""
    me = phone(browser, url, shots, 1)
    me.open("volunteer")
    greeting = me.answered(me.page.locator("#follow").click)
    assert "ยินดีต้อนรับ" in greeting
    assert "ขั้นที่ 1/5" in greeting  # following starts the registration
    me.shot("greeting")
    me.says("สมชาย ใจดี")
    me.says("0812345678")
    me.shot("occupation-list")
    me.taps("จิตอาสา")
    me.taps("กรุงเทพกลาง")
    me.taps("พระนคร")
    me.shot("consent")
    me.taps(tn.CONSENT_YES)
    me.shot("registered")
    wait_menu(app, "volunteer", "volunteer")
    with app.extensions["fieldline"].sessions() as session:
        assert session.scalar(select(Member.phone).where(Member.display_name == "สมชาย ใจดี")) is not None

    said = me.photo(10)
    assert common.LOOSE_NEW_REPORT in me.page.locator("#quick").inner_text() or common.LOOSE_NEW_REPORT in said
    me.shot("loose-photo")
    me.taps(common.LOOSE_NEW_REPORT)
    me.shot("category")
    me.taps("ยาเสพติด")
    me.says("มีการซื้อขายยาเสพติดหลังตลาดช่วงค่ำ")
    me.shot("place-step")
    said = me.photo(30)  # a photo at the place step is kept, and the place asked again
    assert "(2)" in said and tn.SEND_LOCATION in me.page.locator("#quick").inner_text()
    me.location_by(tn.SEND_LOCATION)
    me.shot("photos-step")
    said = me.taps(tn.DONE)
    assert "2 รายการ" in said  # the loose photo and the one sent at the place step
    me.shot("report-confirm")
    said = me.taps(tn.CONFIRM_YES)
    with app.extensions["fieldline"].sessions() as session:
        report = session.scalars(select(NewsReport).order_by(NewsReport.id.desc())).first()
        ref, photos = report.ref_no, sum(1 for item in report.items if item.kind == "image")
    assert ref in said and photos == 2
    me.shot("report-sent")
    summary = me.menu("สรุปของฉัน")
    assert ref in summary
    me.shot("my-summary")
    detail = me.taps("ดูรายละเอียด")
    assert ref in detail
    me.shot("report-detail")


def journey_refusal(browser, url, shots) -> None:
    """4: the volunteer types a patrol command and is refused politely, with buttons."""
    me = phone(browser, url, shots, 4)
    me.open("volunteer")
    said = me.says("เช็คอิน")
    assert "สายตรวจ" in said
    assert me.page.locator("#quick .quick").count() > 0
    me.shot("refused")
    me.open("volunteer", "news")
    assert me.menu_labels() == []  # no rich menu in a group chat
    me.shot("news-group-no-menu")


def journey_patrol(browser, url, app, shots) -> None:
    """2: the patrol officer checks in from the patrol menu, reports a dark street light, reads their summary."""
    wait_menu(app, "patrol", "patrol")
    me = phone(browser, url, shots, 2)
    me.open("patrol")
    assert "เช็คอิน" in me.menu_labels()
    me.shot("patrol-menu")
    me.menu("เช็คอิน")
    said = me.location_by(tr.SEND_LOCATION)
    me.shot("points")
    assert "RP-0001" in said and "RP-0002" in said  # two points in range: a carousel
    me.taps_in_card("RP-0001", "เลือกจุดนี้")
    me.shot("photo-step")
    me.taps(tr.NO_PHOTO)
    me.shot("conditions")
    me.taps("ไฟส่องสว่างดับ")
    me.says("หลอดไฟหน้าซอยดับทั้งแนว")
    said = me.taps("เสร็จ")
    assert "ฝ่ายโยธา" in said
    me.shot("defect-sent")
    me.taps("ปกติ ไม่มีเหตุ")
    me.shot("check-finished")
    summary = me.menu("สรุปของฉัน")
    assert "RP-0001" in summary
    me.shot("my-summary")
    me.shot_cards("my-summary")
    me.taps("ดูจุดที่ยังไม่ครบ")
    me.shot("points-not-done")
    me.menu("ตรวจกล้อง")
    me.shot("camera-tile")


def journey_clerk(browser, url, app, shots) -> None:
    """3: the clerk takes the work order in the works group (no rich menu there) and finds it in his summary."""
    me = phone(browser, url, shots, 3)
    me.open("clerk", "works")
    assert me.menu_labels() == [] and me.page.locator("#richmenu").inner_text().strip() == ""
    assert "ใบสั่งงาน" in me.text() or "WO-" in me.text()
    me.shot("work-order-card")
    said = me.taps("รับงาน")
    assert "สมศักดิ์ ช่างโยธา" in said
    me.shot("order-taken")
    with app.extensions["fieldline"].sessions() as session:
        ref = session.scalars(select(WorkOrder.ref).order_by(WorkOrder.id.desc())).first()
    wait_menu(app, "clerk", "clerk")
    me.open("clerk")
    assert "สรุปของฉัน" in me.menu_labels()
    summary = me.menu("สรุปของฉัน")
    assert ref in summary
    me.shot("my-summary")
    detail = me.taps_row(ref)
    assert ref in detail
    me.shot("order-detail")
    me.menu("ส่งรายงาน")
    me.shot("month-report-tile")


def journey_secretariat(browser, url, app, shots) -> None:
    """5: the secretariat's summary shows the day's counts."""
    wait_menu(app, "secretariat", "secretariat")
    me = phone(browser, url, shots, 5)
    me.open("secretariat", "patrol")
    assert me.menu_labels() == []
    me.shot("patrol-group-no-menu")
    me.open("secretariat")
    summary = me.menu("สรุปของฉัน")
    for line in ("ข่าวที่ได้รับวันนี้\n1", "เช็คอินวันนี้\n1", "ใบงานที่ยังไม่ปิด\n1"):
        assert line in summary.replace("\t", "\n"), summary
    me.shot("my-summary")
    me.taps("ประชุม")
    me.shot("meeting")


def test_the_issue_journeys_in_a_phone_browser(world, browser, shots):
    url, application = world
    journey_volunteer(browser, url, application, shots)
    journey_patrol(browser, url, application, shots)
    journey_clerk(browser, url, application, shots)
    journey_refusal(browser, url, shots)
    journey_secretariat(browser, url, application, shots)
    platform = application.extensions["line_emulator"]
    assert platform.failures == []
