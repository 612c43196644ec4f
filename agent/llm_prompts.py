"""LLM messages built from prompts/llm.yaml, with retrieved context packed under a token budget. Pure.

The packed prompt carries only what the grade needs: the question's key points, the descriptors of the
dimensions in play, an optional reference, and the top guide passages, deduplicated and cut to fit
`max_context_tokens`. `naive_grade_messages` is the baseline the benchmark compares against.
"""
from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field

from agent.schemas import Gap
from agent.templates import load, render
from knowledge.chunking import count_tokens
from knowledge.models import GuideQuestion, Passage
from rubrics.schema import Dimension, Scorecard

PROMPTS = "llm"
NEAR_DUPLICATE = 0.8  # word-set overlap above which a passage repeats one already packed
PASSAGE_CAP = 6


class LLMDimensionGrade(BaseModel):
    dimension: str
    level: int = Field(ge=1, le=4)
    evidence: list[str] = Field(default_factory=list)
    reason: str = ""


class LLMGradeReply(BaseModel):
    # Asked first, so the model commits to fit before levels; a reply without it is read as on the question.
    answers_question: bool = True
    dimensions: list[LLMDimensionGrade]


class CritiqueReply(BaseModel):
    strengths: list[str] = Field(default_factory=list)
    gaps: list[str] = Field(default_factory=list)
    improved_answer: str
    cited_passages: list[int] = Field(default_factory=list)


class QuestionProposal(BaseModel):
    question: str


def _t(key: str, **values: Any) -> str:
    node: Any = load(PROMPTS)
    for part in key.split("."):
        node = node[part]
    if "data_rule" in node and "data_rule" not in values:
        values["data_rule"] = load(PROMPTS)["data_rule"]
    return render(node, **values).strip()


# ---- context packing ----------------------------------------------------------------------------
def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def pack_passages(passages: list[Passage], budget: int, already: str = "") -> list[Passage]:
    """Passages in rank order, skipping near-duplicates (of each other or of text already in the prompt), under `budget` tokens."""
    kept: list[Passage] = []
    seen = [_words(already)] if already else []
    used = 0
    for passage in passages:
        words = _words(passage.text)
        if not words or any(len(words & s) / len(words) >= NEAR_DUPLICATE for s in seen):
            continue
        cost = count_tokens(passage.text) + 12  # the "[n] source § section" line
        if used + cost > budget:
            continue
        kept.append(passage)
        seen.append(words)
        used += cost
        if len(kept) >= PASSAGE_CAP:
            break
    return kept


def passages_text(passages: list[Passage]) -> str:
    if not passages:
        return "(none)"
    return "\n".join(f"[{i}] ({p.citation()}) {' '.join(p.text.split())}" for i, p in enumerate(passages, 1))


def rubric_text(dims: list[Dimension]) -> str:
    blocks = []
    for d in dims:
        levels = "\n".join(f"    {n}: {' '.join(d.levels[n].split())}" for n in (1, 2, 3, 4))
        blocks.append(f"- {d.id} ({d.name}): {' '.join(d.description.split())}\n{levels}")
    return "\n".join(blocks)


def bullet(items: list[str]) -> str:
    return "\n".join(f"- {i}" for i in items) if items else "- (none listed: judge against the question and passages)"


# ---- grading ------------------------------------------------------------------------------------
def grade_schema(dim_ids: list[str]) -> dict:
    # no maxLength anywhere: llama.cpp's grammar compiler unrolls it per character and the server dies on it;
    # max_tokens bounds the reply instead
    return {
        "type": "object",
        "properties": {
            "answers_question": {"type": "boolean"},
            "dimensions": {
                "type": "array", "minItems": len(dim_ids), "maxItems": len(dim_ids),
                "items": {
                    "type": "object",
                    "properties": {
                        "dimension": {"type": "string", "enum": dim_ids},
                        "level": {"type": "integer", "enum": [1, 2, 3, 4]},
                        "evidence": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
                        "reason": {"type": "string"},
                    },
                    "required": ["dimension", "level", "evidence", "reason"],
                },
            }
        },
        "required": ["answers_question", "dimensions"],
    }


