"""A secretariat member's day in a real browser (Debian's chromium): home, a number to its list, a forward, a letter.

The demo is loaded (points, groups, units, agencies and FY 2564's evidence), a volunteer's report arrived an hour
ago. Signed in as the demo's secretariat, the person reads the home page, follows "reports in the last 24 h" to the
inbox, forwards the report to an agency with a letter, downloads the letter, opens a point from the map and reads its
timeline. Then every main page is saved as a screenshot at desktop and phone width, and none scrolls sideways on a
360 px phone. Screenshots go to $FIELDLINE_SCREENSHOT_DIR (see tests/browser.py) for a person to look at.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import demo
from models import NewsReport, ReportStatus
from models.timeutil import utcnow
from models.workgroup import Agency, Forward
from tests import test_network_admin_support as make
from tests.browser import CHROMIUM, SCREENSHOTS, sign_in

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")

MAIN_PAGES = {
    "home": "/admin/",
    "map": "/admin/map",
    "reports": "/admin/network/reports",
    "defects": "/admin/riskpoints/defects",
    "compliance": "/admin/riskpoints/compliance",
    "submissions": "/admin/riskpoints/submissions",
    "board": "/admin/riskpoints/board",
    "forwards": "/admin/workgroup/forwards",
    "network-kpi": "/admin/workgroup/kpi",
    "kpi-reports": "/admin/kpi-reports/",
    "scheduler": "/admin/scheduler/",
}
MACHINE_WORDS = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|T\d{2}:\d{2}|\bNone\b|\bTrue\b|\bFalse\b|Bad Request|-Q\d\b")


@pytest.fixture
def secretariat_day(services):
    """The demo, and one confirmed report from a volunteer's LINE group in พระนคร, an hour old."""
    with services.sessions.begin() as session:
        demo.load(session)
    chat = make.group(services, "เครือข่ายข่าว อปพร. พระนคร")
    news, ref = make.report(
        services,
        chat=chat,
        when=utcnow() - timedelta(hours=1),
        district="พระนคร",
        text="#ข่าว พบกลุ่มแรงงานต่างด้าวพักอาศัยในอาคารร้าง ริมคลองหลอด",
    )
    return news, ref


def _problems(page) -> list[str]:
    """Script errors and Content-Security-Policy violations the page reports."""
    found: list[str] = []
    page.on("console", lambda message: found.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


def test_a_secretariat_member_follows_a_number_forwards_a_report_and_downloads_the_letter(
    services, live_server, browser_page, secretariat_day
):
    news, ref = secretariat_day
    expect = playwright_api.expect
    page = browser_page
    problems = _problems(page)

    page.goto(f"{live_server}/admin/")
    sign_in(page, "secretariat", "fieldline-demo")
    expect(page.locator("h1")).to_contain_text("ภาพรวม")
    body = page.locator("main").inner_text()
    assert "ระดับ" in body and "ร้อยละ" in body or "%" in body  # both KPIs are on the home page
    assert not MACHINE_WORDS.search(body), MACHINE_WORDS.search(body)
    page.screenshot(path=str(SCREENSHOTS / "fieldline-secretariat-home-1280.png"), full_page=True)

    # the number of reports received in the last 24 hours opens exactly those reports
    tile = page.locator("main a[href*='hours=24']").first
    expect(tile).to_contain_text("1")
    tile.click()
    expect(page.locator("h1")).to_contain_text("ข่าว")
    rows = page.locator("tr[id^=report-]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(ref)

    # forward it to the immigration bureau with a letter, from the inbox's bulk actions
    rows.first.locator("input[type=checkbox]").check()
    panel = page.locator("#bulk-actions")
    panel.get_by_label("เรื่อง").fill("ส่งต่อข่าวแรงงานต่างด้าว ริมคลองหลอด")
    panel.locator("summary", has_text="เลือกหน่วยงาน").click()
    with services.sessions() as session:
        immigration = session.scalar(select(Agency).where(Agency.code == "immigration"))
    panel.locator(f"input[name=agency_id][value='{immigration.id}']").check()
    letter_box = panel.get_by_label("ออกหนังสือนำส่ง")
    if letter_box.count():
        letter_box.check()
    panel.get_by_role("button", name="ส่งต่อข่าวที่เลือก").click()
    expect(page.locator(".flash").first).to_contain_text("ส่งต่อ")
    with services.sessions() as session:
        forward = session.scalars(select(Forward).order_by(Forward.id.desc())).first()
        assert [link.report_id for link in forward.report_links] == [news]
        assert session.get(NewsReport, news).status != ReportStatus.DRAFT
        forward_id = forward.id
    page.screenshot(path=str(SCREENSHOTS / "fieldline-secretariat-forwarded-1280.png"), full_page=True)

    # the forward's page names the agency, and its letter downloads as a Word document
    page.goto(f"{live_server}/admin/workgroup/forwards/{forward_id}")
    expect(page.locator("main")).to_contain_text(immigration.name)
    letter = page.locator("a[href*='/letter']").first
    with page.expect_download() as download:
        letter.click()
    path = download.value.path()
    with open(path, "rb") as handle:
        assert handle.read(2) == b"PK"  # a DOCX is a ZIP
    assert download.value.suggested_filename.endswith(".docx")

    # a point opens from the map, and its link leads to the point's timeline
    page.goto(f"{live_server}/admin/map")
    expect(page.locator("#map[data-ready='1']")).to_have_count(1)
    page.locator("path[data-code='RP-0001']").click()
    popup = page.locator(".leaflet-popup")
    expect(popup).to_contain_text("RP-0001")
    popup.get_by_role("link").first.click()
    expect(page).to_have_url(f"{live_server}/admin/riskpoints/RP-0001")
    expect(page.locator("h1")).to_contain_text("RP-0001")
    assert page.outside_requests == []  # no map tiles, fonts or scripts from the internet
    assert problems == []


@pytest.mark.parametrize("width", [1280, 390, 360])
def test_the_main_pages_fit_the_screen_and_read_as_thai(services, live_server, browser_page, secretariat_day, width):
    page = browser_page
    problems = _problems(page)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server}/admin/login")
    sign_in(page, "secretariat", "fieldline-demo")
    for name, path in MAIN_PAGES.items():
        response = page.goto(f"{live_server}{path}")
        assert response.status == 200, f"{path} answered {response.status}"
        if width != 360:
            page.screenshot(path=str(SCREENSHOTS / f"fieldline-page-{name}-{width}.png"), full_page=True)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{path} scrolls sideways at {width} px ({scroll} px wide)"
        text = page.locator("main").inner_text()
        assert not MACHINE_WORDS.search(text), f"{path}: {MACHINE_WORDS.search(text).group(0)}"
    assert page.outside_requests == []
    assert problems == []
