"""A real browser opens the map signed in: points on a plain background, no outside request, a point's timeline."""

from __future__ import annotations

import pytest

from models import Role
from tests.browser import CHROMIUM, SCREENSHOTS, sign_in
from tests.test_admin_support import make_staff
from tests.test_map import DAY_BE, district_year  # noqa: F401 - the fixture of three points and a day of checks

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")

PASSWORD = "map browser password"


def test_the_map_shows_points_on_a_plain_background_and_a_point_opens_its_timeline(
    services,
    live_server,
    browser_page,
    district_year,  # noqa: F811 - the fixture imported above
):
    make_staff(services, "maps", Role.SECRETARIAT, password=PASSWORD)
    expect = playwright_api.expect
    page = browser_page
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{live_server}/admin/map?date={DAY_BE}")
    sign_in(page, "maps", PASSWORD)
    expect(page.locator("h1")).to_have_text("แผนที่จุดเสี่ยงและข่าว")
    expect(page.locator("#map[data-ready='1']")).to_have_count(1)
    expect(page.locator("path.map-point")).to_have_count(3)
    expect(page.locator("path.map-point-complete")).to_have_count(1)
    expect(page.locator("path.map-point-partial")).to_have_count(1)
    expect(page.locator("path.map-point-missed")).to_have_count(1)
    expect(page.locator("path.map-defect")).to_have_count(1)
    expect(page.locator("path.map-report")).to_have_count(2)
    expect(page.locator("#map-status")).to_contain_text("จุดเสี่ยง 3 จุด")
    assert page.locator(".leaflet-tile").count() == 0  # no tiles: a plain background
    page.screenshot(path=str(SCREENSHOTS / "fieldline-map-1280.png"), full_page=True)

    page.locator("path[data-code='RP-0002']").click()
    popup = page.locator(".leaflet-popup")
    expect(popup).to_contain_text("ท่าเรือสี่พระยา")
    expect(popup).to_contain_text("ตรวจตรา 1/2 รอบ")
    expect(popup).to_contain_text("สภาพเสี่ยงค้าง 1 เรื่อง")
    page.screenshot(path=str(SCREENSHOTS / "fieldline-map-popup-1280.png"))
    popup.get_by_role("link", name="ดูไทม์ไลน์ของจุด ›").click()
    expect(page).to_have_url(f"{live_server}/admin/riskpoints/RP-0002")
    expect(page.locator("h1")).to_contain_text("RP-0002 ท่าเรือสี่พระยา")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/admin/map?date={DAY_BE}")
    expect(page.locator("#map[data-ready='1']")).to_have_count(1)
    marker = page.locator("path[data-code='RP-0001']")
    marker.focus()  # a point opens by keyboard too
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup")).to_contain_text("ซอยเจริญกรุง 30")
    page.keyboard.press("Escape")
    expect(page.locator(".leaflet-popup")).to_have_count(0)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width})"
    row = page.locator("#point-RP-0003")
    expect(row).to_contain_text("ยังไม่ได้ตรวจ")
    row.get_by_role("link").focus()
    page.screenshot(path=str(SCREENSHOTS / "fieldline-map-390.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/admin/riskpoints/RP-0003")

    assert page.outside_requests == []
    assert problems == []  # no script error and no Content-Security-Policy violation
