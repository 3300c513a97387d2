"""Signing in and out of the admin web."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from bot.admin import texts
from bot.admin.blueprint import bp, is_safe_next
from bot.admin.forms import LoginForm
from bot.admin.login_throttle import locked_until
from bot.admin.staff_accounts import find_staff, normalise_username
from bot.audit import client_ip, record_request
from bot.auth import verify_password
from bot.request_session import db
from models.timeutil import to_bangkok, utcnow
from services.audit import Action, record


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form; check the password unless the name, the address or the pair is locked out."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("admin.dashboard"))
    if not form.validate_on_submit():
        return render_template("admin/login.html", form=form, minimal=True)

    sql = db()
    username = normalise_username(form.username.data)[:80]
    ip = client_ip()
    now = utcnow()
    until = locked_until(sql, username=username, ip=ip, now=now)
    if until is not None:
        record(sql, username, Action.LOGIN_LOCKED, ip=ip)
        sql.commit()
        flash(texts.LOCKED_OUT.format(time=retry_time(until)), "error")
        page = render_template("admin/login.html", form=form, minimal=True)
        return page, 429, {"Retry-After": str(max(1, math.ceil((until - now).total_seconds())))}

    user = find_staff(sql, username)
    if not verify_password(user, form.password.data) or not user.is_active:
        reason = "inactive" if user is not None and not user.is_active else "credentials"
        record(sql, username, Action.LOGIN_FAILED, ip=ip, detail={"reason": reason})
        sql.commit()
        flash(texts.LOGIN_FAILED, "error")
        return render_template("admin/login.html", form=form, minimal=True), 401

    record(sql, username, Action.LOGIN_OK, object_type="staff_user", object_id=user.id, ip=ip)
    sql.commit()
    session.clear()  # a fresh session (and CSRF token) for the signed-in user
    session.permanent = True
    login_user(user)
    flash(texts.LOGGED_IN.format(name=user.full_name or user.username), "success")
    target = form.next.data
    return redirect(target if is_safe_next(target) else url_for("admin.dashboard"))


def retry_time(until: datetime) -> str:
    """The Bangkok time of day from which signing in is allowed again, rounded up to the minute (e.g. 10:45)."""
    local = to_bangkok(until)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return f"{local:%H:%M}"


@bp.post("/logout")
@login_required
def logout():
    """Sign out (a POST with the CSRF token, so another site cannot sign a user out)."""
    record_request(db(), Action.LOGOUT)  # the CSRF check has already run (bot.auth)
    db().commit()
    logout_user()
    session.clear()
    flash(texts.LOGGED_OUT, "success")
    return redirect(url_for("admin.login"))
