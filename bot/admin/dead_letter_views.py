"""The spool's dead letters: webhook bodies that could not be replayed, with their reasons.

A dead letter may hold an informant's message, so the list is for roles that may see rejected bodies
and every view is audited; putting one back in the spool (after a fix) or deleting it is audited too.
"""

from __future__ import annotations

from flask import abort, current_app, request

from bot.admin.actions import Done, Refused, audit, audited, audited_page
from bot.admin.blueprint import bp
from bot.auth import Permission, require_permission
from services.audit import Action

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
    letters = _spool().dead_letters()
    previews = {letter.name: _preview(letter.name) for letter in letters[:100]}
    entry = audit(Action.VIEW_DEAD_LETTERS, "dead_letter", count=len(previews))
    return audited_page("admin/dead_letters.html", entry, letters=letters[:100], total=len(letters), previews=previews)


@bp.post("/dead-letters/<name>/requeue")
@require_permission(Permission.RETRY_EVENTS)
@audited("admin.dead_letters")
def dead_letter_requeue(name: str):
    """Put a dead letter back in the spool, to be replayed on the next round."""
    if not _spool().requeue(name):
        abort(404)
    entry = audit(Action.DEAD_LETTER_REQUEUE, "dead_letter", name)
    return Done("นำกลับเข้าคิวแล้ว ระบบจะลองบันทึกอีกครั้งในรอบถัดไป", entry)


@bp.post("/dead-letters/<name>/discard")
@require_permission(Permission.RETRY_EVENTS)
@audited("admin.dead_letters")
def dead_letter_discard(name: str):
    """Delete a dead letter for good, once inspected."""
    if request.form.get("confirm") != "yes":
        raise Refused("กรุณายืนยันก่อนลบ")
    if not _spool().discard(name):
        abort(404)
    return Done("ลบรายการนี้แล้ว", audit(Action.DEAD_LETTER_DISCARD, "dead_letter", name))
