"""Is a quote really in the answer? Pure. LLM evidence must be a verbatim span; anything else is fabricated."""
from __future__ import annotations

import re

QUOTE_MARKS = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u2013": "-", "\u2014": "-"})
MIN_QUOTE_CHARS = 8  # "I" or "the model" quoted alone proves nothing


def _norm(text: str) -> str:
    return " ".join(text.translate(QUOTE_MARKS).split()).casefold()


def strip_wrapping(quote: str) -> str:
    """Quotes often come back wrapped in quote marks or with a trailing ellipsis; those are not part of the span."""
    text = re.sub(r"^[\s\"'`\u201c\u201d\u2018\u2019]+|[\s\"'`\u201c\u201d\u2018\u2019]+$", "", quote.strip())
    return re.sub(r"(\.\.\.|\u2026)$", "", text).strip()


def is_verbatim(quote: str, answer: str) -> bool:
    """True when the quote occurs in the answer, ignoring case, whitespace runs and curly quote marks."""
    body = _norm(strip_wrapping(quote))
    return len(body) >= MIN_QUOTE_CHARS and body in _norm(answer)


def split_quotes(quotes: list[str], answer: str) -> tuple[list[str], list[str]]:
    """(verbatim quotes, fabricated quotes)."""
    kept, fabricated = [], []
    for quote in quotes:
        (kept if is_verbatim(quote, answer) else fabricated).append(strip_wrapping(quote))
    return kept, fabricated
