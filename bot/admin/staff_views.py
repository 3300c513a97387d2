"""Staff management (admin only): accounts, roles, districts, deactivation and API tokens."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from bot.admin import texts
from bot.admin.actions import Done, Refused, audit, audited, audited_page, finish
from bot.admin.blueprint import bp
from bot.admin.forms import StaffCreateForm, StaffEditForm, TokenForm
from bot.admin.staff_accounts import StaffAccountError, create_staff_user, update_staff_user
from bot.api.tokens import issue_token, revoke_token
from bot.audit import record_request
from bot.auth import Permission, require_permission
from bot.request_session import db
from models import ApiToken, Role, StaffUser
from models.timeutil import utcnow
from services.audit import Action


def _staff_or_404(user_id: int) -> StaffUser:
    """The staff account with this id, or a 404."""
    user = db().get(StaffUser, user_id)
    if user is None:
        abort(404)
    return user


def _detail_page(user: StaffUser, *, form: StaffEditForm | None = None, new_token: str | None = None, status=200):
    """Render one account's page: the edit form, its tokens, and a just-issued token shown once."""
    if form is None:
        data = {"full_name": user.full_name, "role": user.role.value, "districts": user.districts}
        form = StaffEditForm(formdata=None, data=data)
    tokens = sorted(user.tokens, key=lambda token: token.id, reverse=True)
    html = render_template(
        "admin/staff_detail.html",
        user=user,
        form=form,
        tokens=tokens,
        token_form=TokenForm(formdata=None),
        new_token=new_token,
    )
    return html, status


@bp.get("/staff")
@require_permission(Permission.MANAGE_STAFF)
def staff_list():
    """List staff accounts."""
    sql = db()
    users = list(sql.scalars(select(StaffUser).order_by(StaffUser.is_active.desc(), StaffUser.username)))
    return audited_page("admin/staff_list.html", audit(Action.VIEW_STAFF, "staff_user", count=len(users)), users=users)


@bp.route("/staff/new", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_STAFF)
def staff_new():
    """Create a staff account."""
    form = StaffCreateForm()
    if form.validate_on_submit():
        sql = db()
        try:
            user = create_staff_user(
                sql,
                username=form.username.data,
                password=form.password.data,
                role=form.role.data,
                full_name=form.full_name.data or "",
                districts=form.districts.data or [],
            )
        except StaffAccountError as error:
            sql.rollback()
            form.form_errors.append(str(error))
        else:
            entry = audit(Action.STAFF_CREATE, "staff_user", user.id, role=user.role.value)
            done = Done(texts.STAFF_CREATED.format(username=user.username), entry)
            return finish(done, url_for("admin.staff_detail", user_id=user.id))
    return render_template("admin/staff_new.html", form=form)


@bp.route("/staff/<int:user_id>", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_STAFF)
def staff_detail(user_id: int):
    """Show and change one account (name, role, districts, password)."""
    sql = db()
    user = _staff_or_404(user_id)
    form = StaffEditForm()
    if not form.is_submitted():
        return _detail_page(user)
    if not form.validate():
        return _detail_page(user, form=form, status=400)
    if user.id == current_user.id and form.role.data != Role.ADMIN.value:
        form.form_errors.append(texts.CANNOT_CHANGE_SELF)
        return _detail_page(user, form=form, status=400)
    try:
        changed = update_staff_user(
            sql,
            user,
            role=form.role.data,
            full_name=form.full_name.data or "",
            districts=form.districts.data or [],
            new_password=form.new_password.data or None,
        )
    except StaffAccountError as error:
        sql.rollback()
        form.form_errors.append(str(error))
        return _detail_page(_staff_or_404(user_id), form=form, status=400)
    entry = audit(Action.STAFF_UPDATE, "staff_user", user.id, changed=sorted(changed)) if changed else None
    done = Done(texts.STAFF_UPDATED.format(username=user.username), entry)
    return finish(done, url_for("admin.staff_detail", user_id=user.id))


@bp.post("/staff/<int:user_id>/active")
@require_permission(Permission.MANAGE_STAFF)
@audited("admin.staff_detail")
def staff_toggle_active(user_id: int):
    """Deactivate an account (signing it out everywhere and disabling its tokens), or activate it again."""
    user = _staff_or_404(user_id)
    if user.id == current_user.id:
        raise Refused(texts.CANNOT_CHANGE_SELF)
    user.is_active = not user.is_active
    action = Action.STAFF_ACTIVATE if user.is_active else Action.STAFF_DEACTIVATE
    message = texts.STAFF_ACTIVATED if user.is_active else texts.STAFF_DEACTIVATED
    return Done(message.format(username=user.username), audit(action, "staff_user", user.id))


@bp.post("/staff/<int:user_id>/tokens")
@require_permission(Permission.MANAGE_STAFF)
def staff_token_create(user_id: int):
    """Issue an API token and show it on this response only (it is not stored, so it cannot be shown again)."""
    sql = db()
    user = _staff_or_404(user_id)
    form = TokenForm()
    if not form.validate_on_submit():
        return _detail_page(user, status=400)
    token, plain = issue_token(sql, user, form.name.data)
    record_request(sql, Action.TOKEN_CREATE, object_type="api_token", object_id=token.id, user_id=user.id)
    sql.commit()
    return _detail_page(user, new_token=plain)


@bp.post("/staff/<int:user_id>/tokens/<int:token_id>/revoke")
@require_permission(Permission.MANAGE_STAFF)
@audited("admin.staff_detail")
def staff_token_revoke(user_id: int, token_id: int):
    """Revoke one API token."""
    token = db().get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        abort(404)
    if not revoke_token(token, utcnow()):
        raise Refused(texts.TOKEN_ALREADY_REVOKED)
    entry = audit(Action.TOKEN_REVOKE, "api_token", token.id, user_id=user_id)
    return Done(texts.TOKEN_REVOKED.format(name=token.name), entry)
