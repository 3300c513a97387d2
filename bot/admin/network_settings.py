"""The network's settings, occupational groups and report categories (admin and secretariat)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from bot.admin import network_texts as nt
from bot.admin.blueprint import bp
from bot.admin.network_queries import categories, occupations
from bot.admin.network_support import actor
from bot.admin.request_session import db
from bot.auth import Permission, require_permission
from models.settings import DEFAULTS, get_setting
from services.audit import Action, record_request
from services.network import members as network


def _settings_rows(values: dict | None = None) -> list[dict]:
    """Each network setting with its label, hint, kind, default and current (or typed) value."""
    sql = db()
    rows = []
    for key in network.network_setting_keys():
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
    raw = {key: request.form.get(key, "") for key in network.network_setting_keys()}
    for key in raw:
        if isinstance(DEFAULTS[key], bool):
            raw[key] = key in request.form
    changed, errors = network.save_network_settings(sql, raw, by=actor())
    if errors:
        flash(nt.SETTINGS_INVALID, "error")
        return _render(_settings_rows(raw), errors, 400)
    if changed:
        record_request(sql, Action.NETWORK_SETTINGS, object_type="setting", keys=changed)
        sql.commit()
        flash(nt.SETTINGS_SAVED.format(count=len(changed)), "success")
    else:
        flash(nt.SETTINGS_UNCHANGED, "message")
    return redirect(url_for("admin.network_settings"))


def _save_list_entry(kind: str, code: str, create: bool):
    """Add or change an occupational group or a category from the posted form; audited."""
    sql = db()
    form = request.form
    common = {
        "name": form.get("name", ""),
        "sort_order": _order(form.get("sort_order")),
        "is_active": "is_active" in form,
        "create": create,
    }
    try:
        if kind == "occupation":
            entry = network.save_occupation(sql, code, **common)
        else:
            entry = network.save_category(sql, code, keywords=form.get("keywords", ""), **common)
    except network.NetworkError as problem:
        sql.rollback()
        flash(str(problem), "error")
        return redirect(url_for("admin.network_settings", _anchor=f"{kind}-list"))
    record_request(
        sql, Action.NETWORK_LIST_UPDATE, object_type=kind, object_id=entry.code, created=create, active=entry.is_active
    )
    sql.commit()
    flash((nt.LIST_ADDED if create else nt.LIST_SAVED).format(name=entry.name), "success")
    return redirect(url_for("admin.network_settings", _anchor=f"{kind}-{entry.code}"))


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
