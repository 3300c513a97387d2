"""The browser UI: pick a persona and a chat, talk to the bot, see its answers as LINE shows them.

Pages are rendered on the server; static/emulator.js polls /ui/state for new timeline entries
(rendered to HTML here) and posts what the persona does to /ui/act and /ui/photo. Posts must
carry the X-Emulator header, which a cross-site form cannot add.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, url_for
from markupsafe import Markup

from bot.emulator import personas, render
from bot.emulator.errors import EmulatorError, LineError
from bot.emulator.platform import Platform
from bot.emulator.records import Entry
from models.timeutil import to_bangkok

bp = Blueprint("ui", __name__, template_folder="templates")

BANGKOK_CENTRE = (13.7563, 100.5018)
PHOTO_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
BOT_AVATAR = "F"

SYSTEM_NOTES = {
    "follow": "{name} เพิ่ม {bot} เป็นเพื่อนแล้ว",
    "unfollow": "{name} บล็อก {bot}",
    "join": "{bot} เข้าร่วมกลุ่มแล้ว",
    "leave": "{bot} ถูกนำออกจากกลุ่ม",
    "memberJoined": "{members} เข้าร่วมกลุ่ม",
    "memberLeft": "{members} ออกจากกลุ่ม",
    "unsend": "{name} ยกเลิกข้อความ",
    "bot left": "{bot} ออกจากกลุ่ม",
}


def _platform() -> Platform:
    return current_app.extensions["line_emulator"]


def _resolve(persona_key: str, chat_key: str) -> tuple[str, str]:
    """The persona's user id and the chat id ("bot" is the one-to-one chat); 404 when unknown."""
    platform = _platform()
    try:
        person = personas.persona(persona_key)
        user_id = personas.user_id_of(platform, person.key)
        if chat_key == "bot":
            return user_id, user_id
        if chat_key not in person.groups:
            abort(404)
        return user_id, personas.chat_id_of(platform, chat_key)
    except (KeyError, StopIteration):
        abort(404)


def _chats_of(person: personas.Persona) -> list[tuple[str, str]]:
    """(key, Thai label) of the chats a persona can open."""
    return [("bot", "แชทกับบอท FieldLine")] + [(key, "กลุ่ม " + personas.group_plan(key).name) for key in person.groups]


@bp.get("/")
def index():
    """Choose who to be and which chat to open."""
    cards = [(person, _chats_of(person)) for person in personas.PERSONAS]
    return render_template("emulator/index.html", cards=cards)


@bp.get("/chat/<persona_key>/<chat_key>")
def chat(persona_key: str, chat_key: str):
    """One chat, as the persona sees it."""
    user_id, chat_id = _resolve(persona_key, chat_key)
    platform = _platform()
    person = personas.persona(persona_key)
    return render_template(
        "emulator/chat.html",
        person=person,
        chat_key=chat_key,
        chat_title=platform.bot_name if chat_key == "bot" else platform.chat_name(chat_id),
        is_group=chat_key != "bot",
        chats=_chats_of(person),
        bot_name=platform.bot_name,
        default_location=BANGKOK_CENTRE,
    )


def _names(platform: Platform, event: dict, key: str) -> str:
    members = (event.get(key) or {}).get("members") or []
    return ", ".join(platform.name_of(member.get("userId")) for member in members)


def _user_html(entry: Entry) -> Markup:
    """What a user sent, as a bubble."""
    event = entry.event or {}
    if event.get("type") == "postback":
        if entry.note:
            return Markup('<div class="bubble">{}</div>').format(entry.note)
        return Markup('<div class="bubble postback">แตะปุ่ม · <code>{}</code></div>').format(event["postback"]["data"])
    message = event.get("message") or {}
    kind = message.get("type")
    if kind == "text":
        return Markup('<div class="bubble">{}</div>').format(render.multiline(message["text"]))
    if kind in ("image", "video", "audio"):
        src = url_for("ui.content", message_id=message["id"])
        if kind != "image":
            return Markup('<div class="bubble">[{kind}]</div>').format(kind=kind)
        return Markup('<img class="photo" src="{}" alt="">').format(src)
    if kind == "location":
        return Markup('<div class="bubble location">{title}<br><small>{lat:.5f}, {lng:.5f}</small></div>').format(
            title=message.get("title") or "ตำแหน่งที่ตั้ง", lat=message["latitude"], lng=message["longitude"]
        )
    if kind == "sticker":
        return Markup('<div class="sticker">สติกเกอร์</div>')
    return Markup('<div class="bubble">[{}]</div>').format(kind)


