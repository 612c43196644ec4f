"""Guide text -> typed records (sections, questions with key points and answers, signals, scorecard rows).

Pasted guides rarely have markup, so lines are classified by shape: Markdown or numbered headings,
short title-like lines, block labels ("Key Points to Hit"), quoted questions, bullets and pipe tables.
Every kept line also lands in its section's text, so retrieval sees everything even when a structure
is not recognised.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from knowledge.cleaning import clean_text, is_boilerplate
from knowledge.labels import META, QUESTION_OPENERS, infer_category, infer_topic, match_label
from knowledge.models import GuideQuestion, ParsedGuide, Section, TableDimension, stable_id

MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
NUMBERED_HEADING = re.compile(r"^(\d{1,2}[.)]|(theme|part|section|module|step|round|chapter)\s+\d+\s*[:.\-–]?)\s*\S", re.IGNORECASE)
BULLET = re.compile(r"^\s*(?:[-*•–·]|\d{1,2}[.)])\s+")
Q_PREFIX = re.compile(r"^(?:q\d*[:.)]|question\s*\d*\s*[:.)])\s*", re.IGNORECASE)
QUOTED = re.compile(r"^[\"“”'‘](.+?)[\"“”'’]?$")
SPLIT_JOINED_QUOTES = re.compile(r"(?<=[.!?][\"”])\s+-\s+(?=[\"“])")
TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}")
ROLE_TITLE = re.compile(
    r"\b((?:(?!(?:A|An|The|As|For|Of)\b)[A-Z][\w/&+-]*[ ]+){1,4}(?:Engineer|Scientist|Developer|Researcher|Analyst|Architect|Manager))\b"
)
LEVEL_COLUMNS = [(4, re.compile(r"exceed|strong hire|outstanding|\b4\b", re.IGNORECASE)),
                 (3, re.compile(r"meets|solid|\b3\b|hire", re.IGNORECASE)),
                 (2, re.compile(r"below|lean no|\b2\b|developing", re.IGNORECASE)),
                 (1, re.compile(r"weak|does not|no hire|\b1\b|poor", re.IGNORECASE))]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def strip_quotes(text: str) -> str:
    text = text.strip()
    match = QUOTED.match(text)
    return match.group(1).strip() if match and text[0] in "\"“'‘" else text


def strip_bullet(line: str) -> str:
    return BULLET.sub("", line, count=1).strip()


def split_front_matter(text: str) -> tuple[dict, str]:
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            try:
                meta = yaml.safe_load(text[4:end]) or {}
            except yaml.YAMLError:
                meta = {}
            if isinstance(meta, dict):
                return meta, text[end + 4:].lstrip("\n")
    return {}, text


def looks_like_heading(line: str, next_line: str | None) -> bool:
    """A plain-text heading: short, title-like, no sentence punctuation, followed by content."""
    text = line.strip()
    if not text or next_line is None or BULLET.match(line) or text.startswith(("|", "\"", "“", "'")):
        return False
    if NUMBERED_HEADING.match(text) and len(text) <= 90 and not text.endswith((".", "?", ",")):
        return True
    words = text.split()
    if len(words) > 9 or len(text) > 70 or text[-1] in ".,;:!?)\"”":
        return False
    return text[0].isupper() or text[0].isdigit()


def looks_like_question(text: str) -> bool:
    body = strip_quotes(Q_PREFIX.sub("", text))
    if len(body.split()) < 4 or len(body) > 400:
        return False
    return body.endswith("?") or bool(QUESTION_OPENERS.match(body))


def derive_title(answer: str) -> str:
    """A question-like title for a sample answer whose question the guide did not write out."""
    first = re.split(r"(?<=[.!?])\s", answer.strip(), maxsplit=1)[0]
    words = first.split()
    gist = " ".join(words[:14]).rstrip(",;:")
    return f"Tell me about this experience: {gist}{'…' if len(words) > 14 else ''}"


@dataclass
class _State:
    role: str
    source: str
    path: list[str] = field(default_factory=list)
    levels: list[int] = field(default_factory=list)
    block: str | None = None
    group: list[GuideQuestion] = field(default_factory=list)
    skip_questions_level: int | None = None
    behavioral_context: bool = False
    paragraph: list[str] = field(default_factory=list)


class GuideParser:
    def __init__(self, text: str, source: str, role: str | None = None, name: str | None = None):
        meta, body = split_front_matter(clean_text(text))
        self.body = body
        self.meta = meta
        self.source = source
        self.role = str(meta.get("role") or role or "") or None
        self.name = str(meta.get("name") or name or "")
        self.guide = ParsedGuide(role="", name="", source=source)
        self._section_lines: dict[tuple[str, ...], list[str]] = {}
        self._order: list[tuple[str, ...]] = []

    # ---- public -------------------------------------------------------------------------
    def parse(self) -> ParsedGuide:
        lines = self._prepare_lines()
        title = self._title(lines)
        role = self.role or self._infer_role(title, lines)
        self.guide.role, self.guide.name = role, self.name or title or role.replace("-", " ").title()
        state = _State(role=role, source=self.source, behavioral_context=self._is_behavioral(title))
        state.path = [title or role]
        state.levels = [1]
        for index, line in enumerate(lines):
            nxt = next((line_ for line_ in lines[index + 1:] if line_.strip()), None)
            self._consume(state, line, nxt, first=(index == 0 and bool(title)))
        self._flush_paragraph(state)
        self._finish_sections()
        return self.guide

    # ---- line handling ------------------------------------------------------------------
    def _prepare_lines(self) -> list[str]:
        raw: list[str] = []
        for line in self.body.split("\n"):
            raw.extend(SPLIT_JOINED_QUOTES.sub("\n- ", line).split("\n"))
        kept = [line.rstrip() for line in raw]
        drop = {i for i, line in enumerate(kept) if is_boilerplate(line)}
        # A short heading-like line whose only content is promotional goes with it ("Find X" / "Compare X ... now").
        for i in sorted(drop):
            j = i - 1
            while j >= 0 and not kept[j].strip():
                j -= 1
            if j >= 0 and j not in drop and looks_like_heading(kept[j], kept[i]) and self._only_boilerplate_after(kept, j, drop):
                drop.add(j)
        self.guide.dropped_lines = [kept[i].strip() for i in sorted(drop)]
        return [line for i, line in enumerate(kept) if i not in drop]

    @staticmethod
    def _only_boilerplate_after(lines: list[str], start: int, drop: set[int]) -> bool:
        for k in range(start + 1, len(lines)):
            if not lines[k].strip():
                continue
            if k not in drop:
                return looks_like_heading(lines[k], "x") and not match_label(lines[k])
        return True

    def _title(self, lines: list[str]) -> str:
        first = next((line.strip() for line in lines if line.strip()), "")
        match = MD_HEADING.match(first)
        if match and len(match.group(1)) == 1:
            return match.group(2).strip()
        if (first and len(first) <= 90 and not BULLET.match(first) and not first.endswith((".", "?")) and not match_label(first)
                and not NUMBERED_HEADING.match(first)):
            return first
        return ""

    def _infer_role(self, title: str, lines: list[str]) -> str:
        if self._is_behavioral(title):
            return "behavioral"
        head = " ".join([title, *lines[:15]])
        match = ROLE_TITLE.search(head)
        return slugify(match.group(1)) if match else "general"

    @staticmethod
    def _is_behavioral(title: str) -> bool:
        return bool(re.search(r"behaviou?ral|\bSTAR\b", title or "", re.IGNORECASE))

    def _consume(self, state: _State, line: str, nxt: str | None, first: bool) -> None:
        text = line.strip()
        if not text:
            self._flush_paragraph(state)
            return
        if first:
            return  # the title, already used as the root of every section path
        md = MD_HEADING.match(text)
        if md and match_label(md.group(2)):
            self._flush_paragraph(state)
            self._label(state, match_label(md.group(2)) or "", md.group(2))
            return
        if md:
            self._heading(state, md.group(2).strip(), len(md.group(1)))
            return
        label = match_label(text)
        if label and not BULLET.match(line):
            self._flush_paragraph(state)
            self._label(state, label, text)
            return
        meta = META.match(text)
        if meta and state.group and state.block is None:
            self._meta(state, meta.group(1).lower(), meta.group(2))
            self._add_text(state, text)
            return
        if text.startswith("|"):
            self._table_row(state, text)
            return
        if looks_like_heading(text, nxt) and not looks_like_question(text):
            level = 2 if NUMBERED_HEADING.match(text) else 3
            self._heading(state, text, level)
            return
        self._content(state, line, text)

    def _heading(self, state: _State, title: str, level: int) -> None:
        self._flush_paragraph(state)
        q_match = Q_PREFIX.match(title)
        while state.levels and state.levels[-1] >= level and len(state.levels) > 1:
            state.levels.pop()
            state.path.pop()
        if state.skip_questions_level is not None and level <= state.skip_questions_level:
            state.skip_questions_level = None
        state.block = None
        if re.match(r"questions? (to|you should) ask", title, re.IGNORECASE):
            state.skip_questions_level = level
        if q_match or (level >= 3 and looks_like_question(title) and state.skip_questions_level is None):
            question_text = strip_quotes(Q_PREFIX.sub("", title))
            state.path.append("Q: " + _shorten(question_text))
            state.levels.append(level)
            state.group = [self._new_question(state, question_text)]
            return
        state.path.append(title)
        state.levels.append(level)
        state.group = []
        self._section_key(state)

    def _label(self, state: _State, label: str, text: str) -> None:
        if label == "questions_to_ask":
            state.skip_questions_level = state.levels[-1] if state.levels else 1
        state.block = label
        self._add_text(state, text)

    def _meta(self, state: _State, key: str, value: str) -> None:
        value = value.strip()
        for question in state.group:
            if key == "category":
                normalised = slugify(value).replace("system-designs", "system-design")
                if normalised in {"behavioral", "behavioural", "technical", "system-design"}:
                    question.category = "behavioral" if normalised.startswith("behavio") else normalised  # type: ignore[assignment]
            elif key == "topic":
                question.topic = slugify(value)
            elif key.startswith("dimension"):
                question.dimensions = [slugify(v) for v in re.split(r"[,;]", value) if v.strip()]

    def _content(self, state: _State, line: str, text: str) -> None:
        is_bullet = bool(BULLET.match(line))
        item = strip_bullet(line) if is_bullet else text
        self._add_text(state, text)
        block = state.block
        quoted = item.lstrip()[:1] in "\"“" or bool(Q_PREFIX.match(item)) or item.endswith("?")
        if (block in ("sample_questions", None) and state.skip_questions_level is None and looks_like_question(item)
                and (block == "sample_questions" or quoted)):
            if block != "sample_questions" and not self._group_is_fresh(state):
                state.group = []
            state.group.append(self._new_question(state, strip_quotes(Q_PREFIX.sub("", item))))
            state.block = "sample_questions"
            return
        if block in ("key_points", "strong_signals", "weak_signals", "red_flags"):
            self._list_item(state, block, item, is_bullet)
        elif block == "model_answer":
            self._answer_line(state, item, is_bullet)

    def _group_is_fresh(self, state: _State) -> bool:
        """True while the current questions have collected nothing yet (consecutive sample questions)."""
        return all(not (q.key_points or q.model_answer or q.sample_answers) for q in state.group)

    def _list_item(self, state: _State, block: str, item: str, is_bullet: bool) -> None:
        targets: list[list[str]]
        if block == "red_flags":
            targets = [self.guide.red_flags] + [q.weak_signals for q in state.group]
        elif state.group:
            targets = [getattr(q, block) for q in state.group]
        else:
            targets = [getattr(self.guide, block)] if block != "key_points" else []
        for bucket in targets:
            if not is_bullet and bucket and not bucket[-1].endswith((".", "!", "?", "\"", "”")):
                bucket[-1] = f"{bucket[-1]} {item}"
            else:
                bucket.append(strip_quotes(item))

    def _answer_line(self, state: _State, item: str, is_bullet: bool) -> None:
        if not is_bullet and not item.lstrip().startswith(("\"", "“")):
            state.paragraph.append(item)
            return
        self._flush_paragraph(state)
        answer = strip_quotes(item)
        if not state.group:
            self._orphan_answer(state, answer)
            return
        for question in state.group:
            question.sample_answers.append(answer)

    def _flush_paragraph(self, state: _State) -> None:
        if not state.paragraph:
            return
        text = " ".join(state.paragraph).strip()
        state.paragraph = []
        if state.block != "model_answer" or not text:
            return
        if not state.group:
            self._orphan_answer(state, text)
            return
        for question in state.group:
            if question.model_answer:
                question.model_answer += " " + text
            elif question.sample_answers and question.sample_answers[-1] and not question.sample_answers[-1].endswith((".", "!", "?")):
                question.sample_answers[-1] += " " + text  # a talking point wrapped onto the next line
            else:
                question.model_answer = text

    def _orphan_answer(self, state: _State, answer: str) -> None:
        question = self._new_question(state, derive_title(answer), derived=True)
        question.category = "behavioral"  # a first-person story told without its question
        question.sample_answers.append(answer)
        question.model_answer = answer

    def _new_question(self, state: _State, text: str, derived: bool = False) -> GuideQuestion:
        section = " > ".join(state.path)
        question = GuideQuestion(
            id=stable_id(state.role, text),
            role=state.role,
            text=text,
            category=infer_category(text, state.behavioral_context or state.role == "behavioral"),  # type: ignore[arg-type]
            topic=infer_topic(text),
            source=state.source,
            section=section,
            title_derived=derived,
        )
        if not any(q.id == question.id for q in self.guide.questions):
            self.guide.questions.append(question)
        return question

    def _table_row(self, state: _State, text: str) -> None:
        if TABLE_SEPARATOR.match(text):
            return
        cells = [c.strip() for c in text.strip().strip("|").split("|")]
        key = self._section_key(state)
        tables = self._tables.setdefault(key, [])
        if not tables or tables[-1]["closed"]:
            tables.append({"header": cells, "rows": [], "closed": False})
            return
        table = tables[-1]
        table["rows"].append(cells)
        header = table["header"]
        self._add_text(state, "; ".join(f"{h}: {c}" for h, c in zip(header, cells) if c))
        if re.search(r"dimension|competenc|criteri|skill|area", header[0], re.IGNORECASE):
            self._table_dimension(header, cells)

    def _table_dimension(self, header: list[str], cells: list[str]) -> None:
        levels: dict[int, str] = {}
        for column, cell in zip(header[1:], cells[1:]):
            for level, pattern in LEVEL_COLUMNS:
                if pattern.search(column) and cell:
                    levels.setdefault(level, cell)
                    break
        if levels and cells and cells[0]:
            self.guide.table_dimensions.append(TableDimension(name=cells[0], levels=levels))

    # ---- sections ------------------------------------------------------------------------
    @property
    def _tables(self) -> dict:
        if not hasattr(self, "_tables_store"):
            self._tables_store: dict = {}
        return self._tables_store

    def _section_key(self, state: _State) -> tuple[str, ...]:
        key = tuple(state.path)
        if key not in self._section_lines:
            self._section_lines[key] = []
            self._order.append(key)
        return key

    def _add_text(self, state: _State, text: str) -> None:
        key = self._section_key(state)
        if key in self._tables:
            for table in self._tables[key]:
                table["closed"] = True if not text.startswith("|") and not text.count(":") else table["closed"]
        self._section_lines[key].append(text)

    def _finish_sections(self) -> None:
        for key in self._order:
            body = "\n".join(self._section_lines[key]).strip()
            if body:
                self.guide.sections.append(Section(role=self.guide.role, path=list(key), text=body, source=self.source))


def _shorten(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def parse_guide(text: str, source: str, role: str | None = None) -> ParsedGuide:
    """Parse one guide's text. `role` tags guides whose text does not state a role."""
    return GuideParser(text, source, role=role).parse()
