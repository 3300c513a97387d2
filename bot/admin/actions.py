"""One shape for the admin's audited work: change through a service, audit, commit, tell the user, go back.

A POST view decorated with `audited(back)` calls the services and returns `Done(message, audit(...))`;
the decorator records the audit entry, commits, flashes the Thai message and redirects (to `Done.to`,
or back). A service's refusal (a ValueError subclass carrying a Thai message, or `Refused` raised by
the view) is rolled back, flashed as an error, and the user goes back. A view may return any other
response (a form with its errors) and it passes through untouched. A view that also answers GET calls
`perform(work, back)` for its POST; one that shows form errors in the page calls `finish(done, back)`
once the change went through. `audited_page` renders a page whose viewing is audited.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from bot.admin.blueprint import is_safe_next
from bot.audit import record_request
from bot.request_session import db


@dataclass(frozen=True)
class Audit:
    """One audit entry to record for the current request."""

    action: str
    object_type: str | None = None
    object_id: object = None
    detail: Mapping[str, object] = field(default_factory=dict)

    def record(self) -> None:
        """Add the entry to the request's session, on behalf of the signed-in user (committed by the caller)."""
        record_request(db(), self.action, object_type=self.object_type, object_id=self.object_id, **self.detail)


def audit(action: str, object_type: str | None = None, object_id: object = None, **detail: object) -> Audit:
    """An audit entry: the action, the kind and id of the object, and any detail."""
    return Audit(action, object_type, object_id, detail)


@dataclass(frozen=True)
class Done:
    """What a change did: the Thai message to flash, its audit entry (if any), where to go when not back,
    and what to do once it is committed (wake the worker, delete files)."""

    message: str
    audit: Audit | None = None
    to: str | None = None
    category: str = "success"
    after: Callable[[], object] | None = None


class Refused(ValueError):
    """A change the page refuses, with the Thai reason to show (flashed as an error, like a service's refusal)."""


Back = str | Callable[..., str]


def back_url(back: Back, view_args: Mapping[str, object]) -> str:
    """The page to go back to: an endpoint ('admin.wg_meeting#items') filled from the view's URL arguments."""
    if callable(back):
        return back(**view_args)
    endpoint, _, anchor = back.partition("#")
    wanted = set().union(*(rule.arguments for rule in current_app.url_map.iter_rules(endpoint)))
    return url_for(endpoint, _anchor=anchor or None, **{k: v for k, v in view_args.items() if k in wanted})


def next_or(default: str) -> str:
    """The form's safe ?next= target (the list the button was pressed on), else the default URL."""
    target = request.form.get("next")
    return target if is_safe_next(target) else default


def perform(
    work: Callable[[], Done | ResponseReturnValue],
    back: str,
    errors: tuple[type[Exception], ...] = (ValueError,),
) -> ResponseReturnValue:
    """Run one change: on Done audit, commit, flash and redirect; on a service error roll back, flash it, go back."""
    sql = db()
    try:
        outcome = work()
    except errors as error:
        sql.rollback()
        flash(thai_reason(error), "error")
        return redirect(back)
    if not isinstance(outcome, Done):
        return outcome
    return finish(outcome, back)


UNREADABLE_INPUT = "ข้อมูลที่กรอกไม่ถูกต้อง กรุณาตรวจสอบช่องที่กรอกแล้วลองใหม่อีกครั้ง"


def thai_reason(error: Exception) -> str:
    """A refusal's Thai message; Python's own English (int('abc'), a bad date) becomes a Thai request to check."""
    message = str(error)
    return message if any("\u0e00" <= char <= "\u0e7f" for char in message) else UNREADABLE_INPUT


def finish(outcome: Done, back: str) -> ResponseReturnValue:
    """After a change that went through: record its audit entry, commit, flash its message, redirect."""
    if outcome.audit is not None:
        outcome.audit.record()
    db().commit()
    if outcome.after is not None:
        outcome.after()
    if outcome.message:
        flash(outcome.message, outcome.category)
    return redirect(outcome.to or back)


def audited(back: Back, *, errors: tuple[type[Exception], ...] = (ValueError,)):
    """Decorate a POST view that returns Done, so it is audited, committed, flashed and redirected (see perform)."""

    def decorate(view):
        @wraps(view)
        def run(**view_args):
            return perform(lambda: view(**view_args), back_url(back, view_args), errors)

        return run

    return decorate


def audited_page(template: str, entry: Audit, **context: object) -> str:
    """Render a page whose viewing is audited, storing the audit entry before the page leaves."""
    entry.record()
    html = render_template(template, **context)
    db().commit()
    return html
