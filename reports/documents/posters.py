"""Printable PDF posters of risk points, with a QR code that opens the bot's chat with the check-in typed.

The QR holds LINE's URL scheme https://line.me/R/oaMessage/{basic id}/?{text}: scanning it with the
phone's camera or LINE opens the chat with "เช็คอิน RP-0012" ready to send. The bot's basic id (e.g.
@123abcde) comes from LINE_BOT_BASIC_ID. Thai is drawn with a TrueType font from Debian's fonts-thai-tlwg.
"""

from __future__ import annotations

import io
import logging
from functools import cache
from pathlib import Path
from urllib.parse import quote

import qrcode
from PIL import Image, ImageDraw, ImageFont, features
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from models import RiskPoint
from texts import riskpoints as t

log = logging.getLogger(__name__)

FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/tlwg/Garuda.ttf", "/usr/share/fonts/truetype/tlwg/Garuda-Bold.ttf"),
    ("/usr/share/fonts/truetype/tlwg/Loma.ttf", "/usr/share/fonts/truetype/tlwg/Loma-Bold.ttf"),
    ("/usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSansThai-Bold.ttf"),
)


SCALE = 300 / 72  # pixels per point when Thai lines are drawn as images (300 dpi)


class PosterError(RuntimeError):
    """A poster cannot be made (told to the staff member as is)."""


@cache
def fonts() -> tuple[str, str]:
    """Register a Thai TrueType font (regular, bold); Helvetica when none is installed (Thai will not show)."""
    for regular, bold in FONT_CANDIDATES:
        if Path(regular).exists() and Path(bold).exists():
            pdfmetrics.registerFont(TTFont("FieldLineThai", regular))
            pdfmetrics.registerFont(TTFont("FieldLineThai-Bold", bold))
            return "FieldLineThai", "FieldLineThai-Bold"
    log.warning("no Thai font found (install fonts-thai-tlwg); posters will not show Thai text")
    return "Helvetica", "Helvetica-Bold"


def checkin_text(point: RiskPoint) -> str:
    """What the QR code types in the chat."""
    return f"{t.CHECKIN} {point.code}"


def checkin_url(basic_id: str | None, point: RiskPoint) -> str:
    """LINE's URL that opens the bot's chat with the point's check-in text prefilled."""
    if not basic_id:
        raise PosterError("ยังไม่ได้ตั้งค่า LINE_BOT_BASIC_ID (Basic ID ของบัญชี LINE เช่น @123abcde) จึงสร้าง QR ไม่ได้")
    account = basic_id if basic_id.startswith("@") else f"@{basic_id}"
    return f"https://line.me/R/oaMessage/{quote(account, safe='@')}/?{quote(checkin_text(point), safe='')}"


