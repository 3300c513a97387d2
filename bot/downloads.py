"""GET /d/<token>: a document behind a signed, expiring link (runtime/downloads.py), audited.

Each kind of document registers the function that produces it (``@producer("kpi-report")``); the
function gets the request's session and the link's Download and returns a File, or None when the
document no longer exists. A link that is forged, garbled or expired serves nothing and says so in
Thai. Kinds marked ``login=True`` (an evidence pack holds personal data) also need a signed-in staff
member with the secretariat's permission.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Response, current_app, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from bot.admin.blueprint import secure_headers
from bot.audit import record_request
from bot.auth import Permission, can
from bot.request_session import db
from runtime.downloads import Download, LinkExpired, LinkInvalid, download_link, read_token

bp = Blueprint("downloads", __name__)
bp.after_request(secure_headers)

MIMETYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}
AUDIT_ACTION = "download.signed_link"


@dataclass(frozen=True)
class File:
    """A produced document: its download name (Thai allowed) and bytes, or a file on disk to stream."""

    filename: str
    content: bytes = b""
    path: Path | None = None  # a large file (an evidence pack) is streamed from disk, never read whole


@dataclass(frozen=True)
class Producer:
    """How one kind of document is made, and whether its link also needs a signed-in secretariat."""

    make: Callable[..., File | None]
    login: bool


PRODUCERS: dict[str, Producer] = {}


def producer(kind: str, *, login: bool = False):
    """Register the function that makes the documents of one kind."""

    def register(make: Callable[..., File | None]) -> Callable[..., File | None]:
        PRODUCERS[kind] = Producer(make=make, login=login)
        return make

    return register


def signed_link(*, kind: str, ref: object, fmt: str, made_for: str, **extra) -> str:
    """An absolute signed link to one document, from a request or from the app's PUBLIC_BASE_URL."""
    config = current_app.config
    return download_link(
        config["PUBLIC_BASE_URL"], config["SECRET_KEY"], kind=kind, ref=str(ref), fmt=fmt, made_for=made_for, **extra
    )


def attachment(file: File, fmt: str) -> Response:
    """The file as a download, its Thai name encoded as RFC 5987 asks."""
    mimetype = MIMETYPES.get(fmt, "application/octet-stream")
    if file.path is not None:
        response = send_file(file.path, mimetype=mimetype, max_age=0)
    else:
        response = Response(file.content, mimetype=mimetype)
    ascii_name = file.filename.encode("ascii", "ignore").decode() or f"fieldline.{fmt}"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file.filename)}"
    )
    return response


def _gone(message: str, status: int) -> tuple[str, int]:
    return render_template("download_gone.html", message=message), status


@bp.get("/d/<token>")
def download(token: str):
    """Serve the document a valid link names; audit who fetched it."""
    try:
        wanted: Download = read_token(current_app.config["SECRET_KEY"], token)
    except LinkExpired:
        return _gone("ลิงก์นี้หมดอายุแล้ว กรุณาขอลิงก์ใหม่จากเจ้าหน้าที่สำนักงานเลขานุการ หรือดาวน์โหลดจากหน้าผู้ดูแล", 410)
    except LinkInvalid:
        return _gone("ลิงก์นี้ไม่ถูกต้อง กรุณาเปิดจากข้อความหรือหน้าที่ได้รับลิงก์มาอีกครั้ง", 404)
    made = PRODUCERS.get(wanted.kind)
    if made is None or wanted.fmt not in MIMETYPES:
        return _gone("ไม่พบเอกสารตามลิงก์นี้", 404)
    if made.login:
        if not current_user.is_authenticated:
            return redirect(url_for("admin.login", next=request.full_path))
        if not can(current_user, Permission.VIEW_SCHEDULER):
            return _gone("เอกสารนี้เปิดได้เฉพาะผู้ดูแลระบบและสำนักงานเลขานุการ", 403)
    session = db()
    file = made.make(session, wanted)
    if file is None:
        return _gone("ไม่พบเอกสารตามลิงก์นี้ (อาจถูกลบไปแล้ว)", 404)
    record_request(
        session, AUDIT_ACTION, object_type=wanted.kind, object_id=wanted.ref, fmt=wanted.fmt, made_for=wanted.made_for
    )
    session.commit()
    return attachment(file, wanted.fmt)
