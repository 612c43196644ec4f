"""Loading the evaluation sets (package data) as typed items."""
from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field

DATA_DIR = Path(__file__).parent / "data"
BASELINE = Path(__file__).parent / "baseline.json"


class GradingItem(BaseModel):
    id: str
    role: str
    question: str
    answer: str
    labels: dict[str, int]
    overall: int
    split: str = "train"
    voice: str | None = None
    # written so that the voice runs against the level (a rambling 4, a polished senior 1): the subset that
    # shows whether the grader learned the writers' voices instead of substance
    counter_voice: bool = False
    labels_2: dict[str, int] | None = None
    overall_2: int | None = None


class ProbeItem(BaseModel):
    id: str
    role: str
    question: str
    answer: str
    probe: bool
    gap: str


class RetrievalItem(BaseModel):
    id: str
    query: str
    role: str | None = None
    source: str
    section_contains: str


class ShortAnswerItem(BaseModel):
    """A quiz-style question graded only against a reference answer, scored 0-5 by two raters independently."""
    id: str
    qid: str
    split: str
    question: str
    reference: str
    answer: str
    scores: list[int] = Field(min_length=2, max_length=2)

    @property
    def mean_score(self) -> float:
        return sum(self.scores) / len(self.scores)


class AdversarialItem(BaseModel):
    id: str
    role: str
    question: str
    answer: str
    kind: str
    attack_type: str | None = None
    pair: str | None = None
    expected_max_level: int | None = None
    split: str = Field(default="test")


def _load(name: str, model: type[BaseModel]) -> list:
    path = DATA_DIR / f"{name}.jsonl"
    return [model.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def grading_items(split: str | None = None) -> list[GradingItem]:
    items = _load("grading", GradingItem)
    return [i for i in items if split in (None, "all") or i.split == split]


def probe_items() -> list[ProbeItem]:
    return _load("probe", ProbeItem)


def retrieval_items() -> list[RetrievalItem]:
    return _load("retrieval", RetrievalItem)


def short_answer_items(split: str | None = None) -> list[ShortAnswerItem]:
    items = _load("short_answer", ShortAnswerItem)
    return [i for i in items if split in (None, "all") or i.split == split]


def adversarial_items() -> list[AdversarialItem]:
    return _load("adversarial", AdversarialItem)


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
