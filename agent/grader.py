"""The offline grader: analysis -> junk check -> per-dimension scores, evidence, reasons -> grade."""
from __future__ import annotations

from typing import Protocol

import numpy as np

from agent.analysis import AnswerAnalysis, Encode, analyze
from agent.bank import QuestionBank
from agent.features import dimension_features
from agent.feedback import build_feedback
from agent.junk import detect_junk
from agent.reference_match import ReferenceMatch, match_reference
from agent.schemas import DimensionGrade, Grade
from agent.scoring import (
    ATTACK_PENALTY,
    heuristic_correctness,
    heuristic_score,
    level_from_correctness,
    level_from_score,
    level_label,
    recommendation,
    weighted_overall,
)
from knowledge.models import GuideQuestion, Passage
from rubrics.schema import Dimension, Scorecard

MAX_DIMENSIONS = 4
KNOWLEDGE_CHECK_WORDS = 80  # a reference this short states facts to get right, not an interview story to tell


def knowledge_check_reference(question: GuideQuestion, reference: str | None) -> str | None:
    """The reference to grade correctness against, when the question is a knowledge check: a short reference
    given for a question of no guide's (no key points) that does not ask for a story."""
    if not reference or not reference.strip() or question.key_points or question.category == "behavioral":
        return None
    return reference if len(reference.split()) <= KNOWLEDGE_CHECK_WORDS else None


def junk_dimension(dimension: str, name: str, why: str) -> DimensionGrade:
    """A dimension of an answer with nothing to grade: level 1, no evidence, the reason in plain words."""
    return DimensionGrade(dimension=dimension, name=name, level=1, score=1.0, evidence=[], reason=f"Level 1 ({level_label(1)}): {why}.")


class Scorer(Protocol):
    def score(self, features: dict[str, float], dimension: Dimension, probe_vector: np.ndarray | None = None) -> float: ...


class HeuristicScorer:
    name = "heuristic"

    def score(self, features: dict[str, float], dimension: Dimension, probe_vector: np.ndarray | None = None) -> float:
        return heuristic_score(features, communication="communicat" in dimension.id)

    def correctness(self, match: ReferenceMatch) -> float:
        return heuristic_correctness(match)


def dimensions_for(question: GuideQuestion, scorecard: Scorecard, encode: Encode, only: list[str] | None = None) -> list[Dimension]:
    """The dimensions a question probes: listed ids, then topic matches, then closest by meaning."""
    if only:
        return [d for d in scorecard.dimensions if d.id in only]
    chosen = [d for d in scorecard.dimensions if d.id in question.dimensions]
    if not chosen:
        chosen = [d for d in scorecard.dimensions if question.topic in d.topics]
    if not chosen:
        vectors = encode([question.text + " " + " ".join(question.key_points), *[d.text_for_matching() for d in scorecard.dimensions]])
        sims = vectors[1:] @ vectors[0]
        order = np.argsort(-sims)[:2]
        chosen = [scorecard.dimensions[i] for i in order]
    communication = next((d for d in scorecard.dimensions if d.id == "communication"), None)
    if communication is not None and communication not in chosen:
        chosen.append(communication)
    return chosen[:MAX_DIMENSIONS]


