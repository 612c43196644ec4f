"""Typed records that ingestion produces and retrieval returns."""
from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, Field

Category = Literal["behavioral", "technical", "system-design"]
BEHAVIORAL_ROLE = "behavioral"


def stable_id(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


class GuideQuestion(BaseModel):
    id: str
    role: str
    text: str
    category: Category = "technical"
    topic: str = "general"
    dimensions: list[str] = Field(default_factory=list)
    key_points: list[str] = Field(default_factory=list)
    strong_signals: list[str] = Field(default_factory=list)
    weak_signals: list[str] = Field(default_factory=list)
    model_answer: str = ""
    sample_answers: list[str] = Field(default_factory=list)
    title_derived: bool = False  # True when the guide had only an answer and we named the question
    source: str = ""
    section: str = ""

    def reference_text(self) -> str:
        return self.model_answer or (self.sample_answers[0] if self.sample_answers else "")

    def question_only(self) -> GuideQuestion:
        """This question as the grader sees a team's own question that no guide covers and no reference comes
        with: its words and the dimensions it probes, nothing of what a good answer contains. Training and
        evaluation use it to fit and measure the question-only model on labelled guide questions."""
        return self.model_copy(update={"key_points": [], "strong_signals": [], "weak_signals": [], "model_answer": "",
                                       "sample_answers": [], "source": "", "section": ""})


class Section(BaseModel):
    role: str
    path: list[str]
    text: str
    source: str

    @property
    def title(self) -> str:
        return " > ".join(self.path)


class TableDimension(BaseModel):
    """A scorecard row read from a pipe table in a pasted guide."""

    name: str
    levels: dict[int, str] = Field(default_factory=dict)


class ParsedGuide(BaseModel):
    role: str
    name: str
    source: str
    sections: list[Section] = Field(default_factory=list)
    questions: list[GuideQuestion] = Field(default_factory=list)
    strong_signals: list[str] = Field(default_factory=list)
    weak_signals: list[str] = Field(default_factory=list)
    red_flags: list[str] = Field(default_factory=list)
    table_dimensions: list[TableDimension] = Field(default_factory=list)
    dropped_lines: list[str] = Field(default_factory=list)


class Passage(BaseModel):
    """One retrieval hit, always with its trail back to the guide."""

    id: str
    text: str
    source: str
    section: str
    role: str
    kind: str
    score: float
    question_id: str | None = None

    def citation(self) -> str:
        return f"{self.source} § {self.section}" if self.section else self.source
