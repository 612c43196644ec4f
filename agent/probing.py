"""Whether to probe, and on which gap. Pure policy over an answer analysis."""
from __future__ import annotations

from dataclasses import dataclass

from agent.analysis import AnswerAnalysis
from agent.junk import drifts_to_other_question
from agent.schemas import Gap
from agent.text_signals import TextSignals
from knowledge.models import GuideQuestion

# Most important first: a story without the speaker's own part cannot be judged at all.
PRIORITY: tuple[Gap, ...] = ("off-topic", "ownership", "result", "method", "metric", "trade-off")
STRONG_ENOUGH = 3.3


@dataclass(frozen=True)
class ProbeDecision:
    gap: Gap | None
    reason: str


def is_story(question: GuideQuestion, signals: TextSignals) -> bool:
    return question.category == "behavioral" or (signals.i_count + signals.we_count >= 4 and signals.results > 0)


def detect_gaps(question: GuideQuestion, analysis: AnswerAnalysis, junk: str | None) -> list[Gap]:
    """Every gap the answer shows, most important first."""
    # Steering back costs the candidate one sentence, so a drift away from the question is probed even when it
    # is not clear enough to grade the answer as one to a different question.
    if junk == "the answer addresses a different question" or drifts_to_other_question(analysis):
        return ["off-topic"]
    s = analysis.signals
    hits = s.vocab_hits
    gaps: list[Gap] = []
    story = is_story(question, s)
    if story and s.we_count >= 2 and s.i_count == 0:
        gaps.append("ownership")
    if question.category == "behavioral" and not s.star.get("result") and s.results == 0:
        gaps.append("result")
    if question.category != "behavioral" and hits.get("method", 0) < 2 and analysis.coverage < 0.35:
        gaps.append("method")
    if s.numbers == 0 and hits.get("metric", 0) == 0:
        gaps.append("metric")
    if s.tradeoffs == 0:
        gaps.append("trade-off")
    return [g for g in PRIORITY if g in gaps]


def decide_probe(
    question: GuideQuestion,
    analysis: AnswerAnalysis,
    junk: str | None,
    estimated_level: float,
    asked: list[Gap],
    max_probes: int = 2,
) -> ProbeDecision:
    """At most `max_probes` per question, never the same gap twice, never after a strong complete answer."""
    if len(asked) >= max_probes:
        return ProbeDecision(None, "probe budget for this question used")
    if junk and junk != "the answer addresses a different question" and not drifts_to_other_question(analysis):
        return ProbeDecision(None, f"nothing to build on: {junk}")
    gaps = [g for g in detect_gaps(question, analysis, junk) if g not in asked]
    if not gaps:
        return ProbeDecision(None, "no gap left to probe")
    if estimated_level >= STRONG_ENOUGH and gaps[0] not in ("off-topic", "ownership"):
        return ProbeDecision(None, "strong, complete answer")
    if gaps == ["trade-off"] and estimated_level >= 2.9:
        return ProbeDecision(None, "solid answer; a missing trade-off alone is not worth a follow-up")
    return ProbeDecision(gaps[0], f"most important gap: {gaps[0]}")
