"""What the real-browser tests share: Debian's chromium, its flags, where screenshots go, a page fixture."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(os.environ.get("FIELDLINE_SCREENSHOT_DIR", "/tmp"))


def _chromium_page(viewport: dict[str, int]) -> Iterator:
    """A fresh Thai-locale chromium page of `viewport`; `page.outside_requests` lists what it asked of other hosts."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="th-TH", viewport=viewport)
            outside: list[str] = []
            page.on("request", lambda r: outside.append(r.url) if not r.url.startswith("http://127.0.0.1") else None)
            page.outside_requests = outside
            yield page
        finally:
            browser.close()


@pytest.fixture
def browser_page() -> Iterator:
    """A fresh Thai-locale chromium page, desktop size."""
    yield from _chromium_page({"width": 1280, "height": 900})


@pytest.fixture
def phone_page() -> Iterator:
    """A fresh Thai-locale chromium page 360 px wide; skipped without Playwright or Debian's chromium."""
    pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    yield from _chromium_page({"width": 360, "height": 740})


def sign_in(page, username: str, password: str) -> None:
    """Fill in and send the staff login form the page shows."""
    page.get_by_label("ชื่อผู้ใช้").fill(username)
    page.get_by_label("รหัสผ่าน").fill(password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
