"""The Messaging API routes (api.line.me and api-data.line.me paths), checked against the spec.

Every request is matched to an operation of messaging-api.yml, then checked as LINE would:
the bearer token, declared headers (X-Line-Retry-Key must be a UUID), the JSON body against the
operation's schema with discriminators resolved, then the documented limits the spec omits.
An invalid request gets LINE's error JSON and is recorded as a failure; a valid one is handed
to the operation's handler. Operations without a handler answer 501 and count as failures.
"""

from __future__ import annotations

import functools
import io
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from bot.emulator import ids, limits, spec
from bot.emulator.errors import LineError
from bot.emulator.faults import Fault
from bot.emulator.platform import Platform

log = logging.getLogger(__name__)

bp = Blueprint("line_api", __name__)
API_METHODS = ["GET", "POST", "PUT", "DELETE"]
RICH_MENU_IMAGE_TYPES = ("image/jpeg", "image/png")


@dataclass(frozen=True)
class ApiCall:
    """A checked request, as a handler sees it."""

    platform: Platform
    args: dict[str, str]
    body: Any
    raw: bytes
    content_type: str
    request_id: str
    retry_key: str | None


Handler = Callable[[ApiCall], Any]
HANDLERS: dict[str, Handler] = {}


def handles(*operation_ids: str) -> Callable[[Handler], Handler]:
    """Register the handler of one or more operationIds."""

    def decorate(handler: Handler) -> Handler:
        for operation_id in operation_ids:
            HANDLERS[operation_id] = handler
        return handler

    return decorate


@functools.lru_cache(maxsize=4)
def _routes(spec_key: str) -> tuple[Map, dict[str, spec.Operation]]:
    """A werkzeug URL map of every operation in the spec (static segments win over parameters)."""
    operations = {op.operation_id: op for op in spec.messaging_api().operations()}
    rules = [
        Rule(op.path.replace("{", "<").replace("}", ">"), methods=[op.method], endpoint=op.operation_id)
        for op in operations.values()
    ]
    return Map(rules, strict_slashes=False), operations


def _match(method: str, path: str) -> tuple[spec.Operation, dict[str, str]]:
    """The operation a request addresses; 404 (or 405) otherwise."""
    url_map, operations = _routes(str(spec.spec_dir()))
    try:
        operation_id, args = url_map.bind("api.line.me").match(path, method=method)
    except (NotFound, MethodNotAllowed):
        raise LineError(404, "Not found", outcome="failure") from None
    return operations[operation_id], args


def _authorize(platform: Platform, header: str | None) -> None:
    """401 unless Authorization is 'Bearer <the channel access token>'."""
    if not header:
        raise LineError(
            401,
            "Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'",
            outcome="failure",
        )
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or token.strip() != platform.access_token:
        raise LineError(
            401,
            "Authentication failed. Confirm that the access token in the authorization header is valid.",
            outcome="failure",
        )


def _check_headers(operation: spec.Operation, headers) -> str | None:
    """Validate the operation's declared header parameters; return the retry key, if any."""
    for parameter in operation.parameters:
        if parameter.get("in") != "header":
            continue
        name = parameter["name"]
        value = headers.get(name)
        if value is None:
            if parameter.get("required"):
                raise LineError(400, f"The '{name}' header is required", outcome="failure")
            continue
        if spec.messaging_api().validate_value(parameter.get("schema") or {}, value):
            raise LineError(400, f"The value for the '{name}' header is invalid", outcome="failure")
    retry_key = headers.get("X-Line-Retry-Key")
    if retry_key is not None and spec.messaging_api().validate_value({"type": "string", "format": "uuid"}, retry_key):
        raise LineError(400, "The value for the 'X-Line-Retry-Key' header is invalid", outcome="failure")
    return retry_key


def _parse_body(operation: spec.Operation, req) -> tuple[Any, bytes]:
    """The body: parsed JSON for JSON operations, raw bytes for uploads; 413, 415 and bad JSON refused."""
    if req.content_length is not None and req.content_length > limits.MAX_BODY_BYTES:
        raise LineError(413, "Request Entity Too Large", outcome="failure")
    raw = req.get_data(cache=True)
    if len(raw) > limits.MAX_BODY_BYTES:
        raise LineError(413, "Request Entity Too Large", outcome="failure")
    if operation.body_media_type is None:
        return None, raw
    if operation.body_media_type != "application/json":
        if operation.body_required and not raw:
            raise LineError(400, "The request body is empty", outcome="failure")
        return None, raw
    if req.mimetype != "application/json":
        raise LineError(415, "Unsupported Media Type: use application/json", outcome="failure")
    try:
        return json.loads(raw), raw
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise LineError(
            400, "The request body has 1 error(s)", [{"message": "Invalid JSON"}], outcome="failure"
        ) from None


