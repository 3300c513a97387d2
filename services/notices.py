"""What a rule tells someone, as data: the caller renders a notice into LINE messages and sends it.

A service that must tell a group or a person something takes a ``notify`` callback and calls it with
the recipient's LINE id and a notice; the LINE handlers pass their push, the web, CLI and clock an
outbox writer (``runtime.delivery.notifier``). The wording lives in ``line/notices.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Notice:
    """The base of every notice."""


Notify = Callable[[str, Notice], None]
