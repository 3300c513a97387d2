"""PDFs printed by Chromium: the vendored Thai font embedded, Thai text read back intact, pages as images."""

from __future__ import annotations

import subprocess

import pytest

from reports.documents import pdf
from reports.documents.printing import render_html, render_pdf

pytestmark = pytest.mark.skipif(not pdf.available(), reason="Debian's chromium is not installed")

# Words whose marks a naive PDF maker misplaces or loses when the text is copied out: sara am (decomposed
# by the shaper), tone marks over ascenders and under-vowels, stacked marks.
THAI = "ความสำเร็จ ผู้หลบหนีเข้าเมือง ต่างด้าว ได้รับ ทำงานอยู่ ญี่ปุ่น ปั้น น้ำ กุ้ง ที่ประชุม ฐู ฎุ"


def _text(document: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=document, capture_output=True, check=True).stdout.decode()


def _fonts(document: bytes, tmp_path) -> str:
    path = tmp_path / "d.pdf"
    path.write_bytes(document)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout


def test_thai_comes_back_intact_and_the_font_is_embedded(tmp_path):
    html = (
        "<!doctype html><html><head><meta charset='utf-8'><style>"
        + pdf.FONT_FACES
        + f"body{{font-family:'{pdf.FONT_FAMILY}';font-size:16pt}}</style></head>"
        + f"<body><p>{THAI}</p><p><b>ตัวหนา {THAI}</b></p></body></html>"
    )
    document = pdf.html_to_pdf(html)
    text = " ".join(_text(document).split())
    assert THAI in text
    assert f"ตัวหนา {THAI}" in text
    fonts = _fonts(document, tmp_path)
    assert "Laksaman" in fonts and "Laksaman-Bold" in fonts
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:]), fonts  # embedded


def test_a_long_thai_paragraph_wraps_at_words_over_pages_and_renders_to_images():
    paragraph = "ที่ประชุมได้พิจารณาข่าวสารที่ได้รับจากเครือข่ายข่าวเกี่ยวกับผู้หลบหนีเข้าเมืองในพื้นที่กรุงเทพมหานคร" * 60
    document = render_pdf("print_base.html", title="ทดสอบ")  # the base alone is a valid, empty document
    assert document.startswith(b"%PDF")
    html = render_html("print_base.html").replace("<body>", f"<body><p class='body'>{paragraph}</p>")
    long_document = pdf.html_to_pdf(html)
    assert pdf.page_count(long_document) >= 2
    lines = [line for line in _text(long_document).splitlines() if line.strip()]
    words = "ที่ประชุมได้พิจารณาข่าวสารที่ได้รับจากเครือข่ายข่าวเกี่ยวกับผู้หลบหนีเข้าเมืองในพื้นที่กรุงเทพมหานคร"
    assert "".join(lines) == paragraph  # nothing lost or doubled across lines and pages
    assert any(words.find(line[:6]) >= 0 for line in lines[1:])  # lines start at a word, not mid-cluster
    for line in lines:
        assert not ("\u0e30" <= line[0] <= "\u0e3a" or "\u0e47" <= line[0] <= "\u0e4e")  # no line starts with a mark
    images = pdf.page_images(long_document, width_px=300, count=1)
    assert len(images) == 1 and images[0].startswith(b"\x89PNG")


def test_without_chromium_the_caller_is_told(monkeypatch):
    monkeypatch.setenv("CHROMIUM_PATH", "/nonexistent/chromium")
    assert not pdf.available()
    with pytest.raises(pdf.PdfUnavailable):
        pdf.html_to_pdf("<p>x</p>")
