"""The bot's LINE messages as HTML for the browser: text, quick replies, templates, Flex, images.

Every value from a message is escaped (markupsafe); URLs other than http(s) and colours other
than #hex are dropped. Actions become buttons carrying the action as JSON in data-action, which
emulator.js performs (send text, postback, open the location form, ...).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from bot.emulator.transcript import action_label

COLOUR = re.compile(r"^#[0-9a-fA-F]{3,8}$")
FONT_SIZES = {
    "xxs": "0.65em",
    "xs": "0.75em",
    "sm": "0.875em",
    "md": "1em",
    "lg": "1.15em",
    "xl": "1.3em",
    "xxl": "1.5em",
    "3xl": "1.8em",
    "4xl": "2.1em",
    "5xl": "2.5em",
}


def safe_url(url: object) -> str:
    """The URL when it is http(s), else an empty string."""
    if isinstance(url, str) and urlsplit(url).scheme in ("http", "https"):
        return url
    return ""


def _colour(value: object) -> str | None:
    return value if isinstance(value, str) and COLOUR.match(value) else None


def multiline(text: object) -> Markup:
    """Escaped text with its line breaks kept."""
    return Markup("<br>").join(escape(line) for line in str(text).split("\n"))


def action_button(action: dict | None, css: str = "action") -> Markup:
    """A button that performs a LINE action when clicked."""
    if not isinstance(action, dict):
        return Markup("")
    return Markup('<button type="button" class="{css}" data-action="{data}">{label}</button>').format(
        css=css, data=json.dumps(action, ensure_ascii=False), label=action_label(action)
    )


def quick_reply_buttons(message: dict) -> Markup:
    """The quick reply buttons of a message (shown above the input while it is the newest)."""
    items = (message.get("quickReply") or {}).get("items") or []
    return Markup("").join(action_button(item.get("action"), "quick") for item in items if isinstance(item, dict))


def _image(url: object, css: str) -> Markup:
    src = safe_url(url)
    if not src:
        return Markup('<div class="{css} missing">[รูปภาพ]</div>').format(css=css)
    return Markup('<img class="{css}" src="{src}" alt="" loading="lazy">').format(css=css, src=src)


def _flex_text(component: dict) -> Markup:
    styles = []
    if component.get("size") in FONT_SIZES:
        styles.append(f"font-size:{FONT_SIZES[component['size']]}")
    if _colour(component.get("color")):
        styles.append(f"color:{component['color']}")
    if component.get("weight") == "bold":
        styles.append("font-weight:bold")
    if component.get("align") in ("center", "end"):
        styles.append("text-align:" + ("right" if component["align"] == "end" else "center"))
    if isinstance(component.get("flex"), int):
        styles.append(f"flex:{component['flex']}")
    if component.get("contents"):
        inner = Markup("").join(
            escape(span.get("text", "")) for span in component["contents"] if isinstance(span, dict)
        )
    else:
        inner = multiline(component.get("text", ""))
    return Markup('<div class="fx-text" style="{style}">{inner}</div>').format(style=";".join(styles), inner=inner)


def flex(component: object) -> Markup:
    """A Flex container or component as nested HTML, walking boxes recursively."""
    if not isinstance(component, dict):
        return Markup("")
    kind = component.get("type")
    if kind == "carousel":
        bubbles = Markup("").join(flex(bubble) for bubble in component.get("contents", []))
        return Markup('<div class="carousel">{}</div>').format(bubbles)
    if kind == "bubble":
        blocks = Markup("").join(
            Markup('<div class="fx-{name}">{inner}</div>').format(name=name, inner=flex(component[name]))
            for name in ("header", "hero", "body", "footer")
            if component.get(name)
        )
        action = component.get("action")
        data = Markup(' data-action="{}"').format(json.dumps(action, ensure_ascii=False)) if action else Markup("")
        return Markup('<div class="card fx-bubble"{data}>{blocks}</div>').format(data=data, blocks=blocks)
    if kind == "box":
        layout = component.get("layout") if component.get("layout") in ("horizontal", "baseline") else "vertical"
        styles = []
        if _colour(component.get("backgroundColor")):
            styles.append(f"background:{component['backgroundColor']}")
        if isinstance(component.get("flex"), int):
            styles.append(f"flex:{component['flex']}")
        children = Markup("").join(flex(child) for child in component.get("contents", []))
        action = component.get("action")
        data = Markup(' data-action="{}"').format(json.dumps(action, ensure_ascii=False)) if action else Markup("")
        return Markup('<div class="fx-box fx-{layout}" style="{style}"{data}>{children}</div>').format(
            layout=layout, style=";".join(styles), data=data, children=children
        )
    if kind == "text":
        return _flex_text(component)
    if kind == "button":
        style = "primary" if component.get("style") == "primary" else "link"
        return action_button(component.get("action"), f"action fx-button fx-{style}")
    if kind == "image":
        return _image(component.get("url"), "fx-image")
    if kind == "icon":
        return _image(component.get("url"), "fx-icon")
    if kind == "separator":
        return Markup('<hr class="fx-separator">')
    return Markup("")


def _template(template: dict) -> Markup:
    kind = template.get("type")
    if kind in ("buttons", "confirm"):
        parts = []
        if kind == "buttons" and template.get("thumbnailImageUrl"):
            parts.append(_image(template["thumbnailImageUrl"], "tpl-image"))
        if template.get("title"):
            parts.append(Markup('<div class="tpl-title">{}</div>').format(template["title"]))
        parts.append(Markup('<div class="tpl-text">{}</div>').format(multiline(template.get("text", ""))))
        buttons = Markup("").join(action_button(action) for action in template.get("actions", []))
        parts.append(Markup('<div class="tpl-actions tpl-{kind}">{buttons}</div>').format(kind=kind, buttons=buttons))
        return Markup('<div class="card tpl">{}</div>').format(Markup("").join(parts))
    if kind == "carousel":
        cards = Markup("").join(
            _template({"type": "buttons", **column})
            for column in template.get("columns", [])
            if isinstance(column, dict)
        )
        return Markup('<div class="carousel">{}</div>').format(cards)
    if kind == "image_carousel":
        cards = Markup("").join(
            Markup('<div class="card tpl">{image}{button}</div>').format(
                image=_image(column.get("imageUrl"), "tpl-image"), button=action_button(column.get("action"))
            )
            for column in template.get("columns", [])
            if isinstance(column, dict)
        )
        return Markup('<div class="carousel">{}</div>').format(cards)
    return Markup('<div class="bubble">[template]</div>')


def message(msg: dict) -> Markup:
    """One bot message as a chat bubble or card."""
    kind = msg.get("type")
    if kind in ("text", "textV2"):
        return Markup('<div class="bubble">{}</div>').format(multiline(msg.get("text", "")))
    if kind == "image":
        src = safe_url(msg.get("originalContentUrl"))
        return Markup('<a class="photo" href="{href}" target="_blank" rel="noopener">{img}</a>').format(
            href=src, img=_image(msg.get("previewImageUrl"), "photo")
        )
    if kind == "video":
        return Markup('<video class="photo" controls src="{}"></video>').format(safe_url(msg.get("originalContentUrl")))
    if kind == "audio":
        return Markup('<audio controls src="{}"></audio>').format(safe_url(msg.get("originalContentUrl")))
    if kind == "sticker":
        return Markup('<div class="sticker" title="{p}/{s}">สติกเกอร์</div>').format(
            p=msg.get("packageId"), s=msg.get("stickerId")
        )
    if kind == "location":
        return Markup(
            '<div class="bubble location"><b>{title}</b><br>{address}<br><small>{lat}, {lng}</small></div>'
        ).format(
            title=msg.get("title", ""),
            address=msg.get("address", ""),
            lat=msg.get("latitude"),
            lng=msg.get("longitude"),
        )
    if kind == "template":
        return _template(msg.get("template") or {})
    if kind == "flex":
        return flex(msg.get("contents"))
    if kind == "imagemap":
        return Markup('<div class="card">{img}<div class="tpl-text">{alt}</div></div>').format(
            img=_image((msg.get("baseUrl") or "") + "/1040", "tpl-image"), alt=msg.get("altText", "")
        )
    return Markup('<div class="bubble">[{kind}] {alt}</div>').format(kind=kind, alt=msg.get("altText", ""))