def _entry_json(platform: Platform, entry: Entry, viewer: str) -> dict:
    """One timeline entry for the browser: who, which side, the HTML and the time."""
    when = to_bangkok(entry.at).strftime("%H:%M")
    if entry.origin == "bot" and entry.delivery is not None:
        html = Markup("").join(render.message(m) for m in entry.delivery.messages)
        method = entry.delivery.method
        return {
            "seq": entry.seq,
            "side": "bot",
            "name": platform.bot_name,
            "avatar": BOT_AVATAR,
            "html": html,
            "time": when,
            "method": method,
        }
    if entry.origin == "system" or entry.event is None:
        event = entry.event or {}
        template = SYSTEM_NOTES.get(entry.note or event.get("type", ""), "{note}")
        text = template.format(
            name=platform.name_of(entry.user_id),
            bot=platform.bot_name,
            members=_names(platform, event, "joined" if event.get("type") == "memberJoined" else "left"),
            note=entry.note or "",
        )
        return {"seq": entry.seq, "side": "system", "html": Markup("{}").format(text), "time": when}
    name = platform.name_of(entry.user_id)
    side = "me" if entry.user_id == viewer else "them"
    return {"seq": entry.seq, "side": side, "name": name, "avatar": name[:1], "html": _user_html(entry), "time": when}


def _quick_replies(entries: list[Entry]) -> Markup:
    """The newest message's quick reply buttons, while nothing came after it."""
    if not entries or entries[-1].origin != "bot" or entries[-1].delivery is None:
        return Markup("")
    messages = entries[-1].delivery.messages
    return render.quick_reply_buttons(messages[-1]) if messages else Markup("")


def _rich_menu(platform: Platform, user_id: str, chat_id: str) -> dict | None:
    """The rich menu the user sees in this chat (theirs, else the default; none in groups and rooms)."""
    menu = platform.rich_menu_shown(user_id, chat_id)
    if menu is None:
        return None
    size = menu.body.get("size") or {}
    width, height = size.get("width") or 1, size.get("height") or 1
    areas = []
    for area in menu.body.get("areas", []):
        bounds = area.get("bounds") or {}
        areas.append(
            {
                "left": 100 * bounds.get("x", 0) / width,
                "top": 100 * bounds.get("y", 0) / height,
                "width": 100 * bounds.get("width", 0) / width,
                "height": 100 * bounds.get("height", 0) / height,
                "action": json.dumps(area.get("action") or {}, ensure_ascii=False),
                "label": (area.get("action") or {}).get("label", ""),
            }
        )
    return {
        "id": menu.rich_menu_id,
        "image": url_for("ui.rich_menu_image", rich_menu_id=menu.rich_menu_id),
        "chat_bar_text": menu.body.get("chatBarText") or "เมนู",
        "selected": bool(menu.body.get("selected")),
        "ratio": 100 * height / width,
        "areas": areas,
    }


@bp.get("/ui/state")
def state():
    """New timeline entries of a chat (after ?after=seq) and the chat's current state."""
    platform = _platform()
    user_id, chat_id = _resolve(request.args.get("persona", ""), request.args.get("chat", ""))
    after = request.args.get("after", default=0, type=int)
    everything = platform.entries(chat_id)
    user = platform.user(user_id)
    chat_obj = platform.chats.get(chat_id)
    menu = _rich_menu(platform, user_id, chat_id)
    return jsonify(
        {
            "entries": [_entry_json(platform, entry, user_id) for entry in everything if entry.seq > after],
            "last": everything[-1].seq if everything else after,
            "quick": _quick_replies(everything),
            "friend": user.is_friend,
            "blocked": user.has_blocked,
            "pc": user.pc,
            "bot_in_chat": chat_obj.bot_is_member if chat_obj else not user.has_blocked,
            "richmenu_id": menu["id"] if menu else None,
            "richmenu": render_template("emulator/_richmenu.html", menu=menu) if menu else "",
        }
    )


