"""Suggesting a report category from Thai keywords, with a real Thai word tokenizer."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ReportCategory


@lru_cache(maxsize=1)
def _tokenizer():
    """pythainlp's dictionary word tokenizer (imported on first use: it takes a moment)."""
    from pythainlp.tokenize import word_tokenize

    return word_tokenize


@lru_cache(maxsize=4096)
def words(text: str) -> tuple[str, ...]:
    """Thai and other words of a text, lower-cased, without spaces or punctuation."""
    tokens = _tokenizer()(text.lower(), engine="newmm", keep_whitespace=False)
    return tuple(token for token in tokens if token.strip() and any(ch.isalnum() for ch in token))


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    """Whether the word sequence needle occurs in haystack (so 'ต่างด้าว' does not match 'ต่าง')."""
    size = len(needle)
    return size > 0 and any(haystack[i : i + size] == needle for i in range(len(haystack) - size + 1))


def suggest(session: Session, text: str) -> str | None:
    """The active category whose keywords occur most often in the text, or None."""
    if not text.strip():
        return None
    found = words(text)
    best, best_score = None, 0
    query = select(ReportCategory).where(ReportCategory.is_active).order_by(ReportCategory.sort_order)
    categories = session.scalars(query)
    for category in categories:
        score = sum(1 for keyword in category.keywords if _contains(found, words(keyword)))
        if score > best_score:
            best, best_score = category.code, score
    return best
