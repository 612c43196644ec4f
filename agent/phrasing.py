"""Who words the interviewer's lines. The policy decides what to say (which gap to probe); a phraser
only words it. Templates offline; the LLM in context, streamed, with the template as the fallback."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from agent.llm_client import LLMClient
from agent.llm_prompts import opening_messages, probe_messages, transition_messages
from agent.schemas import Gap, TokenUsage
from agent.text_signals import shingles
from knowledge.models import GuideQuestion, Passage
from mockinterview.errors import LLMError

OnToken = Callable[[str], None]
MAX_WORDS = 70
PHRASE_MAX_TOKENS = 120


@dataclass
class Phrased:
    text: str
    usage: TokenUsage | None = None
    note: str | None = None  # set when the LLM failed and the template was used
    streamed: bool = False  # the text reached the caller token by token already


class Phraser(Protocol):
    def opening(self, role_name: str, count: int, default: str, on_token: OnToken | None = None) -> Phrased: ...

    def transition(self, role_name: str, question: GuideQuestion, default: str, on_token: OnToken | None = None) -> Phrased: ...

    def probe(self, role_name: str, question: GuideQuestion, answer: str, gap: Gap, passages: list[Passage],
              default: str, on_token: OnToken | None = None) -> Phrased: ...


class TemplatePhraser:
    def opening(self, role_name, count, default, on_token=None) -> Phrased:
        return Phrased(default)

    def transition(self, role_name, question, default, on_token=None) -> Phrased:
        return Phrased(default)

    def probe(self, role_name, question, answer, gap, passages, default, on_token=None) -> Phrased:
        return Phrased(default)


def wording_problem(text: str, must_ask: bool, instructions: str = "") -> str | None:
    """Pure check of an LLM line before a candidate sees it."""
    if not text:
        return "empty"
    if instructions and shingles(text) & shingles(instructions):
        return "repeats its instructions"
    if len(text.split()) > MAX_WORDS:
        return f"too long ({len(text.split())} words)"
    if must_ask and "?" not in text:
        return "not a question"
    if re.search(r"\b(level [1-4]|score|rubric|grade)\b", text, re.IGNORECASE):
        return "talks about grading"
    return None


def tidy(text: str) -> str:
    text = text.strip().strip('"').strip()
    return re.sub(r"^(interviewer|follow-up|assistant)\s*:\s*", "", text, flags=re.IGNORECASE)


class LLMPhraser:
    def __init__(self, client: LLMClient, max_context_tokens: int):
        self.client = client
        self.budget = max_context_tokens

    def opening(self, role_name, count, default, on_token=None) -> Phrased:
        return self._say(opening_messages(role_name, count), default, on_token, must_ask=False)

    def transition(self, role_name, question, default, on_token=None) -> Phrased:
        return self._say(transition_messages(role_name, question), default, on_token, must_ask=False)

    def probe(self, role_name, question, answer, gap, passages, default, on_token=None) -> Phrased:
        messages = probe_messages(role_name, question, answer, gap, passages, self.budget // 2)
        return self._say(messages, default, on_token, must_ask=True)

    def _say(self, messages, default: str, on_token: OnToken | None, must_ask: bool) -> Phrased:
        streamed: list[str] = []

        def sink(token: str) -> None:
            streamed.append(token)
            if on_token is not None:
                on_token(token)

        try:
            completion = self.client.complete(messages, max_tokens=PHRASE_MAX_TOKENS, on_token=sink)
        except LLMError as exc:
            return Phrased(default, note=f"LLM wording unavailable ({exc}); offline wording used", streamed=bool(streamed))
        text = tidy(completion.text)
        problem = wording_problem(text, must_ask, "\n".join(m["content"] for m in messages if not m["content"].startswith("<candidate_answer>")))
        if problem:
            return Phrased(default, completion.usage, note=f"LLM wording rejected ({problem}); offline wording used",
                           streamed=bool(streamed))
        return Phrased(text, completion.usage, streamed=bool(streamed))
