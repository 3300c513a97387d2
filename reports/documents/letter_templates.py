"""The editable bodies of official letters: per kind, named placeholders such as {office} or {camera}.

A template is stored in the setting ``letters.template.<kind>`` (blank: the built-in text of texts/letters.py).
``problem`` answers in Thai what is wrong with a template (unbalanced braces, an unknown or non-plain
placeholder) so the office page can refuse it; ``paragraphs`` fills a template with a letter's values and
falls back to the built-in text when a stored one cannot be filled, so a letter is never refused.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping

from sqlalchemy.orm import Session

from models.settings import get_setting
from texts import letters as t

KINDS = tuple(t.DEFAULT_TEMPLATES)
MAX_LENGTH = 6000


def setting_key(kind: str) -> str:
    """The settings key of a kind's template, e.g. 'letters.template.coordination'."""
    return f"letters.template.{kind}"


def default_template(kind: str) -> str:
    """The built-in body of a kind (texts/letters.py)."""
    return t.DEFAULT_TEMPLATES[kind]


def stored_template(session: Session, kind: str) -> str:
    """The office's own template of a kind ('' when it uses the built-in text)."""
    return str(get_setting(session, setting_key(kind)) or "").strip()


def _fields(template: str) -> list[str]:
    """The placeholders of a template, in order (ValueError when its braces do not pair)."""
    names = []
    for _, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            raise LookupError(name)
        names.append(name)
    return names


def problem(kind: str, template: str) -> str | None:
    """What is wrong with a template of a kind, in Thai; None when it can be used (blank: the built-in text)."""
    text = template.strip()
    if not text:
        return None
    if len(text) > MAX_LENGTH:
        return t.TEMPLATE_TOO_LONG.format(limit=MAX_LENGTH)
    try:
        names = _fields(text)
    except ValueError:
        return t.TEMPLATE_BRACES
    except LookupError:
        return t.TEMPLATE_PLAIN
    known = t.PLACEHOLDERS[kind]
    unknown = [name for name in dict.fromkeys(names) if name not in known]
    if unknown:
        return t.TEMPLATE_UNKNOWN.format(
            names=" ".join(f"{{{name}}}" for name in unknown), known=" ".join(f"{{{name}}}" for name in known)
        )
    return None


def fill(template: str, values: Mapping[str, str]) -> list[str]:
    """A checked template filled with values: its non-empty paragraphs, each on one line."""
    filled = template.format_map({name: values.get(name, "") for name in _fields(template)})
    paragraphs = [" ".join(block.split()) for block in filled.replace("\r\n", "\n").split("\n\n")]
    return [paragraph for paragraph in paragraphs if paragraph]


def paragraphs(session: Session, kind: str, values: Mapping[str, str], digits: Callable[[str], str] = str) -> list[str]:
    """A letter's body: the office's template of the kind (else the built-in) filled with the letter's values.

    ``digits`` turns the template's own digits into Thai ones; the values come formatted (a code such as
    CAM-0003 keeps its digits, a date takes Thai ones when the office prints them).
    """
    template = stored_template(session, kind)
    if not template or problem(kind, template) is not None:
        template = default_template(kind)
    return fill(digits(template), values)
