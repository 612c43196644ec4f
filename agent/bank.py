"""All known questions as embedding anchors, to tell an answer to a different question from a weak one."""
from __future__ import annotations

import numpy as np

from agent.analysis import Encode
from agent.text_signals import split_sentences
from knowledge.models import GuideQuestion


def anchor_text(question: GuideQuestion) -> str:
    return " ".join([question.text, *question.key_points])


def point_texts(question: GuideQuestion) -> list[str]:
    """What a full answer to the question covers: its key points, else its model answer's sentences."""
    if question.key_points:
        return list(question.key_points)
    return split_sentences(question.model_answer or "")[:40]


class QuestionBank:
    def __init__(self, questions: list[GuideQuestion], encode: Encode):
        self.questions = list(questions)
        self.encode = encode
        self.texts = [q.text.strip().lower() for q in questions]
        self.vectors = encode([anchor_text(q) for q in questions]) if questions else np.zeros((0, 1))
        self._points: dict[str, np.ndarray] = {}

    def rival(self, answer_vector: np.ndarray, question: GuideQuestion) -> tuple[float, GuideQuestion | None]:
        """The other question in the bank the answer is closest to, and how close."""
        if not len(self.texts):
            return 0.0, None
        sims = self.vectors @ answer_vector
        own = question.text.strip().lower()
        sims = np.where([t != own for t in self.texts], sims, -np.inf)
        best = int(np.argmax(sims))
        return (float(sims[best]), self.questions[best]) if np.isfinite(sims[best]) else (0.0, None)

    def point_vectors(self, question: GuideQuestion) -> np.ndarray:
        """The embeddings of `point_texts`, encoded once per question (the bank is built once per process)."""
        key = question.text.strip().lower()
        if key not in self._points:
            texts = point_texts(question)
            self._points[key] = self.encode(texts) if texts else np.zeros((0, self.vectors.shape[1]))
        return self._points[key]
