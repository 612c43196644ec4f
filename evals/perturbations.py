"""Rewrites of an answer that keep its meaning: how people really type or dictate. A grader should give each the
same grade as the original; the robustness set measures how far it moves. Pure and deterministic (seeded per answer).
"""
from __future__ import annotations

import random
import re
import zlib
from collections.abc import Callable

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
WORD = re.compile(r"\S+")


def _rng(text: str) -> random.Random:
    return random.Random(zlib.crc32(text.encode("utf-8")))  # the same answer always gets the same typos


def no_punctuation(answer: str) -> str:
    """Dictated, or typed in one breath: no full stops or commas. Decimal points stay, since "0.86" is content."""
    return re.sub(r"\s{2,}", " ", re.sub(r"[,;:!?]|\.(?!\d)", "", answer)).strip()


def lowercase(answer: str) -> str:
    return answer.lower()


def bullets(answer: str) -> str:
    """The same sentences as a bulleted list without final full stops."""
    return "\n".join("- " + s.strip().rstrip(".") for s in SENTENCE_END.split(answer.strip()) if s.strip())


def typos(answer: str, rate: float = 0.08) -> str:
    """Swaps two inner letters in about one longer word in twelve, as fast typing does."""
    rng = _rng(answer)

    def swap(match: re.Match) -> str:
        word = match.group(0)
        if len(word) < 5 or not word.isalpha() or rng.random() >= rate:
            return word
        i = rng.randrange(1, len(word) - 2)
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]

    return WORD.sub(swap, answer)


def disfluent(answer: str, rate: float = 0.05) -> str:
    """A spoken lead-in and the odd "uh": what speech-to-text leaves in. Never inside brackets: "O(log uh, n)"
    is not how anyone says O(log n), and it is no longer the same answer."""
    rng = _rng(answer)
    out, depth = [], 0
    for i, word in enumerate(answer.split(" ")):
        filler = bool(i) and rng.random() < rate  # drawn for every word, so other answers keep their fillers
        out.append(("uh, " + word) if filler and not depth else word)
        depth = max(0, depth + word.count("(") - word.count(")"))
    return "Um, so, " + " ".join(out)


def nervous(answer: str) -> str:
    """A nervous manner: "I think" before the first sentence and "I guess" before the middle one. The labeling
    guide says a nervous manner costs nothing when the content is there."""
    sentences = SENTENCE_END.split(answer.strip())

    def hedge(sentence: str, lead: str) -> str:
        return lead + (sentence if sentence.startswith("I ") else sentence[:1].lower() + sentence[1:])

    sentences[0] = hedge(sentences[0], "I think ")
    if len(sentences) > 2:
        middle = len(sentences) // 2
        sentences[middle] = hedge(sentences[middle], "I guess ")
    return " ".join(sentences)


REWRITES: dict[str, Callable[[str], str]] = {
    "no punctuation": no_punctuation,
    "lowercase": lowercase,
    "bullets": bullets,
    "typos": typos,
    "disfluent": disfluent,
    "nervous": nervous,
}
