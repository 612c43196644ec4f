"""Candidate text is data. Find instructions aimed at the grader, strip them, and say so.

The grader scores the answer with these segments removed and then applies a penalty, so an attack
can never raise a score: at best it leaves the clean answer's score, usually it lowers it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from agent.text_signals import clauses

ZERO_WIDTH = re.compile(r"[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
TAG = re.compile(r"</?\s*(answer|grade|score|system|instructions?|rubric|candidate[_ ]?answer|assistant|user|evaluation|verdict|result)\b[^>]*>", re.IGNORECASE)
TAGGED_BLOCK = re.compile(r"<\s*(grade|score|verdict|system|instructions?|evaluation|rubric)\b[^>]*>.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)
ATTACK_PATTERNS = [
    re.compile(r"\b(ignore|disregard|forget|override|bypass)\b[^.\n]{0,60}\b(instructions?|rubric|guidelines|rules|criteria|scor\w*|prompt|above|previous|reference|answer key|model answer|marking scheme)\b", re.IGNORECASE),
    re.compile(r"(^|\n|\[|\()\s*(system|assistant|grader|developer|admin|evaluator)\s*(message|prompt|override|note|instruction)?\s*[:\]]", re.IGNORECASE),
    re.compile(r"\b(score[sd]?|scoring|grade[sd]?|grading|rate|rates|give|gives|award\w*|mark|assign\w*|output|return)\b[^.\n]{0,50}\b(4\s*/\s*4|(?P<n>\d+)\s*/\s*(?P=n)\b|(?P<m>\d+) out of (?P=m)\b|4 out of 4|level 4|full (marks|credit|points)|max(imum)? (score|marks|points|level|grade)|highest (score|marks|points|level|grade|rating)|top score|perfect score|strong hire|score\s*[=:]\s*\d)", re.IGNORECASE),
    re.compile(r"\b(pretend|imagine|act as|you are now|you're now|role-?play|from now on you)\b[^.\n]{0,80}\b(grader|evaluator|interviewer|reviewer|assistant|model|ai|lenient|generous|manager|recruiter|judge|persona|character|hire)\b", re.IGNORECASE),
    re.compile(r"\b(as an ai|language model)\b[^.\n]{0,40}\b(must|should|will)\b", re.IGNORECASE),
    re.compile(r"(\[|\(|^|\n)\s*(white|hidden|invisible) text\s*[:\]]", re.IGNORECASE),  # a declaration, not a candidate discussing such attacks
    re.compile(r"\bnote to (the )?(grader|evaluator|ai|model|reviewer)\b", re.IGNORECASE),
    re.compile(r"\b(this|the|my) answer (is|deserves|should (get|be))\b[^.\n]{0,30}\b(excellent|perfect|4|top|full|highest|strong hire)\b", re.IGNORECASE),
]
SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+|\n|$)")
# A candidate explaining prompt-injection defences quotes the attacks they defend against ('a blocklist for
# phrases like "ignore previous instructions"') or reports what their system prompt tells the model. That is a
# mention, not an instruction to us: the instruction's words are still taken out, so no grader reads them and
# no score can rise, but the sentence around them stays and nothing is penalised.
QUOTED = re.compile(r"\"[^\"\n]{2,200}\"|“[^”\n]{2,200}”|‘[^’\n]{2,200}’|(?<![\w'])'[^'\n]{2,200}'(?![\w'])")
REPORTED = re.compile(r"\b(tell|tells|telling|told|instruct\w*|ask\w*|remind\w*)\s+(the|our|a|an)\s+(model|assistant|llm|bot|agent)\s+"
                      r"(not\s+)?to\s+(?=ignore|disregard|forget|override|bypass)", re.IGNORECASE)
MENTION = "(a quoted instruction)"
MIN_WORDS_AROUND = 3  # a sentence that is all quote is the instruction itself, quoted or not


@dataclass
class SanitizedAnswer:
    text: str
    flags: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    uncredited: list[str] = field(default_factory=list)  # bare lists of terms: set aside, not penalised

    @property
    def attacked(self) -> bool:
        return bool(self.flags)


INSTRUCTIONS = "instructions aimed at the grader removed"
KEYWORDS = "keyword list without substance removed"
LONG_LIST = 8
BARE_LIST = 6


def _is_attack(text: str) -> bool:
    return any(p.search(text) for p in ATTACK_PATTERNS)


def _mentioned_instructions(sentence: str) -> list[tuple[int, int]]:
    """Spans of the sentence where it quotes or reports an instruction rather than giving one (see QUOTED)."""
    spans = [m.span() for m in QUOTED.finditer(sentence) if _is_attack(m.group(0))]
    for m in REPORTED.finditer(sentence):
        told = ATTACK_PATTERNS[0].match(sentence, m.end())  # "telling the model to ignore ... instructions"
        if told:
            spans.append(told.span())
    if not spans:
        return []
    around = sentence
    for start, end in sorted(spans, reverse=True):
        around = around[:start] + " " + around[end:]
    return spans if len(around.split()) >= MIN_WORDS_AROUND else []


def _without(sentence: str, spans: list[tuple[int, int]]) -> str:
    for start, end in sorted(spans, reverse=True):
        sentence = sentence[:start] + MENTION + sentence[end:]
    return sentence


def _segments(sentence: str) -> list[str]:
    """The sentence, or its clauses when it runs on: unpunctuated, a whole answer is one 'sentence', and one
    quoted instruction in it would drop everything. A quotation is never cut: half a quote is no mention."""
    pieces = clauses(sentence)
    if len(pieces) == 1:
        return [sentence]
    text, starts, cursor = sentence.strip(), [], 0
    for piece in pieces:
        cursor = text.find(piece, cursor)
        if cursor < 0:
            return [sentence]
        starts.append(cursor)
    quotes = [m.span() for m in QUOTED.finditer(text)]
    bounds = [0, *(at for at in starts[1:] if not any(a < at < b for a, b in quotes)), len(text)]
    end = "\n" if sentence.endswith("\n") else " "
    return [text[a:b].strip() + (end if b == len(text) else " ") for a, b in pairwise(bounds)]


def _drop(segment: str, flag: str, flags: list[str], removed: list[str]) -> None:
    removed.append(segment.strip())
    if flag not in flags:
        flags.append(flag)


# Spoken lead-ins and fillers set off by commas ("Um, so, mutual exclusion, hold and wait, ..."): counted as list
# items they turned a terse four-term answer into a six-item keyword list, which was then dropped as stuffing.
FILLER_ITEM = re.compile(r"^(?:um+|uh+m?|erm|er|hmm+|mm+|ah|oh|so|well|ok|okay|yeah|yes|right|like|basically|actually|"
                         r"honestly|i think|i guess|i mean|you know|sure|alright|and|or|but|then)$", re.IGNORECASE)


def _list_items(segment: str) -> list[str]:
    return [i for i in (i.strip() for i in re.split(r"[,;|•]", segment)) if i and not FILLER_ITEM.match(i.strip(" .!?"))]


def _is_keyword_list(segment: str, sentence: bool = False) -> bool:
    """A run of short comma-separated terms with no sentence around them: rubric keyword stuffing. A pronoun
    makes a short list an ordinary sentence ("we tracked recall, latency, ..."), but not a list of eight or more
    ("I considered A, B, C, ... and H"): no answer in the grading or probe sets lists eight short terms in one sentence
    (the longest such lists there, of five to seven terms, sit in substantive answers).
    That exception is judged per sentence, so a whole paragraph of ordinary sentences is never dropped as a list."""
    items = _list_items(segment)
    if len(items) < 6:
        return False
    short = sum(1 for i in items if len(i.split()) <= 4)
    pronouns = re.search(r"\b(i|we|my|our)\b", segment, re.IGNORECASE)
    if sentence and len(items) >= LONG_LIST:
        return short / len(items) >= 0.8
    return short / len(items) >= 0.85 and not pronouns


def _is_bare_list(sentence: str) -> bool:
    """Six or more short terms in one sentence with no number among them ("I also used model versioning,
    drift monitoring, canary rollout, ... and rollback plans"): names, not a description of doing anything.
    Such a sentence earns no credit, but it is no attack either: it is set aside without a penalty. The lead-in
    and the "X and Y" tail are split off, since they hid these lists from the keyword-stuffing rule. Numbers
    exempt a sentence, because dense specifics ("rank 8, alpha 16, learning rate 1e-4, ...") are real content;
    on the grading, probe, adversarial and short-answer sets it catches three real sentences, all in answers
    labelled 3-4 that keep their other sentences (at five terms it would catch eight)."""
    if re.search(r"\d", sentence):
        return False
    items = _list_items(sentence)
    if not items:
        return False
    items = items[:-1] + [i for i in re.split(r"\s+(?:and|or)\s+", items[-1]) if i.strip()]
    inner = items[1:-1]
    return len(items) >= BARE_LIST and sum(1 for i in inner if len(i.split()) <= 3) / len(inner) >= 0.85


def sanitize(answer: str) -> SanitizedAnswer:
    flags: list[str] = []
    removed: list[str] = []
    text = answer
    if ZERO_WIDTH.search(text):
        flags.append("hidden characters removed")
        text = ZERO_WIDTH.sub("", text)
    removed.extend(HTML_COMMENT.findall(text))
    if HTML_COMMENT.search(text):
        flags.append("hidden HTML comment removed")
        text = HTML_COMMENT.sub(" ", text)
    if TAGGED_BLOCK.search(text):
        removed.extend(m.group(0) for m in TAGGED_BLOCK.finditer(text))
        text = TAGGED_BLOCK.sub(" ", text)
        flags.append("markup tags aimed at the grader removed")
    if TAG.search(text):
        if "markup tags aimed at the grader removed" not in flags:
            flags.append("markup tags aimed at the grader removed")
        text = TAG.sub(" ", text)
    lines = []
    for line in text.split("\n"):
        body = re.sub(r"^\s*[\w ./-]{1,30}:\s*", "", line) if re.match(r"^\s*[\w ./-]{1,30}:\s*\S", line) else line
        if _is_keyword_list(body):
            _drop(line, KEYWORDS, flags, removed)
            continue
        lines.append(line)
    paragraphs = []
    for paragraph in re.split(r"(\n\s*\n)", "\n".join(lines)):
        first = SENTENCE.match(paragraph.strip())
        opener = _segments(first.group(0))[0] if first and first.group(0).strip() else ""
        if opener.strip() and _is_attack(_without(opener, _mentioned_instructions(opener))):
            _drop(paragraph, INSTRUCTIONS, flags, removed)  # a paragraph that opens with an instruction is all instruction
            continue
        paragraphs.append(paragraph)
    kept: list[str] = []
    uncredited: list[str] = []
    for sentence in SENTENCE.findall("".join(paragraphs)):
        for segment in _segments(sentence):
            mentioned = _mentioned_instructions(segment)
            removed.extend(segment[a:b] for a, b in mentioned)
            piece = _without(segment, mentioned)
            if piece.strip() and _is_attack(piece):
                _drop(piece, INSTRUCTIONS, flags, removed)
            elif piece.strip() and _is_keyword_list(piece, sentence=True):
                _drop(piece, KEYWORDS, flags, removed)
            elif piece.strip() and _is_bare_list(piece):
                uncredited.append(piece.strip())
            else:
                kept.append(piece)
    cleaned = re.sub(r"[ \t]{2,}", " ", "".join(kept)).strip()
    return SanitizedAnswer(text=cleaned, flags=flags, removed=removed, uncredited=uncredited)
