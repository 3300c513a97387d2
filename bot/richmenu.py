"""The one-to-one chat's rich menu: its layout, its generated image, and deploying it to LINE."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

from linebot.v3.messaging import (
    MessageAction,
    RichMenuArea,
    RichMenuBounds,
    RichMenuRequest,
    RichMenuSize,
)
from PIL import Image, ImageDraw, ImageFont

from line.messenger import Messenger
from texts import common as t

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 2500, 1686
COLUMNS, ROWS = 3, 2
NAME = "fieldline-main"
CHAT_BAR_TEXT = "เมนู FieldLine"
THAI_FONTS = (
    "/usr/share/fonts/truetype/tlwg/Loma-Bold.ttf",
    "/usr/share/fonts/truetype/tlwg/Garuda-Bold.ttf",
    "/usr/share/fonts/truetype/tlwg/Sarabun-Bold.ttf",
    "/usr/share/fonts/opentype/tlwg/Loma-Bold.otf",
    "/usr/share/fonts/truetype/noto/NotoSansThai-Bold.ttf",
)


@dataclass(frozen=True)
class Tile:
    """One tappable area: its label, the text it sends, and its colour."""

    label: str
    hint: str
    sends: str
    colour: tuple[int, int, int]


TILES = (
    Tile("แจ้งข่าว", "ส่งข่าวได้ 24 ชั่วโมง", t.QUICK_REPORT, (0, 150, 136)),
    Tile("เช็คอิน", "ตรวจจุดเสี่ยง", t.QUICK_CHECKIN, (30, 100, 190)),
    Tile("ตรวจกล้อง", "CCTV ประจำวัน", "ตรวจกล้อง", (94, 53, 177)),
    Tile("สรุปของฉัน", "ผลการรายงาน", "สรุปของฉัน", (230, 126, 34)),
    Tile("ลงทะเบียน", "สมาชิกเครือข่าย", "ลงทะเบียน", (46, 125, 50)),
    Tile("ช่วยเหลือ", "วิธีใช้งาน", t.QUICK_HELP, (84, 110, 122)),
)


def _cell(index: int) -> tuple[int, int, int, int]:
    """x, y, width, height of the tile at an index (row by row)."""
    width, height = WIDTH // COLUMNS, HEIGHT // ROWS
    column, row = index % COLUMNS, index // COLUMNS
    return column * width, row * height, width, height


def menu_request() -> RichMenuRequest:
    """The rich menu definition, built with line-bot-sdk's models."""
    areas = []
    for index, tile in enumerate(TILES):
        x, y, width, height = _cell(index)
        areas.append(
            RichMenuArea(
                bounds=RichMenuBounds(x=x, y=y, width=width, height=height),
                action=MessageAction(label=tile.label[:20], text=tile.sends),
            )
        )
    return RichMenuRequest(
        size=RichMenuSize(width=WIDTH, height=HEIGHT),
        selected=True,
        name=NAME,
        chat_bar_text=CHAT_BAR_TEXT,
        areas=areas,
    )


def thai_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A Thai-capable font from the system (Debian's fonts-thai-tlwg), else Pillow's default."""
    for candidate in THAI_FONTS:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    log.warning("no Thai font found (install fonts-thai-tlwg); the rich menu labels may not render")
    return ImageFont.load_default(size)


def _fitted(draw: ImageDraw.ImageDraw, text: str, size: int, width: int):
    """The largest font up to `size` at which the text fits the width."""
    while True:
        font = thai_font(size)
        if size <= 30 or draw.textlength(text, font=font) <= width:
            return font
        size -= 6


def menu_image() -> bytes:
    """Draw the menu as a JPEG (LINE takes up to 1 MB at 2500x1686)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for index, tile in enumerate(TILES):
        x, y, width, height = _cell(index)
        draw.rounded_rectangle((x + 18, y + 18, x + width - 18, y + height - 18), radius=60, fill=tile.colour)
        centre = x + width // 2
        label = _fitted(draw, tile.label, 150, width - 120)
        hint = _fitted(draw, tile.hint, 80, width - 120)
        draw.text((centre, y + height * 0.44), tile.label, font=label, fill=(255, 255, 255), anchor="mm")
        draw.text((centre, y + height * 0.68), tile.hint, font=hint, fill=(235, 245, 245), anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def deploy(messenger: Messenger) -> str:
    """Create the menu, upload its image, make it every user's default, and remove older copies."""
    old = [menu.rich_menu_id for menu in messenger.api.get_rich_menu_list().richmenus if menu.name == NAME]
    menu_id = messenger.api.create_rich_menu(menu_request()).rich_menu_id
    messenger.blob.set_rich_menu_image(menu_id, menu_image(), _headers={"Content-Type": "image/jpeg"})
    messenger.api.set_default_rich_menu(menu_id)
    for stale in old:
        messenger.api.delete_rich_menu(stale)
    return menu_id