def request_problems(operation: spec.Operation | str, body: Any) -> list[spec.Problem]:
    """Every problem of a JSON body for an operation: the schema (discriminators resolved), then the limits."""
    if isinstance(operation, str):
        operation = _routes(str(spec.spec_dir()))[1][operation]
    problems = spec.messaging_api().validate(operation.body_schema, body) if operation.body_schema else []
    reported = {problem.property for problem in problems}
    problems += [p for p in limits.check_request(operation.operation_id, body) if p.property not in reported]
    return problems


def _check_body(operation: spec.Operation, body: Any) -> None:
    """400 with LINE's details when the body breaks the schema or a documented limit."""
    if operation.body_media_type != "application/json":
        return
    problems = request_problems(operation, body)
    if problems:
        details = [problem.as_detail() for problem in problems]
        raise LineError(400, f"The request body has {len(details)} error(s)", details, outcome="failure")


def _respond(result: Any, request_id: str) -> Response:
    """Turn a handler's result (dict, Response or None) into LINE's response."""
    response = result if isinstance(result, Response) else jsonify(result if result is not None else {})
    response.headers["x-line-request-id"] = request_id
    return response


def handle(platform: Platform) -> Response:
    """Answer one Messaging API request as LINE would, recording it."""
    request_id = ids.request_id()
    operation_id = None
    retry_key = request.headers.get("X-Line-Retry-Key")
    body = None
    try:
        operation, args = _match(request.method, request.path)
        operation_id = operation.operation_id
        _authorize(platform, request.headers.get("Authorization"))
        retry_key = _check_headers(operation, request.headers)
        body, raw = _parse_body(operation, request)
        _check_body(operation, body)
        handler = HANDLERS.get(operation_id)
        if handler is None:
            raise LineError(501, f"{operation_id} is not emulated", outcome="failure")
        call = ApiCall(platform, args, body, raw, request.mimetype or "", request_id, retry_key)
        fault = platform.faults.take(operation_id)
        if fault is None:
            response, outcome = _respond(handler(call), request_id), "ok"
        else:
            response, outcome = _suffer(fault, handler, call), "fault"
    except LineError as error:
        platform.record_call(
            method=request.method,
            path=request.path,
            operation_id=operation_id,
            status=error.status,
            outcome=error.outcome,
            message=error.message,
            details=error.details,
            retry_key=retry_key,
            request_id=request_id,
            body=body,
        )
        log.info("LINE API %s %s -> %s (%s)", request.method, operation_id or "unknown", error.status, error.outcome)
        response = jsonify(error.body())
        response.status_code = error.status
        response.headers.update(error.headers)
        response.headers["x-line-request-id"] = request_id
        return response
    platform.record_call(
        method=request.method,
        path=request.path,
        operation_id=operation_id,
        status=response.status_code,
        outcome=outcome,
        retry_key=retry_key,
        request_id=request_id,
        body=body,
    )
    return response


def _suffer(fault: Fault, handler: Handler, call: ApiCall) -> Response:
    """Answer a call as a fault says (bot/emulator/faults.py): deliver or not, late, with an error status."""
    result = handler(call) if fault.deliver else None
    if fault.delay:
        time.sleep(fault.delay)  # outside the platform's lock: other calls go on meanwhile
    if fault.status is None:
        response = _respond(result if fault.deliver else handler(call), call.request_id)
    else:
        response = jsonify({"message": fault.message})
        response.status_code = fault.status
        response.headers["x-line-request-id"] = call.request_id
    delivered = fault.deliver or fault.status is None
    if delivered and fault.operation == "replyMessage" and (fault.delay or fault.status is not None):
        call.platform.answer_lost(call.body["replyToken"])
    return response


@bp.route("/v2/<path:_rest>", methods=API_METHODS)
@bp.route("/bot/<path:_rest>", methods=API_METHODS)
def serve(_rest: str) -> Response:
    """Every Messaging API and content path."""
    return handle(current_app.extensions["line_emulator"])


# ----- operations -------------------------------------------------------------------------