def _grade_messages(question: GuideQuestion, dims: list[Dimension], passages: list[Passage], answer: str,
                    role_name: str, reference: str | None, key_points: list[str], ids: list[str] | None = None) -> list[dict[str, str]]:
    ref = _t("grader.reference", reference=reference) if reference else ""
    ids = ids or [d.id for d in dims]
    return [
        {"role": "system", "content": _t("grader.system", role_name=role_name)},
        {"role": "user", "content": _t("grader.instructions", question=question.text, key_points=bullet(key_points),
                                       rubric=rubric_text(dims), reference=ref, passages=passages_text(passages),
                                       dimension_ids=", ".join(ids))},
        {"role": "user", "content": _t("grader.answer", answer=answer)},
    ]


def grade_messages(question: GuideQuestion, dims: list[Dimension], passages: list[Passage], answer: str,
                   role_name: str, reference: str | None, budget: int) -> tuple[list[dict[str, str]], list[Passage]]:
    """The packed grading prompt, and the passages that made it in."""
    fixed = "\n".join([*question.key_points, rubric_text(dims), reference or ""])
    room = max(0, budget - count_tokens(fixed))
    packed = pack_passages(passages, room, already=" ".join([*question.key_points, reference or ""]))
    return _grade_messages(question, dims, packed, answer, role_name, reference, question.key_points), packed


def naive_grade_messages(question: GuideQuestion, scorecard: Scorecard, chunks: list[Passage], answer: str,
                         role_name: str, reference: str | None, ids: list[str]) -> list[dict[str, str]]:
    """What a prompt looks like without packing: the whole scorecard and the top 20 chunks, as retrieved."""
    return _grade_messages(question, scorecard.dimensions, chunks[:20], answer, role_name, reference, question.key_points, ids)


def prompt_tokens(messages: list[dict[str, str]]) -> int:
    """Tokens a chat prompt costs, counted with tiktoken (4 per message for the chat wrapping)."""
    return sum(count_tokens(m["content"]) + 4 for m in messages)


def retry_message(problem: str) -> dict[str, str]:
    return {"role": "user", "content": _t("grader.retry", problem=problem)}


# ---- critique -----------------------------------------------------------------------------------
CRITIQUE_SCHEMA = {
    "type": "object",
    "properties": {
        "strengths": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
        "gaps": {"type": "array", "items": {"type": "string"}, "maxItems": 4},
        "improved_answer": {"type": "string"},
        "cited_passages": {"type": "array", "items": {"type": "integer"}},
    },
    "required": ["strengths", "gaps", "improved_answer", "cited_passages"],
}


def critique_messages(question: GuideQuestion, passages: list[Passage], answer: str, budget: int) -> tuple[list[dict[str, str]], list[Passage]]:
    room = max(0, budget - count_tokens("\n".join(question.key_points)))
    packed = pack_passages(passages, room, already=" ".join(question.key_points))
    return [
        {"role": "system", "content": _t("critique.system")},
        {"role": "user", "content": _t("critique.instructions", question=question.text, key_points=bullet(question.key_points),
                                       passages=passages_text(packed))},
        {"role": "user", "content": _t("grader.answer", answer=answer)},
    ], packed


# ---- interviewer wording ------------------------------------------------------------------------
def opening_messages(role_name: str, count: int) -> list[dict[str, str]]:
    return [{"role": "system", "content": _t("interviewer.system", role_name=role_name)},
            {"role": "user", "content": _t("interviewer.opening", role_name=role_name, count=count)}]


def transition_messages(role_name: str, question: GuideQuestion) -> list[dict[str, str]]:
    return [{"role": "system", "content": _t("interviewer.system", role_name=role_name)},
            {"role": "user", "content": _t("interviewer.transition", category=question.category, topic=question.topic)}]


def probe_messages(role_name: str, question: GuideQuestion, answer: str, gap: Gap, passages: list[Passage],
                   budget: int) -> list[dict[str, str]]:
    packed = pack_passages(passages, budget)
    return [
        {"role": "system", "content": _t("interviewer.system", role_name=role_name)},
        {"role": "user", "content": _t("grader.answer", answer=answer)},
        {"role": "user", "content": _t("interviewer.probe", question=question.text, gap_text=load(PROMPTS)["gap_text"][gap],
                                       passages=passages_text(packed))},
    ]


# ---- ingestion ----------------------------------------------------------------------------------
QUESTION_SCHEMA = {"type": "object", "properties": {"question": {"type": "string"}}, "required": ["question"]}


def namer_messages(section: str, answer: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": _t("namer.system")},
            {"role": "user", "content": _t("namer.user", section=section, answer=answer[:2000])}]
