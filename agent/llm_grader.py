"""LLM grading and critique, with the offline grader always run beside it.

Policy: the offline grade is computed first. Junk never reaches the LLM. The LLM's reply must be valid
JSON for exactly the dimensions in play, with every evidence quote a verbatim span of the answer;
otherwise it is re-asked once with the problem stated, then the offline grade is returned, marked as a
fallback with the reason. An answer that tried to steer the grader is graded on its sanitized text and
can score no higher than the offline grade of it. Levels two or more apart are flagged.

The LLM also judges whether the answer responds to the question at all, which sentence similarity cannot:
a strong story told to the wrong behavioral prompt grades high offline. That verdict only ever lowers a grade
(to level 1), and it is refused for an answer that covers most of its own question's key points or, on a
knowledge check, agrees with the reference.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import BaseModel

from agent.analysis import AnswerAnalysis
from agent.evidence import split_quotes
from agent.grader import OfflineGrader, junk_dimension, knowledge_check_reference
from agent.junk import covers_own_question
from agent.llm_client import Completion, LLMClient, LLMUnreachable, parse_json
from agent.llm_prompts import (
    CRITIQUE_SCHEMA,
    CritiqueReply,
    LLMGradeReply,
    critique_messages,
    grade_messages,
    grade_schema,
    naive_grade_messages,
    retry_message,
)
from agent.safety import sanitize
from agent.schemas import Citation, DimensionGrade, Feedback, Grade, TokenUsage
from agent.scoring import ATTACK_PENALTY, level_from_score, recommendation, weighted_overall
from knowledge.models import GuideQuestion, Passage
from mockinterview.errors import LLMError
from rubrics.schema import Scorecard

GRADE_MAX_TOKENS = 700
DISAGREEMENT = 2
OFF_QUESTION = "the answer addresses a different question (the LLM grader's judgement)"
AGREES_WITH_REFERENCE = 3.0
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


class LLMGrader:
    """Same interface as OfflineGrader (analyze, estimate, grade), so the interviewer and CLI need not care."""

    def __init__(self, offline: OfflineGrader, client: LLMClient, max_context_tokens: int,
                 retrieve: Callable[[str, str], list[Passage]] | None = None, naive: bool = False,
                 max_output_tokens: int = GRADE_MAX_TOKENS):
        self.max_output = max_output_tokens
        self.offline = offline
        self.client = client
        self.budget = max_context_tokens
        self.retrieve = retrieve  # (query, role) -> passages, for callers that pass none (eval, calibrate)
        self.naive = naive  # the benchmark's baseline: whole scorecard and 20 chunks, no packing

    @property
    def scorer(self):
        return self.offline.scorer

    def analyze(self, question: GuideQuestion, answer: str, reference: str | None = None) -> AnswerAnalysis:
        return self.offline.analyze(question, answer, reference)

    def estimate(self, question: GuideQuestion, analysis: AnswerAnalysis, scorecard: Scorecard) -> float:
        return self.offline.estimate(question, analysis, scorecard)

    def grade(self, question: GuideQuestion, answer: str, scorecard: Scorecard, reference: str | None = None,
              related: list[Passage] | None = None, dimensions: list[str] | None = None, critique: bool = False) -> Grade:
        analysis = self.offline.analyze(question, answer, reference)
        offline = self.offline.grade(question, answer, scorecard, reference, related, dimensions, analysis=analysis)
        if offline.junk:
            return offline.model_copy(update={"flags": [*offline.flags, "LLM not consulted: nothing gradable in the answer"]})
        usage = TokenUsage()
        clean = sanitize(answer)
        if related is None and self.retrieve is not None:
            related = [p for p in self.retrieve(question.text, scorecard.role) if p.section != question.section]
        try:
            on_question = answers_own_question(analysis, knowledge_check_reference(question, reference) is not None, offline)
            grade = self._llm_grade(question, answer, clean.text, clean.attacked, scorecard, offline, reference, related or [], usage,
                                    on_question)
        except LLMError as exc:
            grade = offline.model_copy(update={"fallback_reason": str(exc)})
        if critique:
            grade.feedback = self._critique(question, clean.text, grade.feedback, related or [], usage)
        grade.usage = usage
        return grade

    # ---- grading ----------------------------------------------------------------------------
    def _llm_grade(self, question, answer, clean_text, attacked, scorecard, offline: Grade, reference, related, usage,
                   on_question: bool) -> Grade:
        dims = [d for g in offline.dimensions if (d := scorecard.dimension(g.dimension)) is not None]
        ids = [d.id for d in dims]
        if self.naive:
            messages = naive_grade_messages(question, scorecard, related, clean_text, scorecard.name, reference, ids)
        else:
            messages, _ = grade_messages(question, dims, related, clean_text, scorecard.name, reference, self.budget)
        reply = self._ask(messages, LLMGradeReply, grade_schema(ids), self.max_output, usage,
                          lambda r: grade_problem(r, ids, answer))
        if not reply.answers_question:
            if on_question:  # its levels rest on a verdict the answer refutes: none of them can be used
                raise LLMError("the LLM judged the answer off the question, but it covers most of what the question asks")
            return off_question_grade(offline)
        by_id = {d.dimension: d for d in reply.dimensions}
        grades, disagreements = [], []
        for off in offline.dimensions:
            mine = by_id[off.dimension]
            score = float(mine.level)
            if attacked:  # steering text was removed; the grade may not rise above the offline grade of what is left
                score = min(max(1.0, score - ATTACK_PENALTY), off.score)
            level = level_from_score(score)
            if abs(mine.level - off.level) >= DISAGREEMENT:
                disagreements.append(off.dimension)
            quotes, _ = split_quotes([q for q in mine.evidence if q.strip()], answer)
            grades.append(DimensionGrade(dimension=off.dimension, name=off.name, level=level, score=round(score, 3),
                                         evidence=quotes[:2], reason=(mine.reason.strip() or "(no reason given)")[:500]))
        scores = {g.dimension: g.score for g in grades}
        overall = weighted_overall(scores, scorecard.normalised_weights())
        flags = list(offline.flags)
        for dim_id in disagreements:
            llm_level = by_id[dim_id].level
            off_level = next(g.level for g in offline.dimensions if g.dimension == dim_id)
            flags.append(f"LLM and offline grader disagree on {dim_id}: LLM {llm_level}, offline {off_level}")
        return Grade(
            overall_level=round(overall, 3),
            recommendation=recommendation(overall, min(scores.values())),  # type: ignore[arg-type]
            dimensions=grades, feedback=offline.feedback, junk=None, flags=flags, engine="llm",
            offline_overall=offline.overall_level, disagreements=disagreements,
        )

    # ---- critique ---------------------------------------------------------------------------
    def _critique(self, question, clean_text: str, feedback: Feedback, related: list[Passage], usage: TokenUsage) -> Feedback:
        try:
            messages, packed = critique_messages(question, related, clean_text, self.budget)
            reply = self._ask(messages, CritiqueReply, CRITIQUE_SCHEMA, int(self.max_output * 1.3), usage,
                              lambda r: critique_problem(r, clean_text, len(packed)))
        except LLMError as exc:
            return feedback.model_copy(update={"fallback_reason": f"critique: {exc}"})
        cited = [packed[i - 1] for i in dict.fromkeys(reply.cited_passages) if 1 <= i <= len(packed)]
        citations = list(feedback.citations)
        for p in cited:
            c = Citation(source=p.source, section=p.section)
            if c not in citations:
                citations.append(c)
        return feedback.model_copy(update={
            "strengths": [s.strip() for s in reply.strengths if s.strip()][:3] or feedback.strengths,
            "missing": [g.strip() for g in reply.gaps if g.strip()][:4] or feedback.missing,
            "improved_answer": reply.improved_answer.strip(),
            "citations": citations, "engine": "llm", "fallback_reason": None,
        })

    # ---- one structured question, re-asked once ---------------------------------------------
    def _ask(self, messages: list[dict[str, str]], model: type[BaseModel], schema: dict, max_tokens: int,
             usage: TokenUsage, problem_of: Callable[[BaseModel], str | None]) -> BaseModel:
        problem: str | None = None
        convo = messages
        for _ in (1, 2):
            last: Completion = self.client.complete(convo, max_tokens=max_tokens, schema=schema)
            usage.add(last.usage)
            try:
                reply = parse_json(last, model)
            except LLMUnreachable:
                raise
            except LLMError as exc:
                problem = str(exc)
            else:
                problem = problem_of(reply)
                if problem is None:
                    return reply
            convo = [*messages, {"role": "assistant", "content": last.text}, retry_message(problem)]
        raise LLMError(f"unusable reply after one re-ask: {problem}")


def answers_own_question(analysis: AnswerAnalysis, knowledge_check: bool, offline: Grade) -> bool:
    """Offline evidence that the answer responds to this question, strong enough to refuse an LLM's 'it does not':
    its sentences match most of the key points, or, on a knowledge check, it agrees with the reference (offline
    level 3+ there is agreement with the reference, not polish: 111 of the 144 train/dev short answers the raters
    gave 4+ reach it)."""
    return covers_own_question(analysis) or (knowledge_check and offline.overall_level >= AGREES_WITH_REFERENCE)


def off_question_grade(offline: Grade) -> Grade:
    """The LLM's judgement that the answer responds to another question: level 1 everywhere, as the offline junk rules
    grade it, with the offline grade kept beside it so a team can see what the judgement overruled."""
    why = OFF_QUESTION
    dims = [junk_dimension(d.dimension, d.name, why) for d in offline.dimensions]
    feedback = offline.feedback.model_copy(update={
        "strengths": [], "missing": [f"Answer the question asked: {why}.", *offline.feedback.missing]})
    return Grade(
        overall_level=1.0, recommendation=recommendation(1.0, 1.0),  # type: ignore[arg-type]
        dimensions=dims, feedback=feedback, junk=why, engine="llm", offline_overall=offline.overall_level,
        flags=[*offline.flags, f"LLM judged the answer off the question; the offline grade was {offline.overall_level:.2f}"],
        disagreements=[d.dimension for d in offline.dimensions if d.level >= 1 + DISAGREEMENT],
    )


def grade_problem(reply: LLMGradeReply, ids: list[str], answer: str) -> str | None:
    got = [d.dimension for d in reply.dimensions]
    missing = [i for i in ids if i not in got]
    if missing:
        return f"no grade for dimension(s) {', '.join(missing)}"
    thin = [d.dimension for d in reply.dimensions if len(d.reason.split()) < 3]
    if thin:
        return f"the reason for {thin[0]} is missing or not a sentence"
    fabricated = [q for d in reply.dimensions for q in split_quotes([e for e in d.evidence if e.strip()], answer)[1]]
    if fabricated:
        return f"{len(fabricated)} evidence quote(s) are not in the answer, e.g. \"{fabricated[0][:80]}\""
    return None


def critique_problem(reply: CritiqueReply, answer: str, passages: int) -> str | None:
    if len(reply.improved_answer.split()) < 15:
        return "the improved answer is missing or too short"
    invented = [n for n in NUMBER.findall(reply.improved_answer) if n not in answer]
    if invented:
        return f"the improved answer adds numbers the candidate never gave ({', '.join(invented[:3])}); use [placeholders]"
    return None