@handles("replyMessage")
def reply_message(call: ApiCall) -> dict:
    """POST /v2/bot/message/reply."""
    delivery = call.platform.reply(call.body["replyToken"], call.body["messages"], call.request_id)
    return {"sentMessages": list(delivery.sent)}


@handles("pushMessage")
def push_message(call: ApiCall) -> dict:
    """POST /v2/bot/message/push."""
    delivery = call.platform.push(call.body["to"], call.body["messages"], call.request_id, call.retry_key)
    return {"sentMessages": list(delivery.sent)}


@handles("multicast")
def multicast(call: ApiCall) -> dict:
    """POST /v2/bot/message/multicast."""
    call.platform.multicast(call.body["to"], call.body["messages"], call.request_id, call.retry_key)
    return {}


@handles("broadcast")
def broadcast(call: ApiCall) -> dict:
    """POST /v2/bot/message/broadcast."""
    call.platform.broadcast(call.body["messages"], call.request_id, call.retry_key)
    return {}


@handles("validateReply", "validatePush", "validateMulticast", "validateBroadcast", "validateRichMenuObject")
def validate_only(call: ApiCall) -> dict:
    """The validate endpoints: the checks already ran, so the body is valid."""
    return {}


@handles("getProfile")
def get_profile(call: ApiCall) -> dict:
    """GET /v2/bot/profile/{userId}."""
    return call.platform.profile(call.args["userId"])


@handles("getGroupMemberProfile")
def get_group_member_profile(call: ApiCall) -> dict:
    """GET /v2/bot/group/{groupId}/member/{userId}."""
    return call.platform.member_profile(call.args["groupId"], call.args["userId"])


@handles("getRoomMemberProfile")
def get_room_member_profile(call: ApiCall) -> dict:
    """GET /v2/bot/room/{roomId}/member/{userId}."""
    return call.platform.member_profile(call.args["roomId"], call.args["userId"])


@handles("getGroupSummary")
def get_group_summary(call: ApiCall) -> dict:
    """GET /v2/bot/group/{groupId}/summary."""
    return call.platform.group_summary(call.args["groupId"])


@handles("getGroupMemberCount", "getRoomMemberCount")
def get_member_count(call: ApiCall) -> dict:
    """GET /v2/bot/group/{groupId}/members/count and the room equivalent."""
    return call.platform.member_count(call.args.get("groupId") or call.args["roomId"])


@handles("leaveGroup", "leaveRoom")
def leave_chat(call: ApiCall) -> dict:
    """POST /v2/bot/group/{groupId}/leave and the room equivalent."""
    call.platform.leave_chat(call.args.get("groupId") or call.args["roomId"])
    return {}


@handles("getMessageQuota")
def get_quota(call: ApiCall) -> dict:
    """GET /v2/bot/message/quota."""
    return call.platform.quota()


@handles("getMessageQuotaConsumption")
def get_consumption(call: ApiCall) -> dict:
    """GET /v2/bot/message/quota/consumption."""
    return call.platform.consumption()


@handles("getBotInfo")
def get_bot_info(call: ApiCall) -> dict:
    """GET /v2/bot/info."""
    return {
        "userId": call.platform.bot_user_id,
        "basicId": "@fieldline",
        "displayName": call.platform.bot_name,
        "chatMode": "bot",
        "markAsReadMode": "manual",
    }


@handles("showLoadingAnimation")
def show_loading(call: ApiCall) -> Response:
    """POST /v2/bot/chat/loading/start (LINE answers 202)."""
    return _accepted()


@handles("getMessageContent", "getMessageContentPreview")
def get_content(call: ApiCall) -> Response:
    """GET /v2/bot/message/{messageId}/content: 200 bytes, 202 while preparing, 404, 410."""
    content = call.platform.content(call.args["messageId"])
    if content.state == "preparing":
        return Response(b"", status=202)
    return Response(content.data, mimetype=content.content_type)


@handles("getMessageContentTranscodingByMessageId")
def get_transcoding(call: ApiCall) -> dict:
    """GET /v2/bot/message/{messageId}/content/transcoding."""
    content = call.platform.content(call.args["messageId"])
    return {"status": {"preparing": "processing", "failed": "failed"}.get(content.state, "succeeded")}


@handles("createRichMenu")
def create_rich_menu(call: ApiCall) -> dict:
    """POST /v2/bot/richmenu."""
    return {"richMenuId": call.platform.create_rich_menu(call.body)}


@handles("getRichMenu")
def get_rich_menu(call: ApiCall) -> dict:
    """GET /v2/bot/richmenu/{richMenuId}."""
    return call.platform.rich_menu(call.args["richMenuId"]).as_response()


