"""The office profile page (/admin/office): what every letter prints, the letters' bodies, the letter register.

Admin and the secretariat (``manage_office``). The forms carry Flask-WTF's CSRF token; services/office.py
checks the values and answers in Thai on the page (nothing is stored while any field is wrong), stores the
changed settings and audits them.
"""

from __future__ import annotations

from flask import flash, render_template, request, url_for
from flask_login import current_user

from bot.admin.actions import Done, finish
from bot.admin.blueprint import bp
from bot.admin.forms import LetterTemplatesForm, OfficeForm
from bot.audit import client_ip
from bot.auth import Permission, require_permission
from bot.request_session import db
from models.office import OfficeProfile
from models.timeutil import fiscal_year, to_bangkok, utcnow
from reports.documents import letter_templates
from services.letters import register
from services.office import OfficeError, office_profile, save_letter_templates, save_office_profile
from texts import letters as lt
from texts import office as t


def _profile_form() -> OfficeForm:
    """The profile form filled with the stored profile."""
    return OfficeForm(formdata=None, data=office_profile(db()).values())


def _templates_form() -> LetterTemplatesForm:
    """The bodies form: the office's own template of each kind, else the built-in one to start from."""
    sql = db()
    data = {
        kind: letter_templates.stored_template(sql, kind) or letter_templates.default_template(kind)
        for kind in letter_templates.KINDS
    }
    return LetterTemplatesForm(formdata=None, data=data)


def _page(profile_form: OfficeForm | None = None, templates_form: LetterTemplatesForm | None = None, status=200):
    """The page: the profile form, the bodies with their placeholders, the fiscal year's register."""
    sql = db()
    year = request.args.get("fy", type=int) or fiscal_year(to_bangkok(utcnow()).date())
    html = render_template(
        "admin/office.html",
        form=profile_form or _profile_form(),
        templates_form=templates_form or _templates_form(),
        profile=office_profile(sql),
        hints={name: hint for name, (_, hint) in t.LABELS.items()},
        placeholders=lt.PLACEHOLDERS,
        letters=register(sql, year),
        year=year,
        t=t,
    )
    return html, status


def _actor() -> str:
    return current_user.username


@bp.get("/office")
@require_permission(Permission.MANAGE_OFFICE)
def office():
    """The office profile, the letters' bodies and this fiscal year's letters."""
    return _page()


@bp.post("/office")
@require_permission(Permission.MANAGE_OFFICE)
def office_save():
    """Check and store the office profile; errors are answered in Thai beside their fields."""
    form = OfficeForm()
    if not form.validate():
        flash(t.INVALID, "error")
        return _page(profile_form=form, status=400)
    values = {name: (form[name].data or "") for name in OfficeProfile.__dataclass_fields__ if name != "thai_digits"}
    profile = OfficeProfile(**values, thai_digits=bool(form.thai_digits.data))
    sql = db()
    try:
        changed = save_office_profile(sql, profile, _actor(), ip=client_ip())
    except OfficeError as error:
        sql.rollback()
        for name, reason in error.errors.items():
            form[name].errors = [reason]
        flash(t.INVALID, "error")
        return _page(profile_form=form, status=400)
    message = t.SAVED.format(count=len(changed)) if changed else t.UNCHANGED
    return finish(Done(message, category="success" if changed else "message"), url_for("admin.office"))


@bp.post("/office/templates")
@require_permission(Permission.MANAGE_OFFICE)
def office_templates_save():
    """Check and store the letters' bodies; a bad placeholder is answered in Thai beside its template."""
    form = LetterTemplatesForm()
    if not form.validate():
        flash(t.TEMPLATES_INVALID, "error")
        return _page(templates_form=form, status=400)
    sql = db()
    texts = {kind: form[kind].data or "" for kind in letter_templates.KINDS}
    try:
        changed = save_letter_templates(sql, texts, _actor(), ip=client_ip())
    except OfficeError as error:
        sql.rollback()
        for kind, reason in error.errors.items():
            form[kind].errors = [reason]
        flash(t.TEMPLATES_INVALID, "error")
        return _page(templates_form=form, status=400)
    message = t.TEMPLATES_SAVED.format(count=len(changed)) if changed else t.TEMPLATES_UNCHANGED
    to = url_for("admin.office", _anchor="templates")
    return finish(Done(message, category="success" if changed else "message"), to)
