"""LINE groups of the network, one-time registration codes, and the network roll export (XLSX)."""

from __future__ import annotations

from flask import Response, abort, render_template, request, url_for
from flask_login import current_user

from bot.admin import network_texts as nt
from bot.admin.actions import Done, audit, finish
from bot.admin.blueprint import bp
from bot.admin.forms import GroupCodeForm
from bot.admin.network_queries import occupation_names, occupations, open_codes, registered_groups
from bot.admin.network_queries import unregistered_chats_statement as unregistered
from bot.admin.network_support import actor
from bot.audit import record_request
from bot.auth import Permission, can, require_permission
from bot.request_session import db
from models import GroupRegistrationCode
from models.periods import Period
from models.timeutil import be_year, to_bangkok, utcnow
from services.audit import Action
from services.network.groups import create_group_code

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REGISTER_COMMAND = "ลงทะเบียนกลุ่ม {code}"


def _code_form() -> GroupCodeForm:
    """The code form with the purposes and the active occupational groups as choices."""
    form = GroupCodeForm()
    form.purpose.choices = list(nt.PURPOSES.items())
    form.occupation.choices = [("", "– ไม่ระบุ / หลายกลุ่มอาชีพ –")] + [
        (o.code, o.name) for o in occupations(db()) if o.is_active
    ]
    return form


def _page(form: GroupCodeForm, new_code: GroupRegistrationCode | None = None):
    """Render the groups page (registered groups; unregistered chats and codes for managers)."""
    sql = db()
    manage = can(current_user, Permission.MANAGE_NETWORK)
    return render_template(
        "admin/network/groups.html",
        groups=registered_groups(sql),
        unregistered=list(sql.scalars(unregistered())) if manage else [],
        codes=open_codes(sql, utcnow()) if manage else [],
        form=form,
        new_code=new_code,
        command=REGISTER_COMMAND,
        occupation_names=occupation_names(sql),
        manage=manage,
    )


@bp.get("/network/groups")
@require_permission(Permission.VIEW_NETWORK)
def network_groups():
    """Registered groups (name, purpose, occupation, head count, registered, bot still in); codes for managers."""
    new_code = None
    new_id = request.args.get("new", type=int)
    if new_id and can(current_user, Permission.MANAGE_NETWORK):
        new_code = db().get(GroupRegistrationCode, new_id)
        new_code = new_code if new_code is not None and new_code.used_at is None else None
    return _page(_code_form(), new_code)


@bp.post("/network/groups/codes")
@require_permission(Permission.MANAGE_NETWORK)
def network_group_code():
    """Create a one-time group registration code (services.network.groups.create_group_code); audited."""
    sql = db()
    form = _code_form()
    if not form.validate_on_submit():
        return _page(form), 400
    code = create_group_code(
        sql,
        name=form.name.data,
        purpose=form.purpose.data,
        occupation=form.occupation.data or None,
        days=form.days.data,
        by=actor(),
    )
    entry = audit(Action.GROUP_CODE_CREATE, "group_code", code.id, days=form.days.data)
    to = url_for("admin.network_groups", new=code.id, _anchor="new-code")
    return finish(Done(nt.GROUP_CODE_CREATED.format(code=code.code), entry), to)


@bp.get("/network/roll.xlsx")
@require_permission(Permission.EXPORT_ROLL)
def network_roll():
    """The network roll as XLSX: reporter codes for everyone, names and phones with ?identities=1 (allowed roles).

    ?fy=2564 limits it to members registered by the end of that fiscal year. Every export is audited.
    """
    identities = request.args.get("identities") == "1"
    if identities and not can(current_user, Permission.VIEW_IDENTITIES):
        abort(403)
    year = request.args.get("fy", type=int)
    period = Period.of_fiscal_year(year) if year and 2500 <= year <= 2700 else None
    from reports.roll import roll_workbook  # openpyxl loads only when a roll is exported

    sql = db()
    data = roll_workbook(sql, with_identities=identities, period=period)
    record_request(
        sql,
        Action.VIEW_NETWORK_ROLL,
        object_type="network_roll",
        identities=identities,
        fiscal_year=period.fiscal_year if period else None,
    )
    sql.commit()
    today = to_bangkok(utcnow()).date()
    stamp = f"{be_year(today)}{today:%m%d}"
    name = f"network-roll-{'identities-' if identities else ''}{stamp}.xlsx"
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
