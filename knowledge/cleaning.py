"""Text repair and boilerplate removal for guides pasted from web pages."""
from __future__ import annotations

import re

import ftfy

# UTF-8 punctuation read as a Thai code page (cp874/TIS-620) keeps only the lead byte 0xE2 -> 'โ',
# sometimes followed by a Thai letter for the last byte. The middle byte is lost, so the original
# character cannot be decoded back; we infer it from context. ftfy cannot undo this lossy case.
_THAI_PAIRS = {"โฅ": "≥", "โค": "≤", "โข": "•", "โ€": "–"}
_THAI_LETTER = re.compile(r"[\u0e00-\u0e7f]")
_LEAD = "โ"


def _looks_like_thai_mojibake(text: str) -> bool:
    thai = _THAI_LETTER.findall(text)
    return bool(thai) and text.count(_LEAD) >= 0.5 * len(thai)


def _replace_lead(match: re.Match[str]) -> str:
    before, after = match.group(1), match.group(2)
    if before.isdigit() and after.isdigit():
        return f"{before}–{after}"
    if before == " " and after == " ":
        return " → "
    if before.isalnum() and after == "s":
        return f"{before}’s"
    if before.isalnum() or before in ".,!?)":
        return f"{before}”{after}"
    return f"{before}“{after}"


def repair_mojibake(text: str) -> str:
    text = ftfy.fix_text(text, normalization="NFC")
    if _looks_like_thai_mojibake(text):
        for bad, good in _THAI_PAIRS.items():
            text = text.replace(bad, good)
        text = re.sub(r"(^|.)โ(.|$)", _replace_lead, text, flags=re.MULTILINE)
        text = re.sub(r"(^|.)โ(.|$)", _replace_lead, text, flags=re.MULTILINE)  # overlapping runs
    return text


_CTA_START = re.compile(
    r"^(build|create|download|get|try|start|book|schedule|sign up|subscribe|join|explore|find|compare|register|"
    r"claim|upgrade|buy|shop|apply now|read more|click|learn more|share|follow|contact us|check out|grab|unlock|"
    r"enroll|enrol|save)\b",
    re.IGNORECASE,
)
_CTA_MARKERS = re.compile(
    r"\b(now|free|today|your resume|resume|book a call|newsletter|course|premium|in one place|app|discount|"
    r"offer|sign up|subscribe|trial|coupon|limited|templates?)\b|!|→\s*$",
    re.IGNORECASE,
)
_ALWAYS_BOILERPLATE = re.compile(
    r"(all rights reserved|©|cookie (policy|settings)|privacy policy|terms of (use|service)|"
    r"^advertisement$|^sponsored$|^related (posts|articles)|share (this|on) (article|post|twitter|linkedin)|"
    r"book a (free )?call|build your resume|^table of contents$|was this (article|page) helpful)",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*•–·]|\d+[.)])\s+")


def is_boilerplate(line: str) -> bool:
    """Promotional or navigation lines that carry no interview content."""
    stripped = line.strip().strip("#").strip()
    if not stripped:
        return False
    words = stripped.split()
    if len(words) <= 12 and _ALWAYS_BOILERPLATE.search(stripped):
        return True  # only short lines: a long sentence may mention "terms of service" as content
    if _BULLET.match(line) or stripped.endswith("?") or stripped.startswith(("\"", "“", "|")):
        return False
    if len(words) > 14 or not _CTA_START.match(stripped):
        return False
    return len(words) <= 3 or bool(_CTA_MARKERS.search(stripped))


def normalise_whitespace(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\u200b", "")
    return re.sub(r"[ \t]+", " ", text)


def clean_text(text: str) -> str:
    return normalise_whitespace(repair_mojibake(text))
