"""All known questions as embedding anchors, to tell an answer to a different question from a weak one."""
from __future__ import annotations

import numpy as np

from agent.analysis import Encode
from knowledge.models import GuideQuestion


def anchor_text(question: GuideQuestion) -> str:
    return " ".join([question.text, *question.key_points])


class QuestionBank:
    def __init__(self, questions: list[GuideQuestion], encode: Encode):
        self.texts = [q.text.strip().lower() for q in questions]
        self.vectors = encode([anchor_text(q) for q in questions]) if questions else np.zeros((0, 1))

    def rival_similarity(self, answer_vector: np.ndarray, question: GuideQuestion) -> float:
        """The best similarity of the answer to any other question in the bank."""
        if not len(self.texts):
            return 0.0
        sims = self.vectors @ answer_vector
        own = question.text.strip().lower()
        mask = np.array([t != own for t in self.texts])
        return float(sims[mask].max()) if mask.any() else 0.0
