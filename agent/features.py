"""Per-dimension feature vectors: the one place where an analysis becomes numbers for a scorer. Pure."""
from __future__ import annotations

import math

import numpy as np

from agent.analysis import AnswerAnalysis
from knowledge.models import GuideQuestion
from rubrics.schema import Dimension

# Which vocabulary families count as evidence for a dimension; matched on the id, then on the name.
FAMILIES_BY_KEYWORD: list[tuple[str, tuple[str, ...]]] = [
    ("fundamental", ("method",)),
    ("retrieval", ("method", "metric")),
    ("rag", ("method", "metric")),
    ("problem", ("method", "experiment")),
    ("coding", ("method",)),
    ("experiment", ("experiment", "metric")),
    ("data", ("data",)),
    ("evaluation", ("metric", "experiment")),
    ("rigor", ("metric", "experiment")),
    ("production", ("production",)),
    ("deploy", ("production",)),
    ("collaboration", ("collaboration",)),
    ("stakeholder", ("collaboration",)),
    ("responsible", ("responsible",)),
    ("ethic", ("responsible",)),
    ("privacy", ("responsible",)),
    ("communication", ()),
]

FEATURE_NAMES = [
    "coverage", "reference_coverage", "reference_similarity", "relevance", "cue_similarity", "family_hits",
    "numbers", "methods", "metrics", "ownership", "we_only", "tradeoffs", "results", "star", "learning",
    "log_words", "hedge_rate", "unique_ratio", "is_behavioral", "is_design", "has_key_points", "flagged",
    "keypoint_hits", "keypoint_max", "weak_signal_similarity", "strong_signal_similarity", "anchor_similarity",
    "rival_margin", "story_i_ratio",
    "strong_coverage", "weak_coverage", "signal_margin", "weak_lean", "overclaim", "blame", "nuance", "verify",
    "rubric_margin", "cue_coverage", "red_flag_similarity",
]


def families_for(dim: Dimension) -> tuple[str, ...]:
    for text in (dim.id, dim.name.lower()):
        for keyword, families in FAMILIES_BY_KEYWORD:
            if keyword in text:
                return families
    return ()


def dimension_features(
    analysis: AnswerAnalysis, question: GuideQuestion, dim: Dimension, cue_similarity: float, rubric: dict[str, float] | None = None
) -> dict[str, float]:
    rubric = rubric or {}
    s = analysis.signals
    hits = s.vocab_hits
    families = families_for(dim)
    family_hits = sum(hits.get(f, 0) for f in families)
    sentences = max(1, len(s.sentences))
    return {
        "coverage": analysis.coverage,
        "reference_coverage": analysis.reference_coverage,
        "reference_similarity": analysis.reference_similarity,
        "relevance": analysis.relevance,
        "cue_similarity": cue_similarity,
        "family_hits": min(family_hits / 4.0, 1.0) if families else 0.0,
        "numbers": min(s.numbers / 4.0, 1.0),
        "methods": min(hits.get("method", 0) / 5.0, 1.0),
        "metrics": min(hits.get("metric", 0) / 4.0, 1.0),
        "ownership": 1.0 if s.ownership else 0.0,
        "we_only": 1.0 if s.we_count > 0 and s.i_count == 0 else 0.0,
        "tradeoffs": min(s.tradeoffs / 2.0, 1.0),
        "results": min(s.results / 3.0, 1.0),
        "star": s.star_count / 4.0,
        "learning": 1.0 if s.learning else 0.0,
        "log_words": min(math.log1p(s.words) / math.log(300), 1.2),
        "hedge_rate": min(s.hedges / sentences, 1.0),
        "unique_ratio": s.unique_word_ratio,
        "is_behavioral": 1.0 if question.category == "behavioral" else 0.0,
        "is_design": 1.0 if question.category == "system-design" else 0.0,
        "has_key_points": 1.0 if question.key_points else 0.0,
        "flagged": 1.0 if analysis.sanitized.attacked else 0.0,
        "keypoint_hits": analysis.keypoint_hits,
        "keypoint_max": max(analysis.keypoint_sims, default=0.0),
        "weak_signal_similarity": analysis.weak_signal_similarity,
        "strong_signal_similarity": analysis.strong_signal_similarity,
        "anchor_similarity": analysis.anchor_similarity,
        "rival_margin": analysis.anchor_similarity - analysis.rival_similarity,
        "story_i_ratio": s.i_count / max(1, s.i_count + s.we_count),
        "strong_coverage": analysis.strong_coverage,
        "weak_coverage": analysis.weak_coverage,
        "signal_margin": analysis.strong_coverage - analysis.weak_coverage,
        "weak_lean": analysis.weak_lean,
        "overclaim": min(s.overclaim / sentences, 1.0),
        "blame": min(float(s.blame), 1.0),
        "nuance": min(s.nuance / sentences, 1.0),
        "verify": min(s.verify / sentences, 1.0),
        "rubric_margin": rubric.get("rubric_margin", 0.0),
        "cue_coverage": rubric.get("cue_coverage", 0.0),
        "red_flag_similarity": rubric.get("red_flag_similarity", 0.0),
    }


def as_vector(features: dict[str, float]) -> np.ndarray:
    return np.array([features[name] for name in FEATURE_NAMES], dtype=np.float64)
