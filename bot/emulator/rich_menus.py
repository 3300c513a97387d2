"""Rich menus on the emulated platform: create, image, default, delete (a mixin of Platform)."""

from __future__ import annotations

from bot.emulator import ids
from bot.emulator.errors import LineError
from bot.emulator.records import RichMenu


class RichMenus:
    """The channel's rich menus and its default one."""

    def create_rich_menu(self, body: dict) -> str:
        """Store a rich menu and return its id."""
        with self._lock:
            menu = RichMenu(ids.rich_menu_id(), dict(body))
            self.rich_menus[menu.rich_menu_id] = menu
            return menu.rich_menu_id

    def rich_menu(self, rich_menu_id: str) -> RichMenu:
        """A rich menu by id; 404 when unknown."""
        with self._lock:
            menu = self.rich_menus.get(rich_menu_id)
            if menu is None:
                raise LineError(404, "Not found")
            return menu

    def set_rich_menu_image(self, rich_menu_id: str, data: bytes, content_type: str) -> None:
        """Attach the menu's image (once: LINE refuses a second upload)."""
        with self._lock:
            menu = self.rich_menu(rich_menu_id)
            if menu.image is not None:
                raise LineError(400, "An image has already been uploaded to the richmenu", outcome="failure")
            menu.image, menu.image_type = data, content_type

    def set_default_rich_menu(self, rich_menu_id: str) -> None:
        """Show this menu to every user without one of their own."""
        with self._lock:
            menu = self.rich_menu(rich_menu_id)
            if menu.image is None:
                raise LineError(400, "must upload richmenu image before applying it to user", outcome="failure")
            self.default_rich_menu_id = rich_menu_id

    def delete_rich_menu(self, rich_menu_id: str) -> None:
        """Delete a rich menu (and unset it as default)."""
        with self._lock:
            self.rich_menu(rich_menu_id)
            del self.rich_menus[rich_menu_id]
            if self.default_rich_menu_id == rich_menu_id:
                self.default_rich_menu_id = None

    def default_rich_menu(self) -> RichMenu | None:
        """The default rich menu, if one with an image is set."""
        with self._lock:
            return self.rich_menus.get(self.default_rich_menu_id or "")
