"""How evidence becomes levels: per-dimension scores, the overall level, the recommendation. Pure."""
from __future__ import annotations

import numpy as np

from rubrics.schema import LEVEL_LABELS

ATTACK_PENALTY = 0.25  # an answer that tries to steer the grader never scores above its clean version


def _ramp(value: float, low: float, high: float) -> float:
    return float(np.clip((value - low) / (high - low), 0.0, 1.0))


def heuristic_score(f: dict[str, float], communication: bool = False) -> float:
    """Hand-set fallback scorer (1.0..4.0) used when no trained grader model is available."""
    if f["has_key_points"]:
        content = 0.5 * f["coverage"] + 0.2 * f["reference_coverage"] + 0.15 * _ramp(f["reference_similarity"], 0.3, 0.75)
    else:
        content = 0.55 * f["reference_coverage"] + 0.3 * _ramp(f["reference_similarity"], 0.3, 0.8)
    content += 0.15 * _ramp(f["relevance"], 0.25, 0.6)
    story = [f["ownership"], f["results"], f["numbers"]] if f["is_behavioral"] else [f["methods"], f["numbers"]]
    specificity = float(np.mean([*story, f["tradeoffs"]]))
    if communication:
        dimension = 0.5 * (f["star"] if f["is_behavioral"] else min(1.0, f["log_words"])) + 0.5 * (1 - f["hedge_rate"])
    else:
        dimension = 0.5 * f["family_hits"] + 0.5 * _ramp(f["cue_similarity"], 0.15, 0.5)
    raw = 0.55 * content + 0.25 * specificity + 0.20 * dimension - 0.15 * f["hedge_rate"]
    return 1.0 + 3.0 * _ramp(raw, 0.05, 0.75)


def heuristic_correctness(match) -> float:
    """Hand-set fallback (0..1) for agreement with a reference answer, used when no trained model is available."""
    return float(np.clip(0.4 * match.soft_recall + 0.3 * _ramp(match.demoted_similarity, 0.1, 0.7)
                         + 0.3 * _ramp(match.reference_margin, -0.1, 0.3), 0.0, 1.0))


def level_from_correctness(correctness: float) -> float:
    return 1.0 + 3.0 * float(np.clip(correctness, 0.0, 1.0))


def level_from_score(score: float) -> int:
    return int(np.clip(np.floor(score + 0.5), 1, 4))


def weighted_overall(scores: dict[str, float], weights: dict[str, float]) -> float:
    """Weighted mean of the dimension scores that were assessed; weights renormalised over them."""
    used = {d: w for d, w in weights.items() if d in scores}
    total = sum(used.values())
    if not total:
        return float(np.mean(list(scores.values()))) if scores else 1.0
    return float(sum(scores[d] * w for d, w in used.items()) / total)


def recommendation(overall: float, min_dimension: float | None = None) -> str:
    """Strong hire needs a high bar everywhere; one weak dimension holds a hire back to lean no."""
    if overall >= 3.4 and (min_dimension is None or min_dimension >= 2.5):
        return "strong hire"
    if overall >= 2.7 and (min_dimension is None or min_dimension >= 1.75):
        return "hire"
    if overall >= 1.9:
        return "lean no"
    return "no hire"


def level_label(level: int) -> str:
    return LEVEL_LABELS[level]
