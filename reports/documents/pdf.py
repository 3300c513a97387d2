"""HTML to PDF with Debian's Chromium, and PDF pages back to images (for previews).

Chromium lays Thai out with HarfBuzz and breaks lines at Thai word boundaries; its PDFs embed the font
subset and mark each cluster with its text (ActualText), so vowels and tone marks sit where they
belong and the text copies and extracts back intact. Pages are A4 with the margins the document's
own CSS sets (``@page``). The Thai font is the vendored Laksaman (assets/fonts, TH Sarabun's libre
twin), referenced by ``FONT_FACES``. Chromium is found at ``CHROMIUM_PATH`` (default /usr/bin/chromium);
without it, ``PdfUnavailable`` says so and the DOCX of the same document stays available.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

ASSETS = Path(__file__).resolve().parent / "assets"
FONT_DIR = ASSETS / "fonts"
GARUDA = ASSETS / "garuda.png"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
TIMEOUT_SECONDS = 60
FONT_FAMILY = "FieldLine Sarabun"
REGULAR_URI = (FONT_DIR / "Laksaman.ttf").as_uri()
BOLD_URI = (FONT_DIR / "Laksaman-Bold.ttf").as_uri()
FONT_FACES = f"""
@font-face {{ font-family: '{FONT_FAMILY}'; font-weight: normal; src: url('{REGULAR_URI}'); }}
@font-face {{ font-family: '{FONT_FAMILY}'; font-weight: bold; src: url('{BOLD_URI}'); }}
"""
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-pdf-header-footer",
    "--allow-file-access-from-files",
)


class PdfUnavailable(RuntimeError):
    """No PDF can be made here (Chromium missing or failing); the message is for the log and the admin."""


def chromium_path() -> str:
    """Where Chromium is: CHROMIUM_PATH, or Debian's /usr/bin/chromium."""
    return os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM


def available() -> bool:
    """Whether this machine can make PDFs."""
    return Path(chromium_path()).is_file()


def html_to_pdf(html: str) -> bytes:
    """Print one HTML document (UTF-8, its own @page CSS) to PDF bytes."""
    if not available():
        raise PdfUnavailable(f"Chromium not found at {chromium_path()} (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="fieldline-pdf-") as work:
        folder = Path(work)
        source, target = folder / "document.html", folder / "document.pdf"
        source.write_text(html, encoding="utf-8")
        command = [
            chromium_path(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={folder / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)  # noqa: S603
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PdfUnavailable(f"Chromium failed: {type(error).__name__}") from error
        if not target.is_file() or target.stat().st_size == 0:
            raise PdfUnavailable("Chromium made no PDF")
        return target.read_bytes()


def page_images(pdf: bytes, *, width_px: int = 900, first: int = 0, count: int | None = None) -> list[bytes]:
    """PNG images of a PDF's pages (for previews in the admin web), each ``width_px`` wide."""
    import io

    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        last = len(document) if count is None else min(len(document), first + count)
        images = []
        for index in range(first, last):
            page = document[index]
            scale = width_px / page.get_width()
            out = io.BytesIO()
            page.render(scale=scale).to_pil().save(out, format="PNG", optimize=True)
            images.append(out.getvalue())
        return images
    finally:
        document.close()


def page_count(pdf: bytes) -> int:
    """How many pages a PDF has."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()
