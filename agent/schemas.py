"""Typed records of an interview: probes, grades, feedback, turns, sessions."""
from __future__ import annotations

import time
import uuid
from typing import Literal

from pydantic import BaseModel, Field

from knowledge.models import GuideQuestion

Gap = Literal["result", "metric", "ownership", "method", "trade-off", "off-topic", "none"]
Recommendation = Literal["strong hire", "hire", "lean no", "no hire"]
Engine = Literal["offline", "llm"]


class TokenUsage(BaseModel):
    """Tokens spent on LLM calls; `estimated` when the server did not report usage and tiktoken counted it."""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    estimated: bool = False

    def add(self, other: TokenUsage | None) -> TokenUsage:
        if other is not None:
            self.prompt_tokens += other.prompt_tokens
            self.completion_tokens += other.completion_tokens
            self.calls += other.calls
            self.estimated = self.estimated or other.estimated
        return self

    @property
    def total(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class Probe(BaseModel):
    gap: Gap
    question: str
    answer: str = ""


class DimensionGrade(BaseModel):
    dimension: str
    name: str = ""
    level: int = Field(ge=1, le=4)
    score: float = Field(ge=1.0, le=4.0, description="continuous estimate behind the level")
    evidence: list[str] = Field(default_factory=list, description="verbatim quotes from the answer")
    reason: str


class Citation(BaseModel):
    source: str
    section: str

    def __str__(self) -> str:
        return f"{self.source} § {self.section}" if self.section else self.source


class Feedback(BaseModel):
    strengths: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    key_points: list[str] = Field(default_factory=list)
    model_answer: str = ""
    citations: list[Citation] = Field(default_factory=list)
    related: list[Citation] = Field(default_factory=list)
    improved_answer: str = Field(default="", description="the candidate's answer rewritten by the LLM, keeping their facts")
    engine: Engine = "offline"
    fallback_reason: str | None = None


class Grade(BaseModel):
    overall_level: float = Field(ge=1.0, le=4.0)
    recommendation: Recommendation
    dimensions: list[DimensionGrade]
    feedback: Feedback
    junk: str | None = Field(default=None, description="why the answer was recognised as junk, if it was")
    flags: list[str] = Field(default_factory=list, description="e.g. instructions found inside the answer")
    engine: Engine = "offline"
    fallback_reason: str | None = None
    offline_overall: float | None = Field(default=None, description="the offline grader's overall, kept beside an LLM grade")
    disagreements: list[str] = Field(default_factory=list, description="dimensions where LLM and offline differ by 2+ levels")
    usage: TokenUsage | None = None


class Turn(BaseModel):
    question: GuideQuestion
    answer: str = ""
    probes: list[Probe] = Field(default_factory=list)
    grade: Grade | None = None
    status: Literal["asking", "probing", "graded", "skipped"] = "asking"
    usage: TokenUsage = Field(default_factory=TokenUsage, description="LLM tokens spent on this turn (wording and grading)")
    notes: list[str] = Field(default_factory=list, description="visible notes, e.g. an LLM failure the turn survived")

    def full_answer(self) -> str:
        """The answer plus probe answers: what the grader weighs."""
        parts = [self.answer] + [p.answer for p in self.probes if p.answer]
        return "\n\n".join(p for p in parts if p.strip())


class Session(BaseModel):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12])
    role: str
    role_name: str = ""
    seed: int | None = None
    created_at: float = Field(default_factory=time.time)
    plan: list[GuideQuestion]
    turns: list[Turn] = Field(default_factory=list)
    status: Literal["active", "finished"] = "active"
    overall_level: float | None = None
    recommendation: Recommendation | None = None
    dimension_summary: list[DimensionGrade] = Field(default_factory=list)

    def usage(self) -> TokenUsage:
        total = TokenUsage()
        for turn in self.turns:
            total.add(turn.usage)
        return total

    @property
    def current(self) -> Turn | None:
        if self.turns and self.turns[-1].status in ("asking", "probing"):
            return self.turns[-1]
        return None
