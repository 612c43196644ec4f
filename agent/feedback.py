"""What was strong, what was missing, and what a strong answer contains, with citations. Pure."""
from __future__ import annotations

from agent.analysis import AnswerAnalysis
from agent.reference_match import ReferenceMatch
from agent.schemas import Citation, Feedback
from knowledge.models import GuideQuestion, Passage

COVERED = 0.5
BARE_NOTE = ("No guide question matches this one and no reference answer was given, so the grade rests on how the "
             "answer is built (specifics, numbers, trade-offs), not on whether it is correct: add a reference answer "
             "to check that.")


def build_feedback(
    question: GuideQuestion, analysis: AnswerAnalysis, junk: str | None, related: list[Passage] | None = None,
    match: ReferenceMatch | None = None,
) -> Feedback:
    """`match` is given on a knowledge check: the answer is judged by what it shares with the reference, and
    advice about numbers, stories and trade-offs would be beside the point."""
    s = analysis.signals
    strengths: list[str] = []
    missing: list[str] = []
    if junk:
        missing.append(f"No gradable content: {junk}.")
    elif match is not None:
        if match.soft_recall >= 0.5:
            strengths.append(f"States most of what the reference answer does ({round(100 * match.soft_recall)}% of its terms).")
        if match.missing:
            missing.append("The reference answer also covers: " + ", ".join(match.missing[:8]) + ".")
        if match.question_similarity > match.similarity:
            missing.append("Much of the answer restates the question; say what the answer is.")
    else:
        for point, sim in zip(question.key_points, analysis.keypoint_sims):
            (strengths if sim >= COVERED else missing).append(("Covered: " if sim >= COVERED else "Not covered: ") + point)
        if s.numbers:
            strengths.append("Backed claims with numbers.")
        else:
            missing.append("No numbers: say how big the effect was and how you measured it.")
        if question.category == "behavioral":
            if s.ownership:
                strengths.append("Made your own part clear ('I ...').")
            else:
                missing.append("Your own role is unclear: say what you did, not only what the team did.")
            absent = [part for part, present in s.star.items() if not present]
            if absent:
                missing.append("STAR parts missing or thin: " + ", ".join(absent) + ".")
        if s.tradeoffs:
            strengths.append("Weighed a trade-off or alternative.")
        else:
            missing.append("No trade-off: name the alternative you rejected and what your choice cost.")
        if analysis.sanitized.attacked:
            missing.append("Text addressed to the grader was ignored and lowered the score.")
        if analysis.sanitized.uncredited:
            missing.append("A bare list of terms earned no credit: say what you did with each and what it changed.")
        if analysis.bare:
            missing.append(BARE_NOTE)
    citation = Citation(source=question.source, section=question.section)
    return Feedback(
        strengths=strengths,
        missing=missing,
        key_points=list(question.key_points),
        model_answer=question.reference_text(),
        citations=[citation] if question.source else [],
        related=_unique_citations(related or [], exclude=citation)[:3],
    )


def _unique_citations(passages: list[Passage], exclude: Citation) -> list[Citation]:
    seen = {(exclude.source, exclude.section)}
    out = []
    for p in passages:
        if (p.source, p.section) not in seen:
            seen.add((p.source, p.section))
            out.append(Citation(source=p.source, section=p.section))
    return out
