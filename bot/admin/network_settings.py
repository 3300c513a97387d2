"""The network's settings, occupational groups and report categories (admin and secretariat)."""

from __future__ import annotations

from flask import flash, render_template, request, url_for

from bot.admin import network_texts as nt
from bot.admin.actions import Done, audit, finish, perform
from bot.admin.blueprint import bp
from bot.admin.network_queries import categories, occupations
from bot.admin.network_support import actor
from bot.auth import Permission, require_permission
from bot.request_session import db
from models.settings import DEFAULTS, get_setting
from services.audit import Action
from services.network.catalogue import save_category, save_occupation
from services.network.settings import network_setting_keys, save_network_settings


def _settings_rows(values: dict | None = None) -> list[dict]:
    """Each network setting with its label, hint, kind, default and current (or typed) value."""
    sql = db()
    rows = []
    for key in network_setting_keys():
        default = DEFAULTS[key]
        value = get_setting(sql, key) if values is None else values.get(key, "")
        if isinstance(value, list):
            value = "\n".join(value)
        kind = "bool" if isinstance(default, bool) else "int" if isinstance(default, int) else type(default).__name__
        label, hint = nt.SETTING_LABELS.get(key, (key, ""))
        rows.append({"key": key, "label": label, "hint": hint, "kind": kind, "value": value, "default": default})
    return rows


def _render(rows: list[dict], errors: dict[str, str] | None = None, status: int = 200):
    sql = db()
    page = render_template(
        "admin/network/settings.html",
        rows=rows,
        errors=errors or {},
        occupations=occupations(sql),
        categories=categories(sql),
    )
    return page, status


def _order(raw: str | None) -> int:
    """A list position typed in a form (0 when blank or not a number)."""
    try:
        return max(-9999, min(int((raw or "").strip()), 9999))
    except ValueError:
        return 0


@bp.get("/network/settings")
@require_permission(Permission.MANAGE_NETWORK)
def network_settings():
    """The settings form and the lists of occupational groups and categories."""
    return _render(_settings_rows())


@bp.post("/network/settings")
@require_permission(Permission.MANAGE_NETWORK)
def network_settings_save():
    """Validate and store the network settings; nothing is stored when any value is wrong; audited."""
    sql = db()
    raw = {key: request.form.get(key, "") for key in network_setting_keys()}
    for key in raw:
        if isinstance(DEFAULTS[key], bool):
            raw[key] = key in request.form
    changed, errors = save_network_settings(sql, raw, by=actor())
    if errors:
        flash(nt.SETTINGS_INVALID, "error")
        return _render(_settings_rows(raw), errors, 400)
    if changed:
        done = Done(
            nt.SETTINGS_SAVED.format(count=len(changed)), audit(Action.NETWORK_SETTINGS, "setting", keys=changed)
        )
    else:
        done = Done(nt.SETTINGS_UNCHANGED, category="message")
    return finish(done, url_for("admin.network_settings"))


def _save_list_entry(kind: str, code: str, create: bool):
    """Add or change an occupational group or a category from the posted form; audited."""
    return perform(lambda: _saved_entry(kind, code, create), url_for("admin.network_settings", _anchor=f"{kind}-list"))


def _saved_entry(kind: str, code: str, create: bool) -> Done:
    sql = db()
    form = request.form
    common = {
        "name": form.get("name", ""),
        "sort_order": _order(form.get("sort_order")),
        "is_active": "is_active" in form,
        "create": create,
    }
    if kind == "occupation":
        entry = save_occupation(sql, code, **common)
    else:
        entry = save_category(sql, code, keywords=form.get("keywords", ""), **common)
    return Done(
        (nt.LIST_ADDED if create else nt.LIST_SAVED).format(name=entry.name),
        audit(Action.NETWORK_LIST_UPDATE, kind, entry.code, created=create, active=entry.is_active),
        to=url_for("admin.network_settings", _anchor=f"{kind}-{entry.code}"),
    )


@bp.post("/network/occupations")
@require_permission(Permission.MANAGE_NETWORK)
def network_occupation_add():
    """Add an occupational group."""
    return _save_list_entry("occupation", request.form.get("code", ""), create=True)


@bp.post("/network/occupations/<code>")
@require_permission(Permission.MANAGE_NETWORK)
def network_occupation_save(code: str):
    """Rename, reorder, retire or restore an occupational group."""
    return _save_list_entry("occupation", code, create=False)


@bp.post("/network/categories")
@require_permission(Permission.MANAGE_NETWORK)
def network_category_add():
    """Add a report category."""
    return _save_list_entry("category", request.form.get("code", ""), create=True)


@bp.post("/network/categories/<code>")
@require_permission(Permission.MANAGE_NETWORK)
def network_category_save(code: str):
    """Change a report category's name, keywords, order or whether the bot offers it."""
    return _save_list_entry("category", code, create=False)
