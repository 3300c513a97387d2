"""Rich menus on the emulated platform: create, image, default, per-user links, delete (a mixin of Platform).

As LINE does it: a menu is applied (as default or to a user) only once its image is uploaded; a
user's own menu wins over the default; deleting a menu unlinks it from its users; a rich menu is
shown only in the one-to-one chat with the bot, never in groups or rooms.
"""

from __future__ import annotations

from bot.emulator import ids
from bot.emulator.errors import LineError
from bot.emulator.records import RichMenu, User

MAX_BULK_USERS = 500  # userIds of one bulk link or unlink request
NO_IMAGE = "must upload richmenu image before applying it to user"


class RichMenus:
    """The channel's rich menus, its default one, and the menus linked to single users."""

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

    def _applicable(self, rich_menu_id: str) -> RichMenu:
        """A menu that may be shown to users: it exists (404) and has its image (400)."""
        menu = self.rich_menu(rich_menu_id)
        if menu.image is None:
            raise LineError(400, NO_IMAGE, outcome="failure")
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
            self.default_rich_menu_id = self._applicable(rich_menu_id).rich_menu_id

    def delete_rich_menu(self, rich_menu_id: str) -> None:
        """Delete a rich menu (unset it as default and unlink it from its users)."""
        with self._lock:
            self.rich_menu(rich_menu_id)
            del self.rich_menus[rich_menu_id]
            if self.default_rich_menu_id == rich_menu_id:
                self.default_rich_menu_id = None
            for user in self.users.values():
                if user.rich_menu_id == rich_menu_id:
                    user.rich_menu_id = None

    def default_rich_menu(self) -> RichMenu | None:
        """The default rich menu, if one with an image is set."""
        with self._lock:
            return self.rich_menus.get(self.default_rich_menu_id or "")

    # ----- per-user links ---------------------------------------------------------------

    def _channel_user(self, user_id: str) -> User:
        """A user of this channel (who has added the bot, even if they blocked it since); 404 otherwise."""
        user = self.users.get(user_id)
        if user is None or not (user.is_friend or user.has_blocked):
            raise LineError(404, "Not found")
        return user

    def link_rich_menu(self, user_id: str, rich_menu_id: str) -> None:
        """Show this menu to one user instead of the default."""
        with self._lock:
            menu = self._applicable(rich_menu_id)
            self._channel_user(user_id).rich_menu_id = menu.rich_menu_id

    def unlink_rich_menu(self, user_id: str) -> None:
        """Take a user's own menu away: they see the default again."""
        with self._lock:
            self._channel_user(user_id).rich_menu_id = None

    def linked_rich_menu_id(self, user_id: str) -> str:
        """The id of the menu linked to a user; 404 when none is (the default does not count)."""
        with self._lock:
            menu_id = self._channel_user(user_id).rich_menu_id
            if menu_id is None:
                raise LineError(404, "the user has no richmenu")
            return menu_id

    def link_rich_menu_to_users(self, user_ids: list[str], rich_menu_id: str) -> None:
        """Bulk link (LINE accepts it and applies it later; users not in the channel are skipped)."""
        _check_bulk(user_ids)
        with self._lock:
            menu = self._applicable(rich_menu_id)
            for user_id in user_ids:
                user = self.users.get(user_id)
                if user is not None and (user.is_friend or user.has_blocked):
                    user.rich_menu_id = menu.rich_menu_id

    def unlink_rich_menu_from_users(self, user_ids: list[str]) -> None:
        """Bulk unlink (users not in the channel are skipped)."""
        _check_bulk(user_ids)
        with self._lock:
            for user_id in user_ids:
                user = self.users.get(user_id)
                if user is not None:
                    user.rich_menu_id = None

    def rich_menu_shown(self, user_id: str, chat_id: str) -> RichMenu | None:
        """The menu a user sees in a chat: theirs, else the default, and none at all in groups and rooms."""
        if chat_id != user_id:
            return None
        with self._lock:
            user = self.users.get(user_id)
            own = self.rich_menus.get(user.rich_menu_id or "") if user is not None else None
            menu = own or self.default_rich_menu()
            return menu if menu is not None and menu.image is not None else None


def _check_bulk(user_ids: list[str]) -> None:
    """400 unless 1 to 500 user ids are given."""
    if not 1 <= len(user_ids) <= MAX_BULK_USERS:
        raise LineError(
            400,
            "The request body has 1 error(s)",
            [{"message": f"Size must be between 1 and {MAX_BULK_USERS}", "property": "userIds"}],
            outcome="failure",
        )
