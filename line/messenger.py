"""The Messenger: a small port over line-bot-sdk for everything FieldLine asks of LINE."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    Message,
    MessagingApi,
    MessagingApiBlob,
    MulticastRequest,
    PushMessageRequest,
    ReplyMessageRequest,
)
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

log = logging.getLogger(__name__)

LINE_API = "https://api.line.me"
LINE_DATA_API = "https://api-data.line.me"


class LineApiError(RuntimeError):
    """LINE answered with an error status (or could not be reached: status 0)."""

    def __init__(self, status: int, body: str = "", *, reached: bool = True):
        """Keep the status and LINE's error body (never the request, which may hold reports).

        reached=False says the request certainly never got to LINE (no connection was made).
        """
        super().__init__(f"LINE API error {status}")
        self.status = status
        self.body = body
        self.reached = reached

    @property
    def invalid_reply_token(self) -> bool:
        """Whether LINE refused a reply because its token was used or expired."""
        return self.status == 400 and "reply token" in self.body.lower()

    @property
    def retryable(self) -> bool:
        """Whether the same call may succeed later (rate limit, server error, network)."""
        return self.status in (0, 429) or self.status >= 500


def _never_connected(exc: BaseException) -> bool:
    """Whether a network failure happened before any byte could reach LINE (refused, unresolvable, connect timeout)."""
    reason = getattr(exc, "reason", None) or exc  # urllib3's MaxRetryError carries the last failure
    return isinstance(reason, NewConnectionError | ConnectTimeoutError | ConnectionRefusedError)


@dataclass(frozen=True)
class Content:
    """Bytes of a message's content and their type."""

    data: bytes
    content_type: str
    status: int = 200


class Messenger:
    """Reply, push, multicast, content, profiles and quota, through one configured ApiClient."""

    def __init__(self, access_token: str, base_url: str | None = None, timeout: float = 10.0, connections: int = 8):
        """Point every call at LINE, or at base_url (the emulator) when given.

        `connections` kept open to LINE: as many as the threads that call at once, else each call past
        the pool's size opens (and then drops) a connection of its own.
        """
        self._timeout = timeout
        configuration = Configuration(host=base_url, access_token=access_token)
        configuration.connection_pool_maxsize = connections
        self._client = ApiClient(configuration)
        self._api = MessagingApi(self._client)
        self._blob = MessagingApiBlob(self._client)

    def _call(self, function, *args, **kwargs):
        try:
            return function(*args, _request_timeout=self._timeout, **kwargs)
        except ApiException as exc:
            body = exc.body.decode("utf-8", "replace") if isinstance(exc.body, bytes) else str(exc.body or "")
            raise LineApiError(exc.status or 0, body) from None
        except OSError as exc:
            raise LineApiError(0, exc.__class__.__name__, reached=not _never_connected(exc)) from None
        except Exception as exc:  # urllib3 wraps network failures in its own exceptions
            if exc.__class__.__module__.startswith("urllib3"):
                raise LineApiError(0, exc.__class__.__name__, reached=not _never_connected(exc)) from None
            raise

    def reply(self, reply_token: str, messages: list[Message]) -> None:
        """Answer an event with its reply token (free of quota)."""
        self._call(self._api.reply_message, ReplyMessageRequest(reply_token=reply_token, messages=messages))

    def push(self, to: str, messages: list[Message], retry_key: str) -> None:
        """Push to a user, group or room; a repeat with the same retry key is not sent twice."""
        try:
            self._call(self._api.push_message, PushMessageRequest(to=to, messages=messages), x_line_retry_key=retry_key)
        except LineApiError as exc:
            if exc.status == 409:
                return  # LINE already accepted this retry key: the message went out
            raise

    def multicast(self, user_ids: list[str], messages: list[Message], retry_key: str) -> None:
        """Send the same messages to up to 500 users."""
        try:
            self._call(
                self._api.multicast,
                MulticastRequest(to=user_ids, messages=messages),
                x_line_retry_key=retry_key,
            )
        except LineApiError as exc:
            if exc.status != 409:
                raise

    def content(self, message_id: str) -> Content:
        """Download a message's image, video, audio or file (202 while LINE prepares it)."""
        response = self._call(self._blob.get_message_content_with_http_info, message_id)
        content_type = (response.headers or {}).get("Content-Type", "application/octet-stream")
        return Content(response.data or b"", content_type, response.status_code)

    def display_name(self, user_id: str, chat_id: str | None = None) -> str | None:
        """A user's display name from their profile, or from the group member profile."""
        try:
            if chat_id and chat_id.startswith("C"):
                profile = self._call(self._api.get_group_member_profile, chat_id, user_id)
            elif chat_id and chat_id.startswith("R"):
                profile = self._call(self._api.get_room_member_profile, chat_id, user_id)
            else:
                profile = self._call(self._api.get_profile, user_id)
        except LineApiError as exc:
            log.info("profile lookup failed with status %s", exc.status)
            return None
        return profile.display_name

    def group_summary(self, group_id: str):
        """A group's name and picture."""
        return self._call(self._api.get_group_summary, group_id)

    def group_member_count(self, group_id: str) -> int:
        """How many people are in a group."""
        return self._call(self._api.get_group_member_count, group_id).count

    def quota(self) -> tuple[int | None, int]:
        """This month's push quota (None when unlimited) and how much of it is used."""
        quota = self._call(self._api.get_message_quota)
        used = self._call(self._api.get_message_quota_consumption)
        return (quota.value if quota.type == "limited" else None), used.total_usage

    def link_rich_menu(self, user_id: str, rich_menu_id: str) -> None:
        """Show a rich menu to one user instead of the default (POST /v2/bot/user/{userId}/richmenu/{id})."""
        self._call(self._api.link_rich_menu_id_to_user, user_id, rich_menu_id)

    @property
    def api(self) -> MessagingApi:
        """The underlying MessagingApi, for calls the port does not wrap (rich menus)."""
        return self._api

    @property
    def blob(self) -> MessagingApiBlob:
        """The underlying MessagingApiBlob (content uploads and downloads)."""
        return self._blob
