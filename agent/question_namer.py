"""At ingestion, an LLM words the question that a guide's orphan sample answer responds to.

Offline, the parser's heading-based title stands. A proposal that is not a short question, or any LLM
failure, keeps that title: ingestion never stops for the LLM.
"""
from __future__ import annotations

from agent.llm_client import LLMClient, parse_json
from agent.llm_prompts import QUESTION_SCHEMA, QuestionProposal, namer_messages
from knowledge.models import GuideQuestion
from mockinterview.errors import LLMError

MAX_WORDS = 30


def proposal_problem(text: str) -> str | None:
    words = text.split()
    if len(words) < 4:
        return "too short"
    if len(words) > MAX_WORDS:
        return f"too long ({len(words)} words)"
    if not text.rstrip().endswith("?"):
        return "not a question"
    return None


class LLMQuestionNamer:
    name = "llm"

    def __init__(self, client: LLMClient):
        self.client = client

    def __call__(self, question: GuideQuestion) -> tuple[str | None, str | None]:
        """(proposed question or None, note)."""
        self.client.new_turn()
        try:
            completion = self.client.complete(namer_messages(question.section, question.reference_text()),
                                              max_tokens=80, schema=QUESTION_SCHEMA)
            text = " ".join(parse_json(completion, QuestionProposal).question.split())
        except LLMError as exc:
            return None, f"{question.source} § {question.section}: LLM could not name the question ({exc}); kept '{question.text}'"
        problem = proposal_problem(text)
        if problem:
            return None, f"{question.source} § {question.section}: LLM proposal rejected ({problem}); kept '{question.text}'"
        return text, f"{question.source} § {question.section}: LLM named the question '{text}'"
