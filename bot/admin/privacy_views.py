"""PDPA pages: the data register, and a person's rights from their member page (export, erasure); audited.

Export and erasure are for roles with EXPORT_PERSONAL_DATA / ERASE_PERSONAL_DATA (admin): the export
holds more than any other role may see (original photos with their metadata, who looked at the person
in the audit log), and an erasure cannot be undone. The domain work is services/privacy/.
"""

from __future__ import annotations

import tempfile

from flask import Response, current_app, render_template, request, url_for

from bot.admin import privacy_texts as pt
from bot.admin.actions import Done, Refused, audit, audited, audited_page
from bot.admin.blueprint import bp
from bot.admin.network_queries import occupation_names
from bot.admin.network_support import visible_or_404
from bot.audit import record_request
from bot.auth import Permission, require_permission
from bot.request_session import db
from models import Member
from models.timeutil import utcnow
from services.audit import Action
from services.media_store import MediaStore
from services.privacy import retention
from services.privacy.erasure import erase
from services.privacy.export import export_counts, export_name, write_export
from services.privacy.holdings import gather
from services.privacy.person import pseudonym


def _store() -> MediaStore:
    return MediaStore(current_app.config["MEDIA_DIR"])


@bp.record_once
def _template_globals(state) -> None:
    """The PDPA pages' Thai text for every template (the member page's rights card)."""
    state.app.jinja_env.globals.update(privacy_texts=pt)


@bp.get("/privacy")
@require_permission()
def privacy():
    """The data register: each kind of personal data, why it is held, for how long (live settings), who sees it."""
    sql = db()
    rules = retention.Rules.load(sql)
    html = render_template(
        "admin/privacy.html",
        rows=pt.register_rows(rules),
        pt=pt,
        export_roles=pt.roles_holding("EXPORT_PERSONAL_DATA"),
        erase_roles=pt.roles_holding("ERASE_PERSONAL_DATA"),
    )
    return html


@bp.post("/members/<int:member_id>/export")
@require_permission(Permission.EXPORT_PERSONAL_DATA)
def member_export(member_id: int):
    """Everything held about one member as a ZIP (JSON and their photos and files); audited."""
    sql = db()
    person = visible_or_404(Member, member_id)
    now = utcnow()
    target = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _stream once the response is sent
    try:
        summary = write_export(sql, person, target, now, _store())
    except BaseException:
        target.close()
        raise
    record_request(
        sql,
        Action.VIEW_PERSONAL_DATA_EXPORT,
        object_type="member",
        object_id=person.id,
        files=summary.files,
        **summary.counts,
    )
    sql.commit()
    size = target.tell()
    response = Response(_stream(target), mimetype="application/zip")
    response.headers["Content-Length"] = str(size)
    response.headers["Content-Disposition"] = f"attachment; filename={export_name(person, now)}"
    response.headers["Cache-Control"] = "no-store, private"
    return response


def _stream(handle, chunk: int = 256 * 1024):
    """The temporary file's bytes from the start, closing (and so deleting) it at the end."""
    try:
        handle.seek(0)
        while data := handle.read(chunk):
            yield data
    finally:
        handle.close()


@bp.get("/members/<int:member_id>/erase")
@require_permission(Permission.ERASE_PERSONAL_DATA)
def member_erase_confirm(member_id: int):
    """The confirmation page: what is held (counts), what goes and what stays, and the typed confirmation."""
    sql = db()
    person = visible_or_404(Member, member_id)
    held = gather(sql, person)
    return audited_page(
        "admin/privacy_erase.html",
        audit(Action.VIEW_MEMBER, "member", person.id, page="erase"),
        member=person,
        counts=export_counts(held),
        alias=pseudonym(person),
        occupation_names=occupation_names(sql),
        pt=pt,
    )


@bp.post("/members/<int:member_id>/erase")
@require_permission(Permission.ERASE_PERSONAL_DATA)
@audited("admin.member_erase_confirm")
def member_erase(member_id: int):
    """Erase one member's personal data once the reporter code is typed; audited; files deleted after the commit."""
    person = visible_or_404(Member, member_id)
    code = person.reporter_code
    if (request.form.get("confirm") or "").strip().upper() != code:
        raise Refused(pt.ERASE_MISMATCH.format(code=code))
    erasure = erase(db(), person, utcnow())
    return Done(
        pt.ERASED.format(code=code),
        audit(Action.PERSONAL_DATA_ERASE, "member", person.id, **erasure.counts),
        to=url_for("admin.member", member_id=person.id),
        after=lambda: retention.sweep_files(current_app.extensions["fieldline"].sessions, _store()),
    )
