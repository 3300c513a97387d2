"""The one-to-one chat's rich menus, one per role: their layout, their generated images, deploying them.

Each ``services.roles.Menu`` has its table of tiles; every tile sends a text command that a handler
answers for people of that role (tests/test_rich_menus.py taps them all). ``deploy`` creates every
menu in LINE with its image, makes the newcomer's the default, records the ids in the database and
has the worker link each member's menu again (runtime/rich_menus.py).
"""

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
from sqlalchemy.orm import Session, sessionmaker

from line.menus import MENUS
from line.messenger import Messenger
from runtime import rich_menus
from services.roles import Menu
from texts import richmenu as t

log = logging.getLogger(__name__)

WIDTH = 2500
PREFIX = "fieldline-"  # every FieldLine menu's name starts so (the first one was "fieldline-main")
CHAT_BAR_TEXT = t.CHAT_BAR_TEXT
THAI_FONTS = (
    "/usr/share/fonts/truetype/tlwg/Loma-Bold.ttf",
    "/usr/share/fonts/truetype/tlwg/Garuda-Bold.ttf",
    "/usr/share/fonts/truetype/tlwg/Sarabun-Bold.ttf",
    "/usr/share/fonts/opentype/tlwg/Loma-Bold.otf",
    "/usr/share/fonts/truetype/noto/NotoSansThai-Bold.ttf",
)


@dataclass(frozen=True)
class Grid:
    """How a menu's tiles are laid out: columns, rows and the image height (LINE's sizes)."""

    columns: int
    rows: int
    height: int


GRIDS = {3: Grid(3, 1, 843), 4: Grid(2, 2, 1686), 6: Grid(3, 2, 1686)}  # tiles -> layout


def grid_of(menu: Menu) -> Grid:
    """The layout of a menu, from how many tiles it has."""
    return GRIDS[len(MENUS[menu])]


def _cell(grid: Grid, index: int) -> tuple[int, int, int, int]:
    """x, y, width, height of the tile at an index (row by row)."""
    width, height = WIDTH // grid.columns, grid.height // grid.rows
    column, row = index % grid.columns, index // grid.columns
    return column * width, row * height, width, height


def menu_request(menu: Menu = Menu.NEWCOMER) -> RichMenuRequest:
    """A menu's definition, built with line-bot-sdk's models."""
    grid = grid_of(menu)
    areas = []
    for index, item in enumerate(MENUS[menu]):
        x, y, width, height = _cell(grid, index)
        areas.append(
            RichMenuArea(
                bounds=RichMenuBounds(x=x, y=y, width=width, height=height),
                action=MessageAction(label=item.label[:20], text=item.sends),
            )
        )
    return RichMenuRequest(
        size=RichMenuSize(width=WIDTH, height=grid.height),
        selected=True,
        name=PREFIX + menu.value,
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


def menu_image(menu: Menu = Menu.NEWCOMER) -> bytes:
    """Draw a menu as a JPEG (LINE takes up to 1 MB)."""
    grid = grid_of(menu)
    image = Image.new("RGB", (WIDTH, grid.height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for index, item in enumerate(MENUS[menu]):
        x, y, width, height = _cell(grid, index)
        draw.rounded_rectangle((x + 18, y + 18, x + width - 18, y + height - 18), radius=60, fill=item.colour)
        centre = x + width // 2
        label = _fitted(draw, item.label, 150, width - 120)
        hint = _fitted(draw, item.hint, 80, width - 120)
        draw.text((centre, y + height * 0.44), item.label, font=label, fill=(255, 255, 255), anchor="mm")
        draw.text((centre, y + height * 0.68), item.hint, font=hint, fill=(235, 245, 245), anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def deploy(messenger: Messenger, sessions: sessionmaker[Session]) -> dict[str, str]:
    """Create every role's menu with its image, make the newcomer's the default, record the ids, remove older copies.

    Members' links are marked stale, so the worker links each member to their role's new menu.
    Returns the new ids by menu name.
    """
    old = [menu.rich_menu_id for menu in messenger.api.get_rich_menu_list().richmenus if menu.name.startswith(PREFIX)]
    deployed: dict[str, str] = {}
    for menu in Menu:
        menu_id = messenger.api.create_rich_menu(menu_request(menu)).rich_menu_id
        messenger.blob.set_rich_menu_image(menu_id, menu_image(menu), _headers={"Content-Type": "image/jpeg"})
        deployed[menu.value] = menu_id
    messenger.api.set_default_rich_menu(deployed[Menu.NEWCOMER.value])
    with sessions.begin() as session:
        rich_menus.record_deployment(session, deployed)
    for stale in old:
        messenger.api.delete_rich_menu(stale)
    log.info("rich menus deployed: %s", ", ".join(deployed))
    return deployed