@handles("deleteRichMenu")
def delete_rich_menu(call: ApiCall) -> dict:
    """DELETE /v2/bot/richmenu/{richMenuId}."""
    call.platform.delete_rich_menu(call.args["richMenuId"])
    return {}


@handles("getRichMenuList")
def list_rich_menus(call: ApiCall) -> dict:
    """GET /v2/bot/richmenu/list."""
    return {"richmenus": [menu.as_response() for menu in list(call.platform.rich_menus.values())]}


@handles("setRichMenuImage")
def set_rich_menu_image(call: ApiCall) -> dict:
    """POST /v2/bot/richmenu/{richMenuId}/content: a JPEG or PNG of at most 1 MB, the menu's size."""
    menu = call.platform.rich_menu(call.args["richMenuId"])
    if call.content_type not in RICH_MENU_IMAGE_TYPES:
        raise LineError(415, "Unsupported Media Type: use image/jpeg or image/png", outcome="failure")
    if len(call.raw) > limits.MAX_RICH_MENU_IMAGE_BYTES:
        raise LineError(413, "Request Entity Too Large", outcome="failure")
    size = _image_size(call.raw)
    wanted = menu.body.get("size") or {}
    if size is None:
        raise LineError(400, "The image could not be read", outcome="failure")
    if size != (wanted.get("width"), wanted.get("height")):
        raise LineError(400, "The size of the image does not match the size of the rich menu", outcome="failure")
    call.platform.set_rich_menu_image(menu.rich_menu_id, call.raw, call.content_type)
    return {}


@handles("getRichMenuImage")
def get_rich_menu_image(call: ApiCall) -> Response:
    """GET /v2/bot/richmenu/{richMenuId}/content."""
    menu = call.platform.rich_menu(call.args["richMenuId"])
    if menu.image is None:
        raise LineError(404, "Not found")
    return Response(menu.image, mimetype=menu.image_type)


@handles("setDefaultRichMenu")
def set_default_rich_menu(call: ApiCall) -> dict:
    """POST /v2/bot/user/all/richmenu/{richMenuId}."""
    call.platform.set_default_rich_menu(call.args["richMenuId"])
    return {}


@handles("getDefaultRichMenuId")
def get_default_rich_menu(call: ApiCall) -> dict:
    """GET /v2/bot/user/all/richmenu."""
    menu = call.platform.default_rich_menu()
    if menu is None:
        raise LineError(404, "no default richmenu")
    return {"richMenuId": menu.rich_menu_id}


@handles("cancelDefaultRichMenu")
def cancel_default_rich_menu(call: ApiCall) -> dict:
    """DELETE /v2/bot/user/all/richmenu."""
    call.platform.default_rich_menu_id = None
    return {}


@handles("linkRichMenuIdToUser")
def link_rich_menu(call: ApiCall) -> dict:
    """POST /v2/bot/user/{userId}/richmenu/{richMenuId}."""
    call.platform.link_rich_menu(call.args["userId"], call.args["richMenuId"])
    return {}


@handles("unlinkRichMenuIdFromUser")
def unlink_rich_menu(call: ApiCall) -> dict:
    """DELETE /v2/bot/user/{userId}/richmenu."""
    call.platform.unlink_rich_menu(call.args["userId"])
    return {}


@handles("getRichMenuIdOfUser")
def get_rich_menu_of_user(call: ApiCall) -> dict:
    """GET /v2/bot/user/{userId}/richmenu: the menu linked to the user (404 when none)."""
    return {"richMenuId": call.platform.linked_rich_menu_id(call.args["userId"])}


@handles("linkRichMenuIdToUsers")
def link_rich_menu_to_users(call: ApiCall) -> Response:
    """POST /v2/bot/richmenu/bulk/link (LINE answers 202)."""
    call.platform.link_rich_menu_to_users(call.body["userIds"], call.body["richMenuId"])
    return _accepted()


@handles("unlinkRichMenuIdFromUsers")
def unlink_rich_menu_from_users(call: ApiCall) -> Response:
    """POST /v2/bot/richmenu/bulk/unlink (LINE answers 202)."""
    call.platform.unlink_rich_menu_from_users(call.body["userIds"])
    return _accepted()


def _accepted() -> Response:
    """An empty 202 Accepted."""
    response = jsonify({})
    response.status_code = 202
    return response


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of an image, or None when it is not one."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError):
        return None
