"""The spool's dead letters: webhook bodies that could not be replayed, with their reasons.

A dead letter may hold an informant's message, so the list is for roles that may see rejected bodies
and every view is audited; putting one back in the spool (after a fix) or deleting it is audited too.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from bot.admin.blueprint import bp
from bot.admin.request_session import db
from bot.auth import Permission, require_permission
from services.audit import Action, record_request

PREVIEW_CHARACTERS = 4000


def _spool():
    """This process's spool (its dead letters are on this host's disk)."""
    return current_app.extensions["fieldline"].intake.spool


def _preview(name: str) -> str:
    """The start of a dead letter's body as text (empty when there is none)."""
    body = _spool().dead_body(name) or b""
    return body.decode("utf-8", errors="replace")[:PREVIEW_CHARACTERS]


@bp.get("/dead-letters")
@require_permission(Permission.VIEW_REJECTED)
def dead_letters():
    """List the spool's dead letters, newest first, and audit the view (their bodies may hold reports)."""
    sql = db()
    letters = _spool().dead_letters()
    previews = {letter.name: _preview(letter.name) for letter in letters[:100]}
    record_request(sql, Action.VIEW_DEAD_LETTERS, object_type="dead_letter", count=len(previews))
    html = render_template("admin/dead_letters.html", letters=letters[:100], total=len(letters), previews=previews)
    sql.commit()
    return html


@bp.post("/dead-letters/<name>/requeue")
@require_permission(Permission.RETRY_EVENTS)
def dead_letter_requeue(name: str):
    """Put a dead letter back in the spool, to be replayed on the next round."""
    sql = db()
    if not _spool().requeue(name):
        abort(404)
    record_request(sql, Action.DEAD_LETTER_REQUEUE, object_type="dead_letter", object_id=name)
    sql.commit()
    flash("นำกลับเข้าคิวแล้ว ระบบจะลองบันทึกอีกครั้งในรอบถัดไป", "success")
    return redirect(url_for("admin.dead_letters"))


@bp.post("/dead-letters/<name>/discard")
@require_permission(Permission.RETRY_EVENTS)
def dead_letter_discard(name: str):
    """Delete a dead letter for good, once inspected."""
    sql = db()
    if request.form.get("confirm") != "yes":
        flash("กรุณายืนยันก่อนลบ", "error")
        return redirect(url_for("admin.dead_letters"))
    if not _spool().discard(name):
        abort(404)
    record_request(sql, Action.DEAD_LETTER_DISCARD, object_type="dead_letter", object_id=name)
    sql.commit()
    flash("ลบรายการนี้แล้ว", "success")
    return redirect(url_for("admin.dead_letters"))