def _require_header() -> None:
    """Refuse posts without X-Emulator (a cross-site form cannot set it)."""
    if request.headers.get("X-Emulator") != "1":
        abort(403)


def _error(message: str, status: int = 409) -> tuple[Response, int]:
    return jsonify({"error": message}), status


@bp.post("/ui/act")
def act():
    """Do what the persona did: text, postback, location, sticker, follow, block, invite or remove the bot."""
    _require_header()
    data = request.get_json(silent=True) or {}
    platform = _platform()
    user_id, chat_id = _resolve(str(data.get("persona", "")), str(data.get("chat", "")))
    kind = data.get("kind")
    try:
        if chat_id != user_id:
            platform.user(user_id).pc = bool(data.get("pc"))
        if kind == "text":
            text = str(data.get("text", "")).strip("\n")
            if not text.strip():
                return _error("พิมพ์ข้อความก่อนส่ง", 400)
            platform.send_text(user_id, chat_id, text)
        elif kind == "postback":
            params = data.get("params") if isinstance(data.get("params"), dict) else None
            display = data.get("displayText") or None
            platform.postback(user_id, chat_id, str(data.get("data", "")), params=params, display_text=display)
        elif kind == "location":
            latitude, longitude = float(data["latitude"]), float(data["longitude"])
            if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                return _error("พิกัดไม่ถูกต้อง", 400)
            title = str(data.get("title") or "") or None
            address = str(data.get("address") or "") or None
            platform.share_location(user_id, chat_id, latitude, longitude, title=title, address=address)
        elif kind == "sticker":
            platform.send_sticker(user_id, chat_id)
        elif kind == "follow":
            platform.follow(user_id)
        elif kind == "unfollow":
            platform.unfollow(user_id)
        elif kind == "invite":
            platform.bot_joins(chat_id)
        elif kind == "remove":
            platform.bot_removed(chat_id)
        else:
            return _error("ไม่รู้จักคำสั่งนี้", 400)
    except EmulatorError as exc:
        return _error(str(exc))
    except (KeyError, TypeError, ValueError):
        return _error("ข้อมูลไม่ครบหรือไม่ถูกต้อง", 400)
    return jsonify({"ok": True}), 202


@bp.post("/ui/photo")
def photo():
    """The persona sends one or more photos (a multipart upload; several make an imageSet)."""
    _require_header()
    platform = _platform()
    user_id, chat_id = _resolve(request.form.get("persona", ""), request.form.get("chat", ""))
    files = [f for f in request.files.getlist("photo") if f and f.filename]
    if not files:
        return _error("เลือกรูปภาพก่อน", 400)
    images = []
    for upload in files:
        if upload.mimetype not in PHOTO_TYPES:
            return _error("รองรับเฉพาะไฟล์รูปภาพ (JPEG, PNG, GIF, WebP)", 400)
        images.append((upload.read(), upload.mimetype))
    try:
        if chat_id != user_id:
            platform.user(user_id).pc = request.form.get("pc") == "1"
        platform.send_images(user_id, chat_id, images)
    except EmulatorError as exc:
        return _error(str(exc))
    return jsonify({"ok": True}), 202


@bp.get("/ui/content/<message_id>")
def content(message_id: str):
    """A photo a persona sent, for the chat view."""
    try:
        found = _platform().content(message_id)
    except LineError:
        abort(404)
    return Response(found.data, mimetype=found.content_type)


@bp.get("/ui/richmenu/<rich_menu_id>/image")
def rich_menu_image(rich_menu_id: str):
    """A rich menu's image."""
    menu = _platform().rich_menus.get(rich_menu_id)
    if menu is None or menu.image is None:
        abort(404)
    return Response(menu.image, mimetype=menu.image_type)