class OfflineGrader:
    def __init__(self, encode: Encode, scorer: Scorer | None = None, bank: QuestionBank | None = None):
        self.encode = encode
        self.scorer = scorer or HeuristicScorer()
        self.bank = bank

    def analyze(self, question: GuideQuestion, answer: str, reference: str | None = None) -> AnswerAnalysis:
        return analyze(question, answer, self.encode, reference=reference, bank=self.bank)

    def estimate(self, question: GuideQuestion, analysis: AnswerAnalysis, scorecard: Scorecard) -> float:
        """A quick overall estimate used by the probing policy."""
        if detect_junk(analysis):
            return 1.0
        grades = self._dimension_grades(question, analysis, scorecard, junk=None)
        return weighted_overall({g.dimension: g.score for g in grades}, scorecard.normalised_weights())

    def grade(
        self,
        question: GuideQuestion,
        answer: str,
        scorecard: Scorecard,
        reference: str | None = None,
        related: list[Passage] | None = None,
        dimensions: list[str] | None = None,
        critique: bool = False,  # the offline critique is always built; the flag matters to the LLM grader
        analysis: AnswerAnalysis | None = None,  # this answer's analysis, when the caller already made it
    ) -> Grade:
        analysis = analysis or self.analyze(question, answer, reference)
        check = knowledge_check_reference(question, reference)
        junk = detect_junk(analysis, knowledge_check=check is not None)
        grades = self._dimension_grades(question, analysis, scorecard, junk, dimensions)
        scores = {g.dimension: g.score for g in grades}
        overall = weighted_overall(scores, scorecard.normalised_weights())
        match = None
        if check is not None and not junk:
            match = match_reference(question.text, analysis.text, check, self.encode)
            overall = self._correctness_level(match, analysis)
            grades = [self._correctness_grade(g, overall, match) for g in grades]
            scores = {g.dimension: g.score for g in grades}
        elif not junk and hasattr(scorer := self._scorer(analysis), "calibrate_overall"):
            overall = float(np.clip(scorer.calibrate_overall(overall), 1.0, 4.0))
            if analysis.sanitized.attacked:
                overall = min(overall, weighted_overall(scores, scorecard.normalised_weights()))
        if reference is not None and question.reference_text() != reference:
            question = question.model_copy(update={"model_answer": reference})
        return Grade(
            overall_level=round(overall, 3),
            recommendation=recommendation(overall, min(scores.values()) if scores else None),  # type: ignore[arg-type]
            dimensions=grades,
            feedback=build_feedback(question, analysis, junk, related, match),
            junk=junk,
            flags=list(analysis.sanitized.flags),
        )

    # ----------------------------------------------------------------------------------------
    def _scorer(self, analysis: AnswerAnalysis) -> Scorer:
        """The question-only model when the question brings neither key points nor a reference, if one was trained."""
        question_only = getattr(self.scorer, "question_only", None)
        return question_only if analysis.bare and question_only is not None else self.scorer

    def _correctness_level(self, match: ReferenceMatch, analysis: AnswerAnalysis) -> float:
        level = level_from_correctness(self.scorer.correctness(match))
        if analysis.sanitized.attacked:
            level = max(1.0, level - ATTACK_PENALTY)
        return level

    @staticmethod
    def _correctness_grade(grade: DimensionGrade, level: float, match: ReferenceMatch) -> DimensionGrade:
        """On a knowledge check the content dimensions are graded by agreement with the reference;
        communication keeps its own grade."""
        if "communicat" in grade.dimension:
            return grade
        whole = level_from_score(level)
        missing = f"; missing: {', '.join(match.missing[:6])}" if match.missing else ""
        reason = (f"Level {whole} ({level_label(whole)}): graded against the reference answer; "
                  f"matches {round(100 * match.soft_recall)}% of its terms, meaning similarity {match.demoted_similarity:.2f}{missing}")
        return grade.model_copy(update={"level": whole, "score": round(level, 3), "reason": reason})

    def dimension_features(
        self, question: GuideQuestion, analysis: AnswerAnalysis, scorecard: Scorecard, only: list[str] | None = None
    ) -> list[tuple[Dimension, dict[str, float], list[int]]]:
        """(dimension, features, best sentence indexes) for each dimension the question probes (or `only` these)."""
        dims = dimensions_for(question, scorecard, self.encode, only)
        cue_sims = self._cue_similarities(analysis, dims)
        rubric = [self._rubric_similarities(analysis, dim) for dim in dims]
        return [(dim, dimension_features(analysis, question, dim, cue_sim, rub), best)
                for dim, (cue_sim, best), rub in zip(dims, cue_sims, rubric)]

    def _dimension_grades(
        self, question: GuideQuestion, analysis: AnswerAnalysis, scorecard: Scorecard, junk: str | None, only: list[str] | None = None
    ) -> list[DimensionGrade]:
        grades = []
        for dim, features, best in self.dimension_features(question, analysis, scorecard, only):
            if junk:
                grades.append(junk_dimension(dim.id, dim.name, junk))
                continue
            score = float(np.clip(self._scorer(analysis).score(features, dim, analysis.probe_vector), 1.0, 4.0))
            if analysis.sanitized.attacked:
                score = max(1.0, score - ATTACK_PENALTY)
            level = level_from_score(score)
            grades.append(DimensionGrade(
                dimension=dim.id, name=dim.name, level=level, score=round(score, 3),
                evidence=self._evidence(analysis, best, level), reason=self._reason(dim, level, features, analysis.bare),
            ))
        return grades

    def _cue_similarities(self, analysis: AnswerAnalysis, dims: list[Dimension]) -> list[tuple[float, list[int]]]:
        if analysis.sentence_vectors is None or not len(analysis.sentence_vectors):
            return [(0.0, []) for _ in dims]
        cue_texts = [d.text_for_matching() for d in dims]
        sims = self.encode(cue_texts) @ analysis.sentence_vectors.T
        out = []
        for row in sims:
            order = [int(i) for i in np.argsort(-row)[:2] if row[i] >= 0.2]
            out.append((float(row.max()), order))
        return out

    def _rubric_similarities(self, analysis: AnswerAnalysis, dim: Dimension) -> dict[str, float]:
        """The answer against the dimension's own rubric: level descriptors, evidence cues and red flags."""
        if analysis.sentence_vectors is None or not len(analysis.sentence_vectors):
            return {}
        levels = [dim.levels[k].split(" - ", 1)[-1].strip() for k in (1, 2, 3, 4)]
        cues, flags = list(dim.evidence_cues), list(dim.red_flags)
        vectors = self.encode([*levels, *cues, *flags, analysis.text])
        sents = analysis.sentence_vectors
        answer = vectors[-1]
        level_sims = vectors[:4] @ answer
        out = {"rubric_margin": float(level_sims[2:].mean() - level_sims[:2].mean())}
        cue_vecs = vectors[4: 4 + len(cues)]
        flag_vecs = vectors[4 + len(cues): 4 + len(cues) + len(flags)]
        if len(cue_vecs):
            out["cue_coverage"] = float(np.clip(((cue_vecs @ sents.T).max(axis=1) - 0.2) / 0.35, 0.0, 1.0).mean())
        if len(flag_vecs):
            out["red_flag_similarity"] = float((flag_vecs @ sents.T).max())
        return out

    @staticmethod
    def _evidence(analysis: AnswerAnalysis, best: list[int], level: int) -> list[str]:
        """Verbatim sentences of the answer that best support the dimension."""
        quotes = [analysis.sentences[i] for i in best if i < len(analysis.sentences)]
        return [q for q in quotes if q in analysis.text][: 2 if level >= 2 else 1]

    @staticmethod
    def _reason(dim: Dimension, level: int, f: dict[str, float], bare: bool = False) -> str:
        seen = []
        if bare:
            seen.append("graded from the question alone (no key points or reference to compare with)")
        elif f["coverage"] >= 0.5:
            seen.append("covers most key points")
        elif f["coverage"] >= 0.2 or f["reference_coverage"] >= 0.3:
            seen.append("covers some key points")
        else:
            seen.append("covers few key points")
        seen.append("with numbers" if f["numbers"] > 0 else "without numbers")
        if f["tradeoffs"] > 0:
            seen.append("weighs a trade-off")
        if f["is_behavioral"] and not f["ownership"]:
            seen.append("own role unclear")
        descriptor = dim.levels[level].split(" - ", 1)[-1].strip()
        if len(descriptor) > 140:
            descriptor = descriptor[:137].rstrip() + "..."
        return f"Level {level} ({level_label(level)}): {', '.join(seen)}; rubric: \"{descriptor}\""