def qr_image(url: str) -> ImageReader:
    """The QR code of a URL as an image reportlab can draw (error correction M, 4-module quiet zone)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    buffer.seek(0)
    return ImageReader(buffer)


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float) -> float:
    """The largest size up to `size` at which the text fits the width."""
    while size > 8 and canvas.stringWidth(text, font, size) > width:
        size -= 1
    return size


@cache
def _shaping_font(path: str, pixels: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, pixels, layout_engine=ImageFont.Layout.RAQM)


def _font_path(font: str) -> str | None:
    """The TTF file behind a registered font name (None for the built-in fonts)."""
    for regular, bold in FONT_CANDIDATES:
        if font == "FieldLineThai" and Path(regular).exists():
            return regular
        if font == "FieldLineThai-Bold" and Path(bold).exists():
            return bold
    return None


def _centred(canvas: Canvas, text: str, y: float, font: str, size: float, width: float, x: float, colour=(0, 0, 0)):
    """Draw a line centred on x with its baseline at y, at most `width` wide.

    Thai needs shaping (tone marks stacked over vowels); reportlab places marks unshaped, so when
    Pillow has libraqm the line is drawn by HarfBuzz into a 300 dpi image instead.
    """
    size = _fit(canvas, text, font, size, width)
    path = _font_path(font)
    if path is None or not features.check("raqm"):
        canvas.setFillColorRGB(*(c / 255 for c in colour))
        canvas.setFont(font, size)
        canvas.drawCentredString(x, y, text)
        return
    shaper = _shaping_font(path, round(size * SCALE))
    ascent, descent = shaper.getmetrics()
    left, _, right, _ = shaper.getbbox(text, anchor="ls")
    image = Image.new("RGBA", (max(1, right - left + 4), ascent + descent), (255, 255, 255, 0))
    ImageDraw.Draw(image).text((2 - left, ascent), text, font=shaper, fill=(*colour, 255), anchor="ls")
    w, h = image.width / SCALE, image.height / SCALE
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    canvas.drawImage(ImageReader(buffer), x - w / 2, y - descent / SCALE, w, h, mask="auto")


def _poster(canvas: Canvas, point: RiskPoint, basic_id: str | None, office: str) -> None:
    """One A4 page for one point."""
    regular, bold = fonts()
    width, height = A4
    centre, usable = width / 2, width - 30 * mm
    canvas.setFillColorRGB(0.12, 0.39, 0.75)
    canvas.rect(0, height - 45 * mm, width, 45 * mm, stroke=0, fill=1)
    white = (255, 255, 255)
    _centred(canvas, "จุดเสี่ยงภัยอาชญากรรม", height - 22 * mm, bold, 30, usable, centre, white)
    _centred(canvas, office, height - 35 * mm, regular, 18, usable, centre, white)
    canvas.setFillColorRGB(0, 0, 0)
    _centred(canvas, point.code, height - 70 * mm, bold, 54, usable, centre)
    _centred(canvas, point.name, height - 85 * mm, bold, 22, usable, centre)
    place = " ".join(filter(None, [f"แขวง{point.subdistrict}" if point.subdistrict else "", f"เขต{point.district}"]))
    _centred(
        canvas, f"{t.POINT_KINDS.get(point.kind, point.kind)} · {place}", height - 96 * mm, regular, 16, usable, centre
    )
    size = 110 * mm
    canvas.drawImage(qr_image(checkin_url(basic_id, point)), centre - size / 2, height - 215 * mm, size, size)
    _centred(canvas, "เจ้าหน้าที่สายตรวจ: สแกน QR ด้วยกล้องหรือ LINE", height - 228 * mm, bold, 20, usable, centre)
    _centred(
        canvas,
        f"แล้วกดส่งข้อความ “{checkin_text(point)}” และส่งตำแหน่งปัจจุบัน",
        height - 240 * mm,
        regular,
        16,
        usable,
        centre,
    )
    _centred(
        canvas,
        "ตรวจวันละ 2 ครั้ง · พบไฟดับ ต้นไม้รก กล้องเสีย แจ้งได้ทันทีหลังเช็คอิน",
        height - 252 * mm,
        regular,
        13,
        usable,
        centre,
    )
    canvas.setFont(regular, 9)
    canvas.drawCentredString(centre, 12 * mm, f"FieldLine · {point.latitude:.5f}, {point.longitude:.5f}")


def poster_pdf(points: list[RiskPoint], *, basic_id: str | None, office: str) -> bytes:
    """A PDF with one A4 poster per point."""
    if not points:
        raise PosterError("ไม่มีจุดเสี่ยงให้พิมพ์")
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(f"ป้ายจุดเสี่ยง {points[0].code}" if len(points) == 1 else f"ป้ายจุดเสี่ยงเขต{points[0].district}")
    for point in points:
        _poster(canvas, point, basic_id, office)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def sheet_pdf(points: list[RiskPoint], *, basic_id: str | None, office: str, district: str) -> bytes:
    """A district's points as a sheet of cards (2 × 3 per A4 page), each with its QR code."""
    if not points:
        raise PosterError("ไม่มีจุดเสี่ยงที่ใช้งานในเขตนี้")
    regular, bold = fonts()
    width, height = A4
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(f"แผ่นรวม QR จุดเสี่ยงเขต{district}")
    cols, rows, margin, header = 2, 3, 12 * mm, 18 * mm
    cell_w = (width - 2 * margin) / cols
    cell_h = (height - 2 * margin - header) / rows
    per_page = cols * rows
    for start in range(0, len(points), per_page):
        page = start // per_page + 1
        title = f"จุดเสี่ยงภัยอาชญากรรม เขต{district} · {office}"
        _centred(canvas, title, height - margin - 8 * mm, bold, 16, width - 2 * margin - 40 * mm, width / 2)
        _centred(canvas, f"หน้า {page}", height - margin - 8 * mm, regular, 10, 20 * mm, width - margin - 8 * mm)
        for index, point in enumerate(points[start : start + per_page]):
            column, row = index % cols, index // cols
            x = margin + column * cell_w
            y = height - margin - header - (row + 1) * cell_h
            canvas.setStrokeColorRGB(0.6, 0.6, 0.6)
            canvas.setDash(3, 3)
            canvas.rect(x, y, cell_w, cell_h)
            canvas.setDash()
            qr = min(cell_w, cell_h) - 30 * mm
            canvas.drawImage(qr_image(checkin_url(basic_id, point)), x + (cell_w - qr) / 2, y + 20 * mm, qr, qr)
            _centred(canvas, point.code, y + cell_h - 9 * mm, bold, 18, cell_w - 8 * mm, x + cell_w / 2)
            _centred(canvas, point.name, y + 12 * mm, regular, 12, cell_w - 8 * mm, x + cell_w / 2)
            _centred(
                canvas, f"สแกนแล้วส่ง “{checkin_text(point)}”", y + 5 * mm, regular, 10, cell_w - 8 * mm, x + cell_w / 2
            )
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
